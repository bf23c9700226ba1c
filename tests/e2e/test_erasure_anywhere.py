"""Erasure from anywhere in a conversation, the profile form included, over REST against the real servers.

The user's question is answered by HR and exported first: after the erasure no table, index or export
may hold the user's words.
"""
from __future__ import annotations

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from backoffice_career.knowledge.db import ORIGIN_HR, Document, bump_revision
from hr import cli
from tests.helpers.databases import rows_holding
from tests.helpers.responses import response_text

SENDER = "e2e-erase-in-form"
# A subject no other test asks about: the HR answer must not answer another test's question.
QUESTION = "est-ce que je peux venir en trottinette au bureau de Quimper ?"
WORD = "quimper"  # only this user wrote it
HR_ANSWER = "Les trottinettes sont acceptées : un local fermé permet de les ranger."


def _mine(sender_id: str | None) -> bool:
    """The sender's id, whatever channel prefix the server gives it ("rest:…")."""
    return bool(sender_id) and (sender_id == SENDER or sender_id.endswith(":" + SENDER))


def _sender_rows(bot) -> int:
    events = [e for e in bot.conversations.events() if _mine(e.sender_id)]
    return len(events) + len([i for i in bot.kb.review_items() if _mine(i.sender_id)])


@pytest.fixture
def hr_documents(bot):
    """Ids of the HR answers this test writes, removed afterwards: the bot is shared by the session."""
    ids: list = []
    yield ids
    with Session(bot.kb.engine) as session, session.begin():
        session.execute(delete(Document).where(Document.id.in_(ids), Document.origin == ORIGIN_HR))
        bump_revision(session)


def test_erasure_in_the_middle_of_the_profile_form_leaves_nothing(bot, domain, monkeypatch, hr_documents):
    exports = bot.servers.settings.work_dir / "exports"
    monkeypatch.setenv("EXPORTS_DIR", str(exports))
    tracker_url = str(bot.conversations.engine.url)
    bot.texts(QUESTION, SENDER)
    [item] = [i for i in bot.kb.open_review_items() if _mine(i.sender_id)]
    assert cli.main(["review", "answer", str(item.id), HR_ANSWER, "--url", bot.kb_url]) == 0
    [answered] = [i for i in bot.kb.review_items("answered") if i.id == item.id]
    hr_documents.append(answered.document_id)
    assert cli.main(["review", "export", "--status", "answered", "--url", bot.kb_url]) == 0
    assert [h.origin for h in bot.kb.search("trottinette Quimper")][:1] == ["hr"]
    assert any(WORD in p.read_text(encoding="utf-8").lower() for p in exports.iterdir())

    # The profile form starts and asks its first question.
    asked = bot.texts("fais-moi un plan personnalisé", SENDER)
    assert asked and asked[-1] == response_text(domain, "utter_ask_experience_years")
    # Erasure asked in the middle of the form: the form stops, the bot asks for confirmation,
    # and the « oui » confirms the erasure (it is not taken as an answer to the form).
    assert bot.texts("supprime mes données", SENDER) == [response_text(domain, "utter_ask_erasure_confirm")]
    assert bot.texts("oui", SENDER) == [response_text(domain, "utter_erasure_done")]

    assert _sender_rows(bot) == 0
    assert rows_holding(bot.kb_url, WORD) == [] and rows_holding(tracker_url, WORD) == []
    assert all(h.origin != "hr" for h in bot.kb.search("Quimper"))  # the question's words left the index
    assert not any(WORD in p.read_text(encoding="utf-8").lower() for p in exports.iterdir())
    # HR's answer is kept, without the question.
    assert any(h.text == HR_ANSWER for h in bot.kb.search("trottinette local ranger"))
    # A new message starts a new, empty conversation: no profile, no form.
    assert bot.texts("qu'est-ce que tu sais de moi ?", SENDER) == [response_text(domain, "utter_profile_empty")]
