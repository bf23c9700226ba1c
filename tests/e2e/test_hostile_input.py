"""Hostile and malformed input on every channel (REST, socket.io, Slack) against the running servers.

Each case gets a French reply or an HTTP 4xx, and the server keeps answering afterwards."""
from __future__ import annotations

import json
import threading
import unicodedata
import uuid

import pytest
import requests
import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rasa_server.channels.checks import rules as channel_rules
from tests.helpers.slack_events import Slack, envelope, new_id, signed_headers, user_message

QUESTION = "faut il savoir utiliser un tableur pour travailler en back office ?"
MEGABYTE = "a" * 1_000_000
HOSTILE_TEXTS = {
    "control characters": "bon\x00jour\x07\x1b[31m comment\u200b devenir\ufeff office manager ?",
    "html and script": "<script>alert('xss')</script><img src=x onerror=alert(1)> comment devenir manager ?",
    "sql": "'; DROP TABLE kb_passage; -- OR 1=1 /* comment devenir gestionnaire ? */",
    "path": "../../../../etc/passwd %2e%2e%2f C:\\Windows\\system32",
    "lone surrogate": "bonjour \udc80\ud800",
    "emoji only": "😊😊😊",
    "empty": "",
}


def french_replies(domain):
    """Static beginnings of every French response of the domain."""
    starts = set()
    for variants in domain["responses"].values():
        for variant in variants:
            text = variant.get("text", "").split("{", 1)[0].strip()
            if text:
                starts.add(text[:40])
    return starts


def assert_french(texts, domain):
    assert texts, "no reply"
    starts = french_replies(domain)
    for text in texts:
        assert "Source :" in text or any(text.startswith(s) for s in starts), text
        assert "<script" not in text and "root:" not in text


def assert_still_answering(bot):
    [answer] = bot.texts(QUESTION, f"after-{uuid.uuid4().hex[:8]}")
    assert "Source :" in answer


# --- REST -------------------------------------------------------------------------------------

JSON = {"Content-Type": "application/json"}
REST_REFUSED = {
    "empty body": (b"", JSON, 400, "empty_body"),
    "whitespace body": (b"  \n", JSON, 400, "empty_body"),
    "invalid json": (b'{"sender": "x", "message": ', JSON, 400, "invalid_json"),
    "json array": (b'["x", "bonjour"]', JSON, 400, "not_an_object"),
    "wrong content type": (b'{"sender": "x", "message": "bonjour"}', {"Content-Type": "text/plain"}, 415,
                           "unsupported_media_type"),
    "form encoded": (b"sender=x&message=bonjour", {"Content-Type": "application/x-www-form-urlencoded"}, 415,
                     "unsupported_media_type"),
    "1 MB message": (json.dumps({"sender": "x", "message": MEGABYTE}).encode(), JSON, 413, "body_too_large"),
    "invalid utf-8": (b'{"sender": "x", "message": "caf\xe9 \xff\xfe"}', JSON, 400, "invalid_encoding"),
    "missing sender": (b'{"message": "bonjour"}', JSON, 400, "missing_sender"),
    "empty sender": (b'{"sender": "", "message": "bonjour"}', JSON, 400, "missing_sender"),
    "huge sender": (json.dumps({"sender": "s" * 10_000, "message": "bonjour"}).encode(), JSON, 400, "invalid_sender"),
    "sender with control characters": (b'{"sender": "a\\u0000b", "message": "bonjour"}', JSON, 400, "invalid_sender"),
    "sender not a string": (b'{"sender": {"id": 1}, "message": "bonjour"}', JSON, 400, "invalid_sender"),
    "missing message": (b'{"sender": "x"}', JSON, 400, "missing_message"),
    "message not a string": (b'{"sender": "x", "message": 42}', JSON, 400, "missing_message"),
    "metadata not an object": (b'{"sender": "x", "message": "hi", "metadata": "x"}', JSON, 400, "invalid_metadata"),
}


@pytest.mark.parametrize("case", list(REST_REFUSED))
def test_rest_refuses_malformed_requests_with_a_clear_error(bot, case):
    body, headers, status, code = REST_REFUSED[case]
    response = requests.post(f"{bot.url}/webhooks/rest/webhook", data=body, headers={**headers, **bot.rest_headers},
                             timeout=60)
    assert response.status_code == status
    error = response.json()
    assert error["error"] == code
    assert error["message"] == channel_rules()["errors"][code]
    assert_still_answering(bot)


