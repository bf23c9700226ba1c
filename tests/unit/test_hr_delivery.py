"""HR's answer reaches the person who asked (backoffice_career/review/delivery.py): posted in the Slack
thread on a fake Slack Web API on loopback, or kept for the widget/REST visitor and handed over once."""
from __future__ import annotations

from datetime import datetime

import pytest
from rasa_sdk import Tracker
from sqlalchemy import Column, DateTime, Float, Integer, MetaData, String, Table, Text, insert, inspect
from sqlalchemy.orm import Session

from actions.actions import ActionAnswerUnknown
from backoffice_career.knowledge.db import ReviewItem, make_engine
from backoffice_career.knowledge.factory import build_knowledge_base
from backoffice_career.review.delivery import (
    answer_and_deliver,
    deliver_answer,
    notice_text,
    notices_for,
    retry_failed,
    slack_poster,
    take_pending_notices,
)
from backoffice_career.review.queue import ReviewError, ReviewQueue
from backoffice_career.settings import load_settings
from hr import cli
from launcher.ports import free_port
from tests.helpers.fake_slack import SLACK_TOKEN, FakeSlack
from tests.helpers.trackers import run

QUESTION = "est-ce que le télétravail est possible en back office ?"
ANSWER = "Oui : deux jours de télétravail par semaine après la période d'essai."
CHANNEL, THREAD = "C0QUESTION", "1733000000.000100"


