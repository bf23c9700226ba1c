"""REST and socket.io channels that check every request before Rasa sees it.

credentials.yml:  rasa_server.channels.web.RestChannel / rasa_server.channels.web.SocketIOChannel
Bad requests get HTTP 4xx with a French JSON error (REST) or a French bot message (socket.io);
`input_channel` cannot be forged, and socket.io only accepts the CORS_ORIGINS origins.
"""
from __future__ import annotations

import json
import logging
import os
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

import yaml
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from backoffice_career.settings import ROOT

logger = logging.getLogger(__name__)

RULES_FILE = ROOT / "data" / "channels.yml"
CORS_ENV = "CORS_ORIGINS"


@lru_cache(maxsize=1)
def rules() -> Dict[Text, Any]:
    with open(RULES_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def cors_origins() -> List[Text]:
    """Allowed browser origins: CORS_ORIGINS (comma- or space-separated), else data/channels.yml."""
    raw = os.environ.get(CORS_ENV, "")
    origins = [o for o in raw.replace(",", " ").split() if o]
    return origins or list(rules()["default_cors_origins"])


class RequestError(Exception):
    def __init__(self, status: int, code: Text) -> None:
        super().__init__(code)
        self.status = status
        self.code = code


def valid_sender(sender: Any) -> Text:
    if sender is None or sender == "":
        raise RequestError(400, "missing_sender")
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if (
        not isinstance(sender, str)
        or not sender.strip()
        or len(sender) > int(rules()["max_sender_chars"])
        or any(unicodedata.category(ch)[0] == "C" for ch in sender)
    ):
        raise RequestError(400, "invalid_sender")
    return sender


def parse_rest_body(content_type: Optional[Text], body: bytes) -> Tuple[Text, Text, Optional[Dict]]:
    """(sender, message, metadata) of a REST request body, or RequestError."""
    if len(body) > int(rules()["max_body_bytes"]):
        raise RequestError(413, "body_too_large")
    if not body.strip():
        raise RequestError(400, "empty_body")
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        raise RequestError(415, "unsupported_media_type")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestError(400, "invalid_encoding") from None
    try:
        payload = json.loads(text)
    except ValueError:
        raise RequestError(400, "invalid_json") from None
    if not isinstance(payload, dict):
        raise RequestError(400, "not_an_object")
    sender = valid_sender(payload.get("sender"))
    message = payload.get("message")
    if not isinstance(message, str):
        raise RequestError(400, "missing_message")
    metadata = payload.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise RequestError(400, "invalid_metadata")
    return sender, message, metadata


def error_response(error: RequestError) -> HTTPResponse:
    return response.json(
        {"error": error.code, "message": rules()["errors"][error.code]}, status=error.status
    )


class RestChannel(RestInput):
    """Rasa's REST channel (same URL, same replies) with request validation."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                sender, text, metadata = parse_rest_body(request.headers.get("content-type"), request.body)
            except RequestError as error:
                logger.info("REST request refused: %s", error.code)
                return error_response(error)
            collector = CollectingOutputChannel()
            await on_new_message(
                UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata)
            )
            return response.json(collector.messages)

        return webhook


class SocketIOChannel(SocketIOInput):
    """Rasa's socket.io channel with payload validation and restricted CORS origins."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        sio = webhook.ctx.sio
        # Origins are checked at connection time: engine.io's own CORS headers would clash with
        # sanic-cors (Rasa disables them).
        allowed = set(cors_origins())
        connect = sio.handlers[self.namespace or "/"]["connect"]

        async def checked_connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if origin and origin not in allowed:
                logger.info("socket.io connection refused from origin %s", origin)
                return False
            return await connect(sid, environ, auth)

        sio.on("connect", checked_connect, namespace=self.namespace)
        # Large enough for a 1 MB message to reach the check below and get a French refusal.
        sio.eio.max_http_buffer_size = 2 * 1024 * 1024
        namespace = self.namespace or "/"
        handle_message = sio.handlers[namespace][self.user_message_evt]
        session_request = sio.handlers[namespace]["session_request"]

        async def refuse(sid: Text, reason: Text) -> None:
            logger.info("socket.io message refused: %s", reason)
            await sio.emit(self.bot_message_evt, {"text": rules()["errors"]["invalid_socket_message"]}, room=sid)

        async def checked_message(sid: Text, data: Any) -> None:
            if not isinstance(data, dict):
                return await refuse(sid, "not an object")
            message = data.get("message", "")
            if not isinstance(message, str) or len(message.encode("utf-8", "replace")) > int(rules()["max_body_bytes"]):
                return await refuse(sid, "message missing, not a text or too large")
            metadata = data.get(self.metadata_key)
            if metadata is not None and not isinstance(metadata, (dict, str)):
                return await refuse(sid, "bad metadata")
            if isinstance(metadata, str):
                try:
                    if not isinstance(json.loads(metadata), dict):
                        raise ValueError
                except ValueError:
                    return await refuse(sid, "bad metadata")
            if self.session_persistence:
                try:
                    valid_sender(data.get("session_id"))
                except RequestError:
                    return await refuse(sid, "bad session id")
            return await handle_message(sid, data)

        async def checked_session_request(sid: Text, data: Any) -> None:
            if data is not None and not isinstance(data, dict):
                data = None
            if data and data.get("session_id") is not None:
                try:
                    valid_sender(data["session_id"])
                except RequestError:
                    data = None  # a fresh session instead of a forged or huge id
            return await session_request(sid, data)

        sio.on(self.user_message_evt, checked_message, namespace=self.namespace)
        sio.on("session_request", checked_session_request, namespace=self.namespace)
        return webhook