@pytest.mark.parametrize("case", list(HOSTILE_TEXTS))
def test_rest_answers_hostile_text_in_french(bot, domain, case):
    sender = f"hostile-rest-{uuid.uuid4().hex[:8]}"
    assert_french(bot.texts(HOSTILE_TEXTS[case], sender), domain)
    assert_still_answering(bot)


def test_rest_message_over_the_length_limit_gets_a_french_reply(bot, domain):
    text = "formation " * 5_000  # 50 kB: under the body limit, over the NLU limit
    assert bot.texts(text, "hostile-long") == [domain["responses"]["utter_message_too_long"][0]["text"]]


def test_rest_input_channel_cannot_be_forged(bot):
    sender = f"forged-{uuid.uuid4().hex[:8]}"
    body = {"sender": sender, "message": "bonjour", "input_channel": "slack"}
    response = requests.post(f"{bot.url}/webhooks/rest/webhook", json=body, headers=bot.rest_headers, timeout=60)
    assert response.status_code == 200
    [user] = [e for e in bot.tracker(sender)["events"] if e["event"] == "user"]
    assert user["input_channel"] == "rest"


def test_the_http_api_needs_the_token(bot):
    for path in ("/model/parse", "/conversations/x/tracker/events"):
        assert requests.post(f"{bot.url}{path}", json={"text": "bonjour"}, timeout=30).status_code == 401
    assert requests.get(f"{bot.url}/conversations/x/tracker", timeout=30).status_code == 401


def test_cors_allows_only_the_configured_origins(bot):
    allowed = requests.options(f"{bot.url}/webhooks/rest/webhook", timeout=30, headers={
        "Origin": "http://127.0.0.1", "Access-Control-Request-Method": "POST"})
    assert allowed.headers.get("Access-Control-Allow-Origin") == "http://127.0.0.1"
    denied = requests.options(f"{bot.url}/webhooks/rest/webhook", timeout=30, headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in denied.headers
    # socket.io checks the origin too: the server refuses the namespace (CONNECT_ERROR). The client is not
    # asked to wait for the namespace: it would sit out its whole wait_timeout after a refusal.
    client = socketio.Client(reconnection=False)
    refused = threading.Event()
    client.on("connect_error", lambda *_: refused.set())
    client.connect(bot.url, transports=["polling"], headers={"Origin": "https://evil.example"}, wait=False)
    try:
        assert refused.wait(30), "the namespace was not refused"
        assert "/" not in client.namespaces
    finally:
        client.disconnect()


def sender_allowed(sender: str) -> bool:
    return bool(sender.strip()) and not any(unicodedata.category(c)[0] == "C" for c in sender)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=st.text(max_size=300), sender=st.text(min_size=1, max_size=40))
def test_message_handling_never_fails(bot, message, sender):
    """Any text from any sender: replies, or a clear 400 when the sender id is not allowed."""
    response = requests.post(f"{bot.url}/webhooks/rest/webhook", timeout=60, headers=bot.rest_headers,
                             json={"sender": sender, "message": message})
    if sender_allowed(sender):
        assert response.status_code == 200
        replies = response.json()
        assert replies and all(isinstance(r.get("text"), str) and r["text"] for r in replies)
    else:
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_sender"


# --- socket.io --------------------------------------------------------------------------------

class SocketUser:
    def __init__(self, bot):
        self.client = socketio.Client(reconnection=False)
        self.replies = []
        confirmed = threading.Event()
        self.client.on("bot_uttered", lambda data: self.replies.append(data))
        self.client.on("session_confirm", lambda _: confirmed.set())
        self.client.connect(bot.url, transports=["polling"], headers={"Origin": "http://127.0.0.1"},
                            wait_timeout=30)
        self.session_id = f"sock-{uuid.uuid4().hex[:12]}"
        self.client.emit("session_request", {"session_id": self.session_id})
        assert confirmed.wait(30), "no session_confirm"

    def send(self, payload, count=1, timeout=60):
        before = len(self.replies)
        self.client.emit("user_uttered", payload)
        for _ in range(timeout * 10):
            if len(self.replies) >= before + count:
                break
            self.client.sleep(0.1)
        return [r.get("text", "") for r in self.replies[before:]]

    def close(self):
        self.client.disconnect()


