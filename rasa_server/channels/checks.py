"""Request checks shared by the channels: limits and French errors of data/channels.yml, allowed origins."""
from __future__ import annotations

import json
import logging
import unicodedata
from typing import Any

from sanic import response
from sanic.response import HTTPResponse

from backoffice_career.resources import CHANNELS, load_yaml
from backoffice_career.settings import Settings, load_settings

logger = logging.getLogger(__name__)


def rules() -> dict[str, Any]:
    return load_yaml(CHANNELS)


def cors_origins(settings: Settings | None = None) -> list[str]:
    """Allowed browser origins: CORS_ORIGINS (comma- or space-separated), else data/channels.yml (read at start-up)."""
    return (settings or load_settings()).cors_origin_list or list(rules()["default_cors_origins"])


class RequestError(Exception):
    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code


def valid_sender(sender: Any) -> str:
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


def parse_rest_body(content_type: str | None, body: bytes) -> tuple[str, str, dict | None]:
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


def socket_message_problem(data: Any, metadata_key: str) -> str | None:
    """Why a socket.io `user_uttered` payload is refused, or None when it is acceptable. Its `session_id`
    is never used (the socket's session says who speaks) but must be well formed when present."""
    if not isinstance(data, dict):
        return "not an object"
    message = data.get("message", "")
    if not isinstance(message, str) or len(message.encode("utf-8", "replace")) > int(rules()["max_body_bytes"]):
        return "message missing, not a text or too large"
    metadata = data.get(metadata_key)
    if metadata is not None and not isinstance(metadata, (dict, str)):
        return "bad metadata"
    if isinstance(metadata, str):
        try:
            if not isinstance(json.loads(metadata), dict):
                return "bad metadata"
        except ValueError:
            return "bad metadata"
    if data.get("session_id") is not None:
        try:
            valid_sender(data["session_id"])
        except RequestError:
            return "bad session id"
    return None
