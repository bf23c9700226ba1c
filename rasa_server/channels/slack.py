"""Slack channel: Rasa's Slack connector (rasa.core.channels.slack), made strict.

Configured from the environment (SLACK_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL, SLACK_CHANNEL,
see backoffice_career/settings.py); a key given in credentials.yml wins. Without token and secret the
channel is disabled (its webhook answers 503), so the bot also runs without Slack.

Differences from Rasa's SlackInput:
- a missing, bad or stale signature gets 401 (Rasa: 400);
- url_verification is answered with {"challenge": ...};
- answers go to the thread of a channel message, and plainly to a direct message;
- messages of bots (its own included) and message subtypes (edits, joins…) are ignored;
- every event is acknowledged at once and answered in a background task;
- a Slack retry or a second event for the same message (same event_id, client_msg_id or
  channel and ts) is acknowledged and never answered twice;
- an answer is posted as one message; the API base URL is configurable;
- conversations are "slack:<user id>" (rasa_server/channels/identity.py).
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from backoffice_career.settings import SLACK_API_URL, load_settings
from rasa_server.channels.checks import RequestError, valid_sender
from rasa_server.channels.checks import rules as channel_rules
from rasa_server.channels.identity import SLACK, conversation_id

logger = logging.getLogger(__name__)


class RedisRecentKeys:
    """The same memory in Redis, shared by every worker and replica (SLACK_DEDUPE_REDIS_URL)."""

    def __init__(self, url: str, ttl_seconds: int = 24 * 3600, prefix: str = "slack-seen:") -> None:
        import redis

        self._red = redis.Redis.from_url(url, socket_timeout=2)
        self._ttl = ttl_seconds
        self._prefix = prefix
        self._fallback = RecentKeys()

    def first_time(self, keys: Iterable[str | None]) -> bool:
        present = [str(key) for key in keys if key]
        try:
            pipe = self._red.pipeline()
            for key in present:
                pipe.set(self._prefix + key, 1, nx=True, ex=self._ttl)
            created = pipe.execute()
        except Exception as exc:  # noqa: BLE001 - Redis down: this process's memory still helps
            logger.error("Slack de-duplication: Redis unavailable (%s); using this process's memory", exc)
            return self._fallback.first_time(present)
        self._fallback.first_time(present)
        return all(created)


class RecentKeys:
    """Remembers the last `size` keys seen (event ids, message ids)."""

    def __init__(self, size: int = 10_000) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def first_time(self, keys: Iterable[str | None]) -> bool:
        """Records the keys; False when one of them was seen before."""
        present = [str(key) for key in keys if key]
        new = not any(key in self._keys for key in present)
        for key in present:
            self._keys[key] = None
            self._keys.move_to_end(key)
        while len(self._keys) > self._size:
            self._keys.popitem(last=False)
        return new


class SlackReplier(SlackBot):
    """Posts answers through the Slack Web API at a configurable base URL."""

    def __init__(self, token: str, channel: str | None, thread_id: str | None,
                 proxy: str | None, api_url: str) -> None:
        super().__init__(token, channel, thread_id, proxy)
        self.client = AsyncWebClient(token, base_url=api_url, proxy=proxy)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        # One message per response (Rasa splits on blank lines), so the source stays with the answer.
        await self._post_message(channel=self.slack_channel or recipient_id, text=text.strip())


class SlackChannel(SlackInput):
    """Slack Events API input channel, at /webhooks/slack/webhook."""

    @classmethod
    def name(cls) -> str:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SlackChannel:
        credentials = credentials or {}
        settings = load_settings()
        return cls(
            slack_token=credentials.get("slack_token") or settings.slack_token,
            slack_signing_secret=credentials.get("slack_signing_secret") or settings.slack_signing_secret,
            slack_channel=credentials.get("slack_channel") or settings.slack_channel,
            api_url=credentials.get("slack_api_url") or settings.slack_api_url,
            proxy=credentials.get("proxy"),
            conversation_granularity=credentials.get("conversation_granularity", "sender"),
        )

    def __init__(self, slack_token: str, slack_signing_secret: str,
                 slack_channel: str | None = None, api_url: str = SLACK_API_URL,
                 proxy: str | None = None, conversation_granularity: str = "sender") -> None:
        self.enabled = bool(slack_token and slack_signing_secret)
        self.api_url = api_url
        dedupe_url = load_settings().slack_dedupe_redis_url
        self.recent = RedisRecentKeys(dedupe_url) if dedupe_url else RecentKeys()
        super().__init__(
            slack_token, slack_channel, proxy, use_threads=True,
            slack_signing_secret=slack_signing_secret,
            conversation_granularity=conversation_granularity,
        )

    def _validate_credentials(self) -> None:
        # Rasa refuses to start without a signing secret; we disable the channel instead.
        if not self.enabled:
            logger.info("Slack channel disabled: SLACK_TOKEN and SLACK_SIGNING_SECRET are not set.")

    @staticmethod
    def _bot_users(payload: dict[str, Any]) -> list[str]:
        """The bot's own user ids, as Slack lists them in the event envelope."""
        users = list(payload.get("authed_users") or [])
        users += [a.get("user_id") for a in payload.get("authorizations") or [] if isinstance(a, dict)]
        return [user for user in users if user]

    def _is_user_message(self, payload: dict[str, Any]) -> bool:
        event = payload["event"]
        return (
            event.get("type") in ("message", "app_mention")
            and all(isinstance(event.get(key), str) and event[key] for key in ("text", "user", "channel"))
            and not event.get("bot_id")
            and not event.get("subtype")
            and event["user"] not in self._bot_users(payload)
        )

    @staticmethod
    def _thread_of(event: dict[str, Any]) -> str | None:
        """Thread of the answer: the message's thread, or the message itself outside DMs."""
        if event.get("thread_ts"):
            return event["thread_ts"]
        return None if event.get("channel_type") == "im" else event.get("ts")

    def _get_conversation_id(self, sender_id: str | None, channel_id: str | None,
                             thread_id: str | None) -> str | None:
        """"slack:<user>" (granularity "sender"): no other channel reaches a Slack user's conversation.
        Replies go to the Slack channel of the message (get_output_channel), never to this id."""
        conversation = super()._get_conversation_id(sender_id, channel_id, thread_id)
        return conversation_id(SLACK, conversation) if conversation else None

    def get_output_channel(self, channel: str | None = None,
                           thread_id: str | None = None) -> OutputChannel:
        return SlackReplier(self.slack_token, channel or self.slack_channel, thread_id,
                            self.proxy, self.api_url)

    def _start(self, on_new_message: Callable[[UserMessage], Awaitable[Any]],
               message: UserMessage) -> None:
        task = asyncio.ensure_future(on_new_message(message))
        self._background_tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task) -> None:
        self._background_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("Slack message failed", exc_info=task.exception())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        slack_webhook = Blueprint("slack_webhook", __name__)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "disabled"})

        @slack_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if len(request.body or b"") > int(channel_rules()["max_body_bytes"]):
                return response.text("Request body too large.", status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            if not self.enabled:
                return response.text(
                    "Slack channel disabled: set SLACK_TOKEN and SLACK_SIGNING_SECRET.",
                    status=HTTPStatus.SERVICE_UNAVAILABLE,
                )
            if not self.is_request_from_slack_authentic(request):
                return response.text("Missing, invalid or stale Slack signature.",
                                     status=HTTPStatus.UNAUTHORIZED)
            if (request.content_type or "").startswith("application/x-www-form-urlencoded"):
                return self._handle_interaction(request, on_new_message)
            try:
                payload = json.loads(request.body)
            except ValueError:
                payload = None
            if not isinstance(payload, dict):
                return response.text("Expected a JSON object (Slack Events API).",
                                     status=HTTPStatus.BAD_REQUEST)
            if payload.get("type") == "url_verification":
                return response.json({"challenge": payload.get("challenge", "")})
            return self._handle_event(request, payload, on_new_message)

        return slack_webhook

    def _handle_interaction(self, request: Request,
                            on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        """A click on a button of the bot's message (Slack interactivity): its payload is the user's
        next message, answered in the same channel and thread."""
        try:
            form = parse_qs(request.body.decode("utf-8"), strict_parsing=True)
            payload = json.loads(form["payload"][0])
            action = payload["actions"][0]
            user, channel = payload["user"]["id"], payload["channel"]["id"]
            valid_sender(user)
            valid_sender(channel)
        except (ValueError, KeyError, IndexError, TypeError, RequestError):
            return response.text("Expected a Slack interactivity payload.", status=HTTPStatus.BAD_REQUEST)
        if payload.get("type") != "block_actions" or action.get("type") != "button" or not isinstance(
            action.get("value"), str
        ):
            return response.text("Ignored: not a button with a value.")
        message = payload.get("message") or {}
        thread = message.get("thread_ts") or (None if channel.startswith("D") else message.get("ts"))
        if not self.recent.first_time((payload.get("trigger_id"), f"{channel}/{action.get('action_ts')}")):
            return response.text("Already handled.", headers={"X-Slack-No-Retry": "1"})
        metadata = {"out_channel": channel, "thread_id": thread, "users": []}
        self._start(on_new_message, UserMessage(
            action["value"], self.get_output_channel(channel, thread),
            self._get_conversation_id(user, channel, thread), input_channel=self.name(), metadata=metadata,
        ))
        return response.text("")

    def _handle_event(self, request: Request, payload: dict[str, Any],
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        event = payload.get("event")
        if payload.get("type") != "event_callback" or not isinstance(event, dict):
            return response.text("Ignored: not an event.")
        channel = event.get("channel")
        bot_users = self._bot_users(payload)
        thread_id = self._thread_of(event)
        metadata = {"out_channel": channel, "thread_id": thread_id, "users": bot_users}
        if not self._is_user_message(payload) or not self._is_supported_channel(payload, metadata):
            return response.text("Ignored: not a user message for the bot.")
        ts = event.get("ts")
        keys = (payload.get("event_id"), event.get("client_msg_id"), ts and f"{channel}/{ts}")
        if not self.recent.first_time(keys):
            logger.info("Slack event %s already handled (retry %s, reason %s); not answered again.",
                        payload.get("event_id"), request.headers.get("X-Slack-Retry-Num"),
                        request.headers.get("X-Slack-Retry-Reason"))
            return response.text("Already handled.", headers={"X-Slack-No-Retry": "1"})
        try:
            valid_sender(event["user"])
            valid_sender(channel)
        except RequestError:
            return response.text("Invalid user or channel id.", status=HTTPStatus.BAD_REQUEST)
        sender = self._get_conversation_id(event["user"], channel, thread_id)
        message = UserMessage(
            self._sanitize_user_message(event["text"], bot_users),
            self.get_output_channel(channel, thread_id),
            sender,
            input_channel=self.name(),
            metadata=metadata,
        )
        self._start(on_new_message, message)
        return response.text("")