@pytest.fixture
def fake_slack():
    fake = FakeSlack(SLACK_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def slack_env(monkeypatch, fake_slack):
    monkeypatch.setenv("SLACK_TOKEN", SLACK_TOKEN)
    monkeypatch.setenv("SLACK_API_URL", fake_slack.api_url)
    return load_settings()


def slack_tracker(text: str, metadata: dict) -> Tracker:
    return Tracker(
        sender_id="slack:U0ASKER",
        slots={"last_topic": None},
        latest_message={
            "text": text, "intent": {"name": "out_of_scope", "confidence": 0.9}, "entities": [], "metadata": metadata,
        },
        events=[{"event": "user", "text": text, "input_channel": "slack", "parse_data": {}}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def item(kb, item_id: int) -> ReviewItem:
    with Session(kb.engine) as session:
        found = session.get(ReviewItem, item_id)
        assert found is not None
        return found


def expected_notice(kb, document_id: int) -> str:
    return notice_text(QUESTION, ANSWER, f"« Réponse RH n° {document_id} »")


async def test_a_slack_question_remembers_its_thread_and_gets_the_answer_there(fresh_kb, slack_env, fake_slack):
    metadata = {"out_channel": CHANNEL, "thread_id": THREAD, "users": ["U0BOT"]}
    dispatcher, _ = await run(ActionAnswerUnknown(lambda: fresh_kb), slack_tracker(QUESTION, metadata))
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_answer"]
    [queued] = fresh_kb.open_review_items()
    assert (queued.channel, queued.reply_channel, queued.reply_thread) == ("slack", CHANNEL, THREAD)

    document_id, delivery = answer_and_deliver(fresh_kb, queued.id, ANSWER)
    assert delivery.status == "delivered"
    [post] = fake_slack.posts()
    assert post.token == SLACK_TOKEN
    assert (post.body["channel"], post.body["thread_ts"]) == (CHANNEL, THREAD)
    assert post.body["text"] == expected_notice(fresh_kb, document_id)
    assert post.body["text"].startswith(f"Vous aviez demandé « {QUESTION} » : voici la réponse de l'équipe RH.")
    stored = item(fresh_kb, queued.id)
    assert (stored.delivery, stored.delivery_error) == ("delivered", None) and stored.delivered_at
    # Delivered once: a second call posts nothing.
    assert deliver_answer(fresh_kb.engine, fresh_kb.config, queued.id).status == "delivered"
    assert len(fake_slack.posts()) == 1


async def test_a_direct_message_gets_the_answer_in_the_conversation(fresh_kb, slack_env, fake_slack):
    metadata = {"out_channel": "D0DIRECT", "thread_id": None, "users": []}
    await run(ActionAnswerUnknown(lambda: fresh_kb), slack_tracker(QUESTION, metadata))
    [queued] = fresh_kb.open_review_items()
    answer_and_deliver(fresh_kb, queued.id, ANSWER)
    [post] = fake_slack.posts()
    assert post.body["channel"] == "D0DIRECT" and "thread_ts" not in post.body


@pytest.mark.parametrize("metadata", ["pas un dict", {"out_channel": 12, "thread_id": ["x"]}])
async def test_hostile_metadata_is_not_kept(fresh_kb, metadata):
    await run(ActionAnswerUnknown(lambda: fresh_kb), slack_tracker(QUESTION, metadata))  # type: ignore[arg-type]
    [queued] = fresh_kb.open_review_items()
    assert (queued.reply_channel, queued.reply_thread) == (None, None)
    _, delivery = answer_and_deliver(fresh_kb, queued.id, ANSWER)
    assert delivery.status == "none"


def test_a_slack_failure_is_kept_and_retried(fresh_kb, fake_slack, monkeypatch, capsys):
    item_id = fresh_kb.record_unanswered(QUESTION, "slack:U0A", "slack", "out_of_scope", 0.9, CHANNEL, THREAD)
    # Slack refuses the token: HR's answer is saved, the CLI succeeds, the delivery waits for a retry.
    monkeypatch.setenv("SLACK_TOKEN", "xoxb-revoked")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.api_url)
    assert cli.main(["review", "answer", str(item_id), ANSWER, "--url", str(fresh_kb.engine.url)]) == 0
    assert "delivery to the person who asked: failed" in capsys.readouterr().out
    stored = item(fresh_kb, item_id)
    assert stored.status == "answered" and stored.delivery == "failed" and "invalid_auth" in stored.delivery_error
    assert fake_slack.posts() and stored.delivered_at is None

    # Slack unreachable (nothing listens on that port): failed again, no exception.
    dead = load_settings({"SLACK_TOKEN": SLACK_TOKEN, "SLACK_API_URL": f"http://127.0.0.1:{free_port()}/api/"})
    [again] = retry_failed(fresh_kb.engine, fresh_kb.config, settings=dead)
    assert again.status == "failed" and again.error

    assert cli.main(["review", "retry", "--url", str(fresh_kb.engine.url)]) == 1  # the token is still revoked
    assert "0 delivered, 1 still failing" in capsys.readouterr().out

    # Back: the retry (cron: `python -m hr.cli review retry`) posts it, once.
    monkeypatch.setenv("SLACK_TOKEN", SLACK_TOKEN)
    assert cli.main(["review", "retry", "--url", str(fresh_kb.engine.url)]) == 0
    assert f"#{item_id} delivered" in capsys.readouterr().out
    assert item(fresh_kb, item_id).delivery == "delivered"
    assert [c.body["thread_ts"] for c in fake_slack.posts() if c.token == SLACK_TOKEN] == [THREAD]
    assert retry_failed(fresh_kb.engine, fresh_kb.config) == []


def test_without_a_slack_token_the_delivery_waits(fresh_kb):
    item_id = fresh_kb.record_unanswered(QUESTION, "slack:U0A", "slack", "out_of_scope", 0.9, CHANNEL, THREAD)
    _, delivery = answer_and_deliver(fresh_kb, item_id, ANSWER, settings=load_settings({"SLACK_TOKEN": ""}))
    assert delivery.status == "failed" and "SLACK_TOKEN" in (delivery.error or "")


@pytest.mark.parametrize("channel, sender", [("socketio", "web:abc123"), ("rest", "rest:visitor")])
def test_a_visitor_notice_is_kept_and_handed_over_once(fresh_kb, channel, sender, capsys):
    item_id = fresh_kb.record_unanswered(QUESTION, sender, channel, "out_of_scope", 0.9)
    other = fresh_kb.record_unanswered("et le salaire ?", "web:someone-else", "socketio", "out_of_scope", 0.9)
    assert cli.main(["review", "answer", str(item_id), ANSWER, "--url", str(fresh_kb.engine.url)]) == 0
    assert "delivery to the person who asked: pending" in capsys.readouterr().out
    fresh_kb.answer_review_item(other, "Voir la grille salariale.")
    assert deliver_answer(fresh_kb.engine, fresh_kb.config, other).status == "pending"

    [answered] = [i for i in fresh_kb.review_items("answered") if i.id == item_id]
    assert take_pending_notices(fresh_kb.engine, fresh_kb.config, sender) == [
        expected_notice(fresh_kb, answered.document_id)
    ]
    assert take_pending_notices(fresh_kb.engine, fresh_kb.config, sender) == []
    assert item(fresh_kb, item_id).delivery == "delivered"
    assert item(fresh_kb, other).delivery == "pending"  # another visitor's notice stays theirs


def test_notices_for_reads_the_configured_database(fresh_kb, monkeypatch):
    item_id = fresh_kb.record_unanswered(QUESTION, "web:s1", "socketio", "out_of_scope", 0.9)
    answer_and_deliver(fresh_kb, item_id, ANSWER)
    settings = load_settings({"KB_DATABASE_URL": str(fresh_kb.engine.url)})
    [notice] = notices_for("web:s1", settings)
    assert notice.endswith(f"{ANSWER}\nSource : « Réponse RH n° {item(fresh_kb, item_id).document_id} »")
    assert notices_for("web:s1", settings) == []
    # A database that cannot be read gives no notice and no exception.
    assert notices_for("web:s1", load_settings({"KB_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})) == []


def test_open_unknown_or_dismissed_items_are_not_delivered(fresh_kb):
    open_id = fresh_kb.record_unanswered(QUESTION, "web:s", "socketio", "out_of_scope", 0.9)
    assert deliver_answer(fresh_kb.engine, fresh_kb.config, open_id).status == "none"
    assert deliver_answer(fresh_kb.engine, fresh_kb.config, 9999).status == "none"
    fresh_kb.dismiss_review_item(open_id)
    assert deliver_answer(fresh_kb.engine, fresh_kb.config, open_id).status == "none"
    assert take_pending_notices(fresh_kb.engine, fresh_kb.config, "web:s") == []
    with pytest.raises(ReviewError):
        answer_and_deliver(fresh_kb, open_id, ANSWER)


def test_an_older_database_gets_the_delivery_columns_when_opened(tmp_path, normalizer):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    old = MetaData()
    table = Table(
        "kb_review_item", old,
        Column("id", Integer, primary_key=True), Column("question", Text, nullable=False),
        Column("asked_at", DateTime, nullable=False), Column("sender_id", String(255)),
        Column("channel", String(100)), Column("intent", String(100)), Column("confidence", Float),
        Column("status", String(20), nullable=False), Column("resolved_at", DateTime),
        Column("document_id", Integer),
    )
    old.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(table).values(question="q ?", asked_at=datetime(2026, 1, 1),
                                                status="open", channel="rest"))
    queue = ReviewQueue(engine, normalizer)
    columns = {c["name"] for c in inspect(engine).get_columns("kb_review_item")}
    assert {"reply_channel", "reply_thread", "delivery", "delivered_at", "delivery_error"} <= columns
    [kept] = queue.open_review_items()
    assert (kept.question, kept.delivery) == ("q ?", None)


def test_the_slack_poster_needs_a_token():
    with pytest.raises(RuntimeError):
        slack_poster(load_settings({"SLACK_TOKEN": ""}))


def test_a_knowledge_base_built_today_has_the_columns(tmp_path, settings, normalizer, topic_specs):
    kb = build_knowledge_base(f"sqlite:///{tmp_path / 'kb.sqlite'}", settings.knowledge_dir, normalizer, topic_specs)
    columns = {c["name"] for c in inspect(kb.engine).get_columns("kb_review_item")}
    assert "delivery" in columns
