"""End to end over Slack: signed Events API payloads to the real Rasa server's Slack webhook;
the answers are read from the fake Slack Web API (tests/helpers/fake_slack.py)."""
from __future__ import annotations

import json
import time
import uuid
from urllib.parse import urlencode

import pytest

from tests.helpers.fake_slack import BOT_ID, BOT_USER, SLACK_CHANNEL
from tests.helpers.slack_events import Slack, envelope, new_id, new_ts, signed_headers, user_message

SOURCE = "Source : « Comment devenir gestionnaire de back office ? », §"
QUESTION = "faut il savoir se servir d'excel pour bosser en backoffice"
FRAGMENT = "traitement de texte et en tableur"


@pytest.fixture
def slack(bot, fake_slack):
    return Slack(bot, fake_slack)


def assert_kb_answer(text: str):
    assert FRAGMENT in text
    assert SOURCE in text


def test_url_verification_challenge(slack):
    body = {"token": "deprecated", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification"}
    response = slack.deliver(body)
    assert response.json() == {"challenge": body["challenge"]}


def test_mention_in_a_channel_is_answered_in_its_thread(slack):
    channel, user = new_id("C"), new_id("U")
    event = user_message(f"<@{BOT_USER}> {QUESTION}", channel, user)
    slack.deliver(envelope(event))
    [answer] = slack.wait_answers(channel)
    assert answer["thread_ts"] == event["ts"]
    assert_kb_answer(answer["text"])


def test_mention_inside_a_thread_is_answered_in_that_thread(slack):
    channel, user, parent = new_id("C"), new_id("U"), new_ts()
    event = user_message(f"<@{BOT_USER}> {QUESTION}", channel, user, thread_ts=parent)
    slack.deliver(envelope(event))
    [answer] = slack.wait_answers(channel)
    assert answer["thread_ts"] == parent
    assert_kb_answer(answer["text"])


def test_direct_message_is_answered_in_the_conversation(slack):
    channel, user = new_id("D"), new_id("U")
    slack.deliver(envelope(user_message(QUESTION, channel, user, kind="message")))
    [answer] = slack.wait_answers(channel)
    assert "thread_ts" not in answer
    assert_kb_answer(answer["text"])


def test_off_topic_question_gets_the_honest_fallback_in_french(slack, domain):
    channel, user = new_id("D"), new_id("U")
    slack.deliver(envelope(user_message("c'est quoi le salaire ?", channel, user, kind="message")))
    [answer] = slack.wait_answers(channel)
    assert answer["text"].startswith(domain["responses"]["utter_no_answer"][0]["text"].split("{")[0])
    queued = [i for i in slack.kb.open_review_items() if i.sender_id == f"slack:{user}"]
    assert [(i.question, i.channel) for i in queued] == [("c'est quoi le salaire ?", "slack")]


@pytest.mark.parametrize("reason", ["http_timeout", "http_error", "connection_failed", None])
def test_a_retry_never_produces_a_second_answer(slack, reason):
    channel, user = new_id("C"), new_id("U")
    body = envelope(user_message(f"<@{BOT_USER}> {QUESTION}", channel, user))
    slack.deliver(body)
    slack.wait_answers(channel)
    for number in ("1", "2", "3"):
        headers = {"X-Slack-Retry-Num": number}
        if reason:
            headers["X-Slack-Retry-Reason"] = reason
        slack.deliver(body, **headers)
    slack.barrier(user)
    assert len(slack.answers(channel)) == 1


def test_a_retry_of_a_lost_delivery_is_answered_once(slack):
    channel, user = new_id("C"), new_id("U")
    body = envelope(user_message(f"<@{BOT_USER}> {QUESTION}", channel, user))
    slack.deliver(body, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "connection_failed"})
    slack.deliver(body, **{"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "connection_failed"})
    [answer] = slack.wait_answers(channel)
    assert_kb_answer(answer["text"])
    slack.barrier(user)
    assert len(slack.answers(channel)) == 1


def test_a_mention_in_the_dedicated_channel_is_answered_once(slack):
    """There Slack sends both a `message` and an `app_mention` event for the same message."""
    user = new_id("U")
    mention = user_message(f"<@{BOT_USER}> {QUESTION}", SLACK_CHANNEL, user)
    message = dict(mention, type="message", channel_type="channel")
    slack.deliver(envelope(message))
    slack.deliver(envelope(mention))
    [answer] = slack.wait_answers(SLACK_CHANNEL, thread_ts=mention["ts"])
    assert_kb_answer(answer["text"])
    slack.barrier(user)
    assert len(slack.answers(SLACK_CHANNEL, thread_ts=mention["ts"])) == 1


def test_plain_message_in_another_channel_is_ignored(slack):
    channel, user = new_id("C"), new_id("U")
    slack.deliver(envelope(user_message(QUESTION, channel, user, kind="message")))
    slack.barrier(user)
    assert slack.answers(channel) == []


def _without_timestamp(headers: dict) -> dict:
    return {k: v for k, v in headers.items() if k != "X-Slack-Request-Timestamp"}


BAD_SIGNATURES = {
    "wrong secret": lambda raw: (raw, signed_headers(raw, secret="not-the-secret")),
    "missing signature": lambda raw: (raw, {"Content-Type": "application/json"}),
    "signature without timestamp": lambda raw: (raw, _without_timestamp(signed_headers(raw))),
    "stale timestamp": lambda raw: (raw, signed_headers(raw, timestamp=int(time.time()) - 600)),
    "body changed after signing": lambda raw: (raw.replace(b"excel", b"EXCEL"), signed_headers(raw)),
}


@pytest.mark.parametrize("case", list(BAD_SIGNATURES))
def test_bad_signature_gets_401_and_nothing_is_processed(slack, case):
    channel, user = new_id("D"), new_id("U")
    body = envelope(user_message(QUESTION, channel, user, kind="message"))
    raw, headers = BAD_SIGNATURES[case](json.dumps(body).encode())
    response = slack.post(body, headers=headers, raw=raw)
    assert response.status_code == 401
    slack.barrier(user)
    assert slack.answers(channel) == []


@pytest.mark.parametrize(
    "extra, own",
    [
        ({"subtype": "bot_message", "bot_id": "B0OTHERBOT", "username": "autre-bot"}, False),
        ({"bot_id": "B0OTHERBOT", "app_id": "A0OTHER"}, False),
        ({"bot_id": BOT_ID, "app_id": "A0TEST"}, True),  # the bot's own answer, echoed by Slack
        ({}, True),  # its own user id, without bot_id
    ],
    ids=["other bot (bot_message)", "other bot (bot_id)", "own answer", "own user id"],
)
def test_messages_from_bots_are_ignored(slack, extra, own):
    channel, user = new_id("D"), new_id("U")
    slack.deliver(envelope(user_message(QUESTION, channel, BOT_USER if own else user, kind="message", **extra)))
    slack.barrier(user)
    assert slack.answers(channel) == []


def test_acknowledges_before_answering(slack, fake_slack):
    channel, user = new_id("C"), new_id("U")
    slack.deliver(envelope(user_message(f"<@{BOT_USER}> {QUESTION}", channel, user)))
    acknowledged = time.monotonic()
    [post] = fake_slack.wait_for_posts(lambda b: b.get("channel") == channel)
    assert acknowledged < post.received
    assert_kb_answer(post.body["text"])


@pytest.mark.parametrize(
    "raw, status",
    [(b"not json", 400), (b"[1, 2]", 400), (b'{"type": "event_callback"}', 200),
     (b'{"type": "event_callback", "event": {"type": "message", "text": 3, "user": [], "channel": {}}}', 200)],
)
def test_malformed_signed_bodies_get_a_clear_status(slack, raw, status):
    response = slack.post({}, headers=signed_headers(raw), raw=raw)
    assert response.status_code == status
    channel = new_id("D")
    slack.deliver(envelope(user_message(QUESTION, channel, new_id("U"), kind="message")))
    assert_kb_answer(slack.wait_answers(channel)[0]["text"])


def block_actions(channel: str, user: str, message: dict, value: str, trigger: str) -> bytes:
    """A click on a button of the bot's message, as Slack posts it (form-encoded `payload`)."""
    payload = {
        "type": "block_actions", "trigger_id": trigger, "team": {"id": "T0TEST"},
        "user": {"id": user}, "channel": {"id": channel},
        "container": {"type": "message", "message_ts": message.get("ts"), "channel_id": channel},
        "message": {k: v for k, v in message.items() if k in ("ts", "thread_ts", "text")},
        "actions": [{"type": "button", "action_id": "a1", "block_id": "b1", "value": value,
                     "action_ts": new_ts(), "text": {"type": "plain_text", "text": "x"}}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def test_a_click_on_a_button_is_the_next_message(slack, fake_slack):
    channel, user = new_id("D"), new_id("U")
    slack.deliver(envelope(user_message("bonjour", channel, user, kind="message")))
    [greeting] = fake_slack.wait_for_posts(lambda b: b.get("channel") == channel)
    blocks = greeting.body["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    buttons = [e for block in blocks if block.get("type") == "actions" for e in block["elements"]]
    assert [b["type"] for b in buttons] == ["button"] * 3
    value = buttons[0]["value"]  # "Comment devenir gestionnaire de back-office ?"
    raw = block_actions(channel, user, {"ts": new_ts()}, value, trigger=uuid.uuid4().hex)
    headers = dict(signed_headers(raw), **{"Content-Type": "application/x-www-form-urlencoded"})
    for _ in range(2):  # Slack may deliver it again: answered once
        assert slack.post({}, headers=headers, raw=raw).status_code == 200
    [_, answer] = slack.wait_answers(channel, count=2)
    assert "Pour devenir gestionnaire de back-office" in answer["text"]
    assert SOURCE in answer["text"]
    slack.barrier(user)
    assert len(slack.answers(channel)) == 2


def test_a_click_with_a_bad_signature_is_refused(slack):
    channel, user = new_id("D"), new_id("U")
    raw = block_actions(channel, user, {"ts": new_ts()}, QUESTION, trigger=uuid.uuid4().hex)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    headers = dict(signed_headers(raw, secret="not-the-secret"), **form)
    assert slack.post({}, headers=headers, raw=raw).status_code == 401
    slack.barrier(user)
    assert slack.answers(channel) == []
