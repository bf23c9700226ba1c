"""Conversations survive a restart of both servers (SQL tracker store on SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest

from backoffice_career.privacy.conversations import ConversationStore
from rasa_server.channels.identity import REST, conversation_id
from tests.helpers.bot_fixtures import require_model
from tests.helpers.servers import running_bot

SENDER = "e2e-restart"


def user_texts(tracker: dict):
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_conversation_and_slots_survive_a_restart(backend, request, tmp_path, kb):
    require_model()
    tracker_url = (
        f"sqlite:///{tmp_path / 'tracker.sqlite'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    )
    kb_url = str(kb.engine.url)
    first = ["bonjour", "faut il maitriser excel pour bosser en back office ?"]
    with running_bot(tmp_path, kb, kb_url, tracker_url) as bot:
        for text in first:
            assert bot.texts(text, SENDER)
        before = bot.tracker(SENDER)
        assert before["slots"]["last_topic"] == "office_software"
    # Both servers are stopped: the conversation is in the database.
    stored = ConversationStore.from_url(tracker_url)
    stored_events = stored.events(conversation_id(REST, SENDER))
    assert [e.data["text"] for e in stored_events if e.type_name == "user"] == first
    stored.engine.dispose()

    with running_bot(tmp_path, kb, kb_url, tracker_url) as bot:
        after = bot.tracker(SENDER)
        assert user_texts(after) == first
        assert after["slots"]["last_topic"] == "office_software"
        assert len(after["events"]) == len(before["events"])
        # The conversation goes on where it was.
        [reply] = bot.texts("et pour les cours de compta ?", SENDER)
        assert "Source :" in reply
        later = bot.tracker(SENDER)
        assert user_texts(later) == first + ["et pour les cours de compta ?"]
        assert later["slots"]["last_topic"] == "courses"
