"""A local stand-in for Slack's Web API (https://slack.com/api/<method>) on loopback."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

BOT_USER = "U0BOTCARR1"
# What the e2e bot is configured with.
SLACK_TOKEN = "xoxb-test-token"
SLACK_SIGNING_SECRET = "test-signing-secret"
SLACK_CHANNEL = "C0DEDICATED"  # the channel where the bot answers every message
BOT_ID = "B0BOTCARR1"


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    token: str
    received: float = field(default_factory=time.monotonic)


class FakeSlack:
    """Records every Web API call; answers chat.postMessage, auth.test and the rest with ok."""

    def __init__(self, token: str):
        self.token = token
        self.calls: list[Call] = []
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.api_url = f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    def start(self) -> FakeSlack:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def posts(self, predicate: Callable[[dict[str, Any]], bool] = lambda body: True) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.method == "chat.postMessage" and predicate(c.body)]

    def wait_for_posts(self, predicate, count: int = 1, timeout: float = 60) -> list[Call]:
        """The posts matching `predicate`, once there are at least `count` of them."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(found := self.posts(predicate)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(found)} of {count} expected Slack posts after {timeout}s")
                self._changed.wait(left)
            return found

    def _record(self, call: Call) -> dict[str, Any]:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        if call.token != self.token:
            return {"ok": False, "error": "invalid_auth"}
        if call.method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": BOT_ID, "team_id": "T0TEST"}
        if call.method == "chat.postMessage":
            ts = f"{time.time():.6f}"
            return {"ok": True, "channel": call.body.get("channel"), "ts": ts,
                    "message": dict(call.body, ts=ts, bot_id=BOT_ID, user=BOT_USER)}
        return {"ok": True}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    body = json.loads(raw or "{}")
                else:
                    body = dict(parse_qsl(raw))
                token = self.headers.get("Authorization", "").removeprefix("Bearer ") or body.get("token", "")
                reply = fake._record(Call(self.path.rsplit("/", 1)[-1], body, token))
                data = json.dumps(reply).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler
