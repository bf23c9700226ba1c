"""Over REST: the honest "no answer" comes with buttons for the HR documents' nearest sections; their payload
reads the section, and a forged payload reads nothing (tests/unit/test_section_suggestions.py has the rules)."""
from __future__ import annotations

import json
import uuid

import pytest
import yaml

from backoffice_career.settings import ROOT
from tests.helpers.bot_fixtures import require_model
from tests.helpers.documents import guide_with_note
from tests.helpers.servers import running_bot
from tests.unit.test_section_suggestions import NOTE, UNCLEAR


@pytest.fixture(scope="module")
def note_bot(tmp_path_factory, settings, normalizer, topic_specs):
    require_model()
    work = tmp_path_factory.mktemp("suggestions")
    kb = guide_with_note(work, settings, normalizer, topic_specs, "regles-equipe.md", NOTE)
    try:
        with running_bot(work, kb, f"sqlite:///{work / 'kb.sqlite'}", f"sqlite:///{work / 'tracker.sqlite'}") as bot:
            yield bot
    finally:
        kb.engine.dispose()


@pytest.fixture(scope="module")
def texts_of():
    responses = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))["responses"]
    return lambda name: responses[name][0]["text"]


def test_no_answer_with_buttons_then_a_click_reads_the_section(note_bot, texts_of):
    sender = f"suggest-{uuid.uuid4().hex[:8]}"
    messages = note_bot.replies(UNCLEAR, sender)
    assert messages[0]["text"].startswith(texts_of("utter_no_answer").split("{", 1)[0])
    assert messages[1]["text"] == texts_of("utter_section_suggestions")
    buttons = {b["title"]: b["payload"] for b in messages[1]["buttons"]}
    assert {"Congés d'été", "Enfant malade"} <= set(buttons)
    # The question was queued for HR all the same.
    assert [i.question for i in note_bot.kb.open_review_items() if i.sender_id == f"rest:{sender}"] == [UNCLEAR]
    [answer] = note_bot.texts(buttons["Enfant malade"], sender)
    assert "moins de seize ans" in answer and answer.endswith("section « Enfant malade »")


@pytest.mark.parametrize("payload", [
    '/ask_section{"passage_id": 999999}',  # no such passage
    '/ask_section{"passage_id": "1 OR 1=1"}',
    '/ask_section{"passage_id": 1}',  # the guide's first passage: not through a button
    "/ask_section",
])
def test_a_forged_payload_reads_nothing(note_bot, texts_of, payload):
    assert note_bot.texts(payload, f"forge-{uuid.uuid4().hex[:8]}") == [texts_of("utter_section_gone")]


def test_the_payload_survives_json(note_bot):
    """The button's payload is the intent and a JSON object, as Rasa's '/intent{...}' parser reads it."""
    messages = note_bot.replies(UNCLEAR, f"suggest-{uuid.uuid4().hex[:8]}")
    for button in messages[1]["buttons"]:
        intent, _, entities = button["payload"].partition("{")
        assert intent == "/ask_section" and isinstance(json.loads("{" + entities)["passage_id"], int)
