"""Signed Slack Events API payloads, and a client that posts them to the bot and reads its answers."""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid

import requests

from tests.helpers.fake_slack import BOT_USER, SLACK_SIGNING_SECRET

_ts = itertools.count(1)


def new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:10].upper()


def new_ts() -> str:
    return f"{int(time.time())}.{next(_ts):06d}"


def signed_headers(body: bytes, secret: str = SLACK_SIGNING_SECRET, timestamp: int | None = None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": f"v0={digest}",
    }


def envelope(event: dict, event_id: str | None = None) -> dict:
    """An Events API `event_callback` request body, as Slack sends it."""
    return {
        "token": "deprecated-verification-token",
        "team_id": "T0TEST",
        "api_app_id": "A0TEST",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or new_id("Ev"),
        "event_time": int(time.time()),
        "authorizations": [
            {"enterprise_id": None, "team_id": "T0TEST", "user_id": BOT_USER, "is_bot": True,
             "is_enterprise_install": False}
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-test",
    }


def user_message(text: str, channel: str, user: str, kind: str = "app_mention", **extra) -> dict:
    ts = new_ts()
    event = {"type": kind, "user": user, "text": text, "ts": ts, "channel": channel,
             "event_ts": ts, "team": "T0TEST", "client_msg_id": str(uuid.uuid4())}
    if kind == "message":
        event["channel_type"] = "im" if channel.startswith("D") else "channel"
    event.update(extra)
    return event


class Slack:
    """Posts signed events to the bot's Slack webhook and reads what the bot posted."""

    def __init__(self, bot, fake):
        self.url = f"{bot.url}/webhooks/slack/webhook"
        self.fake = fake
        self.kb = bot.kb

    def post(self, body: dict, headers: dict | None = None, raw: bytes | None = None):
        raw = json.dumps(body).encode() if raw is None else raw
        return requests.post(self.url, data=raw, headers=headers or signed_headers(raw), timeout=30)

    def deliver(self, body: dict, **headers):
        response = self.post(body, dict(signed_headers(json.dumps(body).encode()), **headers))
        assert response.status_code == 200, response.text
        return response

    def answers(self, channel: str, **match):
        return self.fake.posts(lambda b: b.get("channel") == channel and _matches(b, match))

    def wait_answers(self, channel: str, count: int = 1, **match):
        calls = self.fake.wait_for_posts(lambda b: b.get("channel") == channel and _matches(b, match), count)
        return [c.body for c in calls]

    def barrier(self, user: str) -> None:
        """Waits until the bot answered a new DM of `user`: whatever it would have done with that
        user's earlier events (handled one at a time, in order) is done by then."""
        channel = new_id("D")
        self.deliver(envelope(user_message("bonjour", channel, user, kind="message")))
        self.wait_answers(channel)


def _matches(body: dict, match: dict) -> bool:
    return all(body.get(key) == value for key, value in match.items())