@pytest.fixture
def socket_user(bot):
    user = SocketUser(bot)
    yield user
    user.close()


def test_socketio_answers_a_normal_question(socket_user):
    [answer] = socket_user.send({"message": QUESTION, "session_id": socket_user.session_id})
    assert "Source :" in answer


SOCKET_REFUSED = {
    "not an object": "bonjour",
    "a list": ["bonjour"],
    "message not a string": {"message": 42},
    "1 MB message": {"message": MEGABYTE},
    "huge session id": {"message": "bonjour", "session_id": "s" * 10_000},
    "session id with control characters": {"message": "bonjour", "session_id": "a\x00b"},
    "metadata not an object": {"message": "bonjour", "metadata": 12},
    "metadata not json": {"message": "bonjour", "metadata": "{not json"},
}


@pytest.mark.parametrize("case", list(SOCKET_REFUSED))
def test_socketio_refuses_malformed_payloads_in_french(socket_user, case):
    payload = SOCKET_REFUSED[case]
    if isinstance(payload, dict) and "session_id" not in payload:
        payload = dict(payload, session_id=socket_user.session_id)
    assert socket_user.send(payload) == [channel_rules()["errors"]["invalid_socket_message"]]
    [answer] = socket_user.send({"message": QUESTION, "session_id": socket_user.session_id})
    assert "Source :" in answer


@pytest.mark.parametrize("case", list(HOSTILE_TEXTS))
def test_socketio_answers_hostile_text_in_french(socket_user, domain, case):
    assert_french(socket_user.send({"message": HOSTILE_TEXTS[case], "session_id": socket_user.session_id}), domain)


# --- Slack ------------------------------------------------------------------------------------

@pytest.fixture
def slack(bot, fake_slack):
    return Slack(bot, fake_slack)


def signed(raw: bytes, content_type="application/json"):
    return dict(signed_headers(raw), **{"Content-Type": content_type})


SLACK_REFUSED = {
    "empty body": (b"", "application/json", 400),
    "invalid json": (b'{"type": "event_callback", ', "application/json", 400),
    "wrong content type": (b"payload=%7B%7D", "application/x-www-form-urlencoded", 400),
    "1 MB body": (json.dumps({"type": "event_callback", "x": MEGABYTE}).encode(), "application/json", 413),
    "invalid utf-8": (b'{"type": "event_callback", "x": "\xff\xfe"}', "application/json", 400),
}


@pytest.mark.parametrize("case", list(SLACK_REFUSED))
def test_slack_refuses_malformed_signed_requests(slack, case):
    raw, content_type, status = SLACK_REFUSED[case]
    assert slack.post({}, headers=signed(raw, content_type), raw=raw).status_code == status
    channel = new_id("D")
    slack.deliver(envelope(user_message(QUESTION, channel, new_id("U"), kind="message")))
    assert "Source :" in slack.wait_answers(channel)[0]["text"]


@pytest.mark.parametrize(
    "user, status",
    [("", 200), ("U" * 10_000, 400), ("U\x00X", 400)],
    ids=["missing user (ignored)", "huge user", "control chars"],
)
def test_slack_refuses_bad_user_ids(slack, user, status):
    channel = new_id("D")
    body = envelope(user_message(QUESTION, channel, user, kind="message"))
    raw = json.dumps(body).encode()
    response = slack.post(body, headers=signed(raw), raw=raw)
    assert response.status_code == status
    slack.barrier(new_id("U"))
    assert slack.answers(channel) == []


@pytest.mark.parametrize("case", [c for c in HOSTILE_TEXTS if c != "empty"])
def test_slack_answers_hostile_text_in_french(slack, domain, case):
    channel = new_id("D")
    slack.deliver(envelope(user_message(HOSTILE_TEXTS[case], channel, new_id("U"), kind="message")))
    assert_french([slack.wait_answers(channel)[0]["text"]], domain)
