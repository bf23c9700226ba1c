"""Who a message comes from: conversation ids prefixed by channel, signed widget session ids, bearer tokens.

- Every channel prefixes its senders (`web:`, `rest:`, `slack:`), so that no channel reaches another
  channel's conversations: a REST sender "slack:U0123" is the conversation "rest:slack:U0123".
- The widget's session id is issued by the server: `<random id>.<HMAC-SHA256 of it>`. The HMAC key is
  SESSION_SECRET, or a key generated once into SESSION_SECRET_FILE (var/session_secret, mode 0600), so
  that every worker and restart accepts the ids issued before.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import uuid
from pathlib import Path

from backoffice_career.settings import Settings

logger = logging.getLogger(__name__)

WEB, REST, SLACK = "web", "rest", "slack"


def conversation_id(channel: str, sender: str) -> str:
    """The tracker's sender id of `sender` on `channel`."""
    return f"{channel}:{sender}"


def _read_or_create(path: Path) -> bytes:
    """The key in `path`, created (0600, never overwritten) when missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes().strip()
        if key:
            return key
        raise RuntimeError(f"{path} is empty: delete it (a new key is generated) or set SESSION_SECRET") from None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(secrets.token_hex(32).encode("ascii"))
    logger.info("session key generated into %s", path)
    return path.read_bytes().strip()


def session_key(settings: Settings) -> bytes:
    if settings.session_secret:
        return settings.session_secret.encode("utf-8")
    try:
        return _read_or_create(settings.session_secret_file)
    except OSError as error:
        raise RuntimeError(f"cannot read or create the session key ({error}): set SESSION_SECRET") from error


class SessionSigner:
    """Issues and verifies the widget's signed session ids."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _signature(self, session_id: str) -> str:
        return hmac.new(self._key, session_id.encode("ascii"), hashlib.sha256).hexdigest()

    def issue(self) -> tuple[str, str]:
        """(signed id for the client, session id)."""
        session_id = uuid.uuid4().hex
        return f"{session_id}.{self._signature(session_id)}", session_id

    def verify(self, signed: object) -> str | None:
        """The session id of a signed id issued with this key, else None."""
        if not isinstance(signed, str) or len(signed) > 200 or not signed.isascii():
            return None
        session_id, _, signature = signed.partition(".")
        if not session_id or not signature:
            return None
        return session_id if hmac.compare_digest(signature, self._signature(session_id)) else None


def bearer_token_matches(expected: str, authorization: str | None, query_token: str | None) -> bool:
    """True when `Authorization: Bearer <expected>` or `?token=<expected>` is given."""
    scheme, _, given = (authorization or "").partition(" ")
    candidates = [given.strip()] if scheme.lower() == "bearer" else []
    if query_token:
        candidates.append(query_token)
    return any(hmac.compare_digest(c.encode("utf-8"), expected.encode("utf-8")) for c in candidates)
