"""A question answered in the console, reopened and answered again: the asker gets the new answer (Slack thread,
widget notice), and the question keeps one HR answer document, its text replaced. And the session cookie's flags."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice_career.knowledge.db import ORIGIN_HR, Document
from backoffice_career.review.delivery import notice_text, take_pending_notices
from tests.helpers.fake_slack import SLACK_TOKEN, FakeSlack
from tests.helpers.hr_console import make_console

QUESTION = "Les places du parking à vélos couvert sont-elles réservées aux salariés du back-office ?"
FIRST = "Oui : le parking à vélos couvert est réservé aux salariés, badge à l'entrée."
SECOND = "Non : le parking à vélos couvert est ouvert à tous, visiteurs compris, sans badge."
CHANNEL, THREAD = "C0REOPEN", "1733000000.000200"


@pytest.fixture
def fake_slack():
    fake = FakeSlack(SLACK_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def console(tmp_path, normalizer, topic_specs, fake_slack):
    console = make_console(
        tmp_path, f"sqlite:///{tmp_path / 'kb.sqlite'}", normalizer, topic_specs,
        SLACK_TOKEN=SLACK_TOKEN, SLACK_API_URL=fake_slack.api_url,
    )
    assert console.login().status_code == 302
    return console


def _answer(console, item_id: int, text: str) -> None:
    page = f"/queue/{item_id}/answer"
    assert console.post(page, {"answer": text}, page=page).status_code == 302


def _item(console, item_id: int):
    [found] = [i for i in console.kb.review_items() if i.id == item_id]
    return found


def _hr_documents(console) -> list[Document]:
    with Session(console.kb.engine) as session:
        return list(session.scalars(select(Document).where(Document.origin == ORIGIN_HR)))


def _notice(document_id: int, answer: str) -> str:
    return notice_text(QUESTION, answer, f"« Réponse RH n° {document_id} »")


def test_a_reopened_slack_question_answered_again_gets_the_new_answer_in_its_thread(console, fake_slack):
    item_id = console.kb.record_unanswered(QUESTION, "slack:U0ASKER", "slack", "out_of_scope", 0.4, CHANNEL, THREAD)
    _answer(console, item_id, FIRST)
    document_id = _item(console, item_id).document_id
    assert _item(console, item_id).delivery == "delivered"

    assert console.post(f"/queue/{item_id}/reopen", page="/?status=answered").status_code == 302
    reopened = _item(console, item_id)
    assert (reopened.status, reopened.sender_id, reopened.reply_channel, reopened.reply_thread) == (
        "open", "slack:U0ASKER", CHANNEL, THREAD
    )
    _answer(console, item_id, SECOND)

    answered = _item(console, item_id)
    assert (answered.status, answered.delivery, answered.document_id) == ("answered", "delivered", document_id)
    posts = fake_slack.posts()
    assert [(p.body["channel"], p.body["thread_ts"]) for p in posts] == [(CHANNEL, THREAD)] * 2
    assert [p.body["text"] for p in posts] == [_notice(document_id, FIRST), _notice(document_id, SECOND)]
    # One HR document for the question, with the new answer only: the bot no longer gives the old one.
    [document] = _hr_documents(console)
    assert document.id == document_id and document.name == f"hr-review-{item_id}"
    assert [h.text for h in console.kb.search(QUESTION) if h.origin == "hr"] == [SECOND]


def test_a_reopened_widget_question_shows_the_new_answer_once_when_the_visitor_comes_back(console):
    sender = "web:visiteur-velo"
    item_id = console.kb.record_unanswered(QUESTION, sender, "socketio", "out_of_scope", 0.4)
    _answer(console, item_id, FIRST)
    document_id = _item(console, item_id).document_id
    engine, config = console.kb.engine, console.kb.config
    assert take_pending_notices(engine, config, sender) == [_notice(document_id, FIRST)]

    assert console.post(f"/queue/{item_id}/reopen", page="/?status=answered").status_code == 302
    assert take_pending_notices(engine, config, sender) == []  # nothing while HR works on it again
    _answer(console, item_id, SECOND)
    assert _item(console, item_id).delivery == "pending"
    assert take_pending_notices(engine, config, sender) == [_notice(document_id, SECOND)]
    assert take_pending_notices(engine, config, sender) == []
    assert [d.id for d in _hr_documents(console)] == [document_id]


def test_reopening_withdraws_a_notice_not_yet_shown(console):
    sender = "web:visiteur-absent"
    item_id = console.kb.record_unanswered(QUESTION, sender, "socketio", "out_of_scope", 0.4)
    _answer(console, item_id, FIRST)
    assert _item(console, item_id).delivery == "pending"
    assert console.post(f"/queue/{item_id}/reopen", page="/?status=answered").status_code == 302
    assert take_pending_notices(console.kb.engine, console.kb.config, sender) == []


def _session_cookie_header(console) -> str:
    response = console.login()
    assert response.status_code == 302
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    return header


def test_the_session_cookie_is_http_only_and_lax_and_not_secure_on_the_local_http_port(tmp_path, normalizer,
                                                                                       topic_specs, monkeypatch):
    monkeypatch.delenv("HR_COOKIE_SECURE", raising=False)
    console = make_console(tmp_path, f"sqlite:///{tmp_path / 'kb.sqlite'}", normalizer, topic_specs)
    flags = [part.strip().lower() for part in _session_cookie_header(console).split(";")]
    assert "httponly" in flags and "samesite=lax" in flags and "secure" not in flags
    assert console.client.get("/").status_code == 200  # the cookie comes back over http


@pytest.mark.parametrize("value", ["1", "true"])
def test_hr_cookie_secure_makes_the_session_cookie_https_only(tmp_path, normalizer, topic_specs, monkeypatch, value):
    monkeypatch.setenv("HR_COOKIE_SECURE", value)
    console = make_console(tmp_path, f"sqlite:///{tmp_path / 'kb.sqlite'}", normalizer, topic_specs)
    flags = [part.strip().lower() for part in _session_cookie_header(console).split(";")]
    assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags
