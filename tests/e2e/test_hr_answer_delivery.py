"""HR's answer reaches the person who asked (issue 15), with the real Rasa and action servers:
- Slack: a question asked in a thread (signed event to the real Slack webhook) gets no answer; HR answers it
  in the HR console (served as `make run` serves it, logged in over HTTP, CSRF token sent) or from the CLI; the
  answer is posted in that same thread on the fake Slack Web API;
- widget: a visitor's question answered by HR is shown when the chat is reopened with the same session
  (socket.io session_request), once; or with the visitor's next message if the chat stayed open;
- REST: with the sender's next message."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from html import unescape

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backoffice_career.knowledge.db import ORIGIN_HR, Document, ReviewItem, bump_revision
from backoffice_career.review.delivery import answer_and_deliver, notice_text
from backoffice_career.settings import ROOT
from tests.helpers.attacks import Visitor
from tests.helpers.fake_slack import BOT_USER, SLACK_TOKEN
from tests.helpers.hr_console import (
    PASSWORD,
    HttpConsole,
    copy_of_the_documents,
    create_account_with_the_cli,
    served_console,
)
from tests.helpers.responses import static_part
from tests.helpers.slack_events import Slack, envelope, new_id, new_ts, user_message

QUESTION = "le parking de la tour est-il gratuit pour les visiteurs le vendredi ?"
ANSWER = "Le parking visiteurs est gratuit, sur réservation auprès de l'accueil."


@pytest.fixture
def hr_documents(bot):
    """The HR answers this test writes are removed afterwards: the bot is shared by the session."""
    yield
    with Session(bot.kb.engine) as session, session.begin():
        ids = session.scalars(
            select(ReviewItem.document_id).where(ReviewItem.question == QUESTION, ReviewItem.document_id.is_not(None))
        ).all()
        session.execute(delete(Document).where(Document.id.in_(ids), Document.origin == ORIGIN_HR))
        bump_revision(session)


def queued(bot, sender: str) -> ReviewItem:
    [item] = [i for i in bot.kb.open_review_items() if i.sender_id == sender]
    assert item.question == QUESTION
    return item


def notice(document_id: int) -> str:
    return notice_text(QUESTION, ANSWER, f"« Réponse RH n° {document_id} »")


def cli_answer(bot, fake_slack, item_id: int) -> str:
    """HR answers from the command line, with the Slack settings of the bot."""
    env = dict(os.environ, SLACK_TOKEN=SLACK_TOKEN, SLACK_API_URL=fake_slack.api_url)
    result = subprocess.run(
        [sys.executable, "-m", "hr.cli", "review", "answer", str(item_id), ANSWER, "--url", bot.kb_url],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def document_of(bot, item_id: int) -> int:
    [answered] = [i for i in bot.kb.review_items("answered") if i.id == item_id]
    return int(answered.document_id)


@pytest.mark.parametrize("in_thread", [True, False], ids=["reply-in-a-thread", "channel-message"])
def test_a_slack_question_answered_by_hr_gets_the_answer_in_its_thread(
    bot, fake_slack, domain, hr_documents, in_thread
):
    slack = Slack(bot, fake_slack)
    channel, user, parent = new_id("C"), new_id("U"), new_ts()
    extra = {"thread_ts": parent} if in_thread else {}
    event = user_message(f"<@{BOT_USER}> {QUESTION}", channel, user, **extra)
    thread = parent if in_thread else event["ts"]
    slack.deliver(envelope(event))
    [reply] = slack.wait_answers(channel)
    assert reply["thread_ts"] == thread
    assert reply["text"].startswith(static_part(domain, "utter_no_answer"))
    item = queued(bot, f"slack:{user}")
    assert (item.channel, item.reply_channel, item.reply_thread) == ("slack", channel, thread)

    out = cli_answer(bot, fake_slack, item.id)
    assert "delivery to the person who asked: delivered" in out
    first, second = slack.wait_answers(channel, count=2)
    assert second["thread_ts"] == thread
    assert second["text"] == notice(document_of(bot, item.id))
    assert second["text"].startswith(f"Vous aviez demandé « {QUESTION} » : voici la réponse de l'équipe RH.")
    time.sleep(1)
    assert len(slack.answers(channel)) == 2  # posted once


@pytest.fixture
def hr_console(bot, fake_slack, tmp_path):
    """The HR console on the bot's databases, with the bot's Slack settings; an HR account logged in over HTTP."""
    name = f"rh.slack-{uuid.uuid4().hex[:8]}"  # the bot's database is shared by the session's tests
    create_account_with_the_cli(bot.kb_url, name)
    with served_console(
        tmp_path, bot.kb_url, bot.servers.settings.tracker_db_url, copy_of_the_documents(tmp_path / "knowledge"),
        SLACK_TOKEN=SLACK_TOKEN, SLACK_API_URL=fake_slack.api_url,
    ) as base:
        yield HttpConsole(base, name, PASSWORD)


def test_a_slack_question_answered_in_the_console_gets_the_answer_in_its_thread(
    bot, fake_slack, domain, hr_documents, hr_console
):
    slack = Slack(bot, fake_slack)
    channel, user, parent = new_id("C"), new_id("U"), new_ts()
    slack.deliver(envelope(user_message(f"<@{BOT_USER}> {QUESTION}", channel, user, thread_ts=parent)))
    [reply] = slack.wait_answers(channel)
    assert reply["thread_ts"] == parent and reply["text"].startswith(static_part(domain, "utter_no_answer"))
    item = queued(bot, f"slack:{user}")
    assert f'id="item-{item.id}"' in hr_console.get("/?channel=slack").text  # HR sees it in the queue

    page = f"/queue/{item.id}/answer"
    assert hr_console.http.post(hr_console.base + page, data={"answer": ANSWER}, timeout=30).status_code == 400
    response = hr_console.post(page, {"answer": ANSWER}, page=page)  # the form's CSRF token
    assert response.status_code == 200 and "Réponse enregistrée" in unescape(response.text)
    first, second = slack.wait_answers(channel, count=2)
    assert second["thread_ts"] == parent
    assert second["text"] == notice(document_of(bot, item.id))
    time.sleep(1)
    assert len(slack.answers(channel)) == 2  # posted once
    [answered] = [i for i in bot.kb.review_items("answered") if i.id == item.id]
    assert answered.delivery == "delivered"
    assert f"#{item.id}" in unescape(hr_console.get("/audit").text)  # the answer is in the audit log


def wait_for(visitor: Visitor, count: int, timeout: float = 30) -> list[str]:
    deadline = time.monotonic() + timeout
    while len(visitor.replies) < count and time.monotonic() < deadline:
        visitor.client.sleep(0.1)
    return visitor.texts()


def test_the_widget_visitor_gets_the_answer_when_the_chat_is_reopened(bot, domain, hr_documents):
    first = Visitor(bot.url)
    try:
        [reply] = first.say(QUESTION)
        assert reply.startswith(static_part(domain, "utter_no_answer"))
    finally:
        first.close()
    item = queued(bot, f"web:{first.session_id}")
    assert item.channel == "socketio"
    document_id, delivery = answer_and_deliver(bot.kb, item.id, ANSWER)
    assert delivery.status == "pending"

    reopened = Visitor(bot.url, first.token)  # the widget re-sends its stored session id
    try:
        assert reopened.token == first.token
        assert wait_for(reopened, 1) == [notice(document_id)]
    finally:
        reopened.close()
    # Once: the next reopening shows nothing.
    again = Visitor(bot.url, first.token)
    try:
        time.sleep(3)
        assert again.texts() == []
    finally:
        again.close()
    # Another visitor (a fresh session) never sees it.
    stranger = Visitor(bot.url)
    try:
        time.sleep(1)
        assert stranger.texts() == []
    finally:
        stranger.close()


def test_an_open_chat_gets_the_answer_with_the_next_message(bot, domain, hr_documents):
    visitor = Visitor(bot.url)
    try:
        [reply] = visitor.say(QUESTION)
        assert reply.startswith(static_part(domain, "utter_no_answer"))
        item = queued(bot, f"web:{visitor.session_id}")
        document_id, _ = answer_and_deliver(bot.kb, item.id, ANSWER)
        replies = visitor.say("merci")
        assert replies[0] == notice(document_id)
        assert notice(document_id) not in replies[1:] and len(replies) >= 2  # then the bot's usual reply
        assert notice(document_id) not in visitor.say("merci")
    finally:
        visitor.close()


def test_a_rest_sender_gets_the_answer_with_the_next_message(bot, fake_slack, domain, hr_documents):
    sender = f"e2e-delivery-{uuid.uuid4().hex[:8]}"
    [reply] = bot.texts(QUESTION, sender=sender)
    assert reply.startswith(static_part(domain, "utter_no_answer"))
    item = queued(bot, f"rest:{sender}")
    assert "delivery to the person who asked: pending" in cli_answer(bot, fake_slack, item.id)
    texts = bot.texts("merci", sender=sender)
    assert texts[0] == notice(document_of(bot, item.id)) and len(texts) >= 2
    assert notice(document_of(bot, item.id)) not in bot.texts("merci", sender=sender)
