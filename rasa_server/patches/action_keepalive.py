"""Patch: the Rasa server's calls to the action server reuse their connections (HTTP keep-alive)."""
from __future__ import annotations

import asyncio
import atexit
import weakref
from collections.abc import Callable
from typing import Any

from rasa_server.patches.guard import Replacement, rasa_patch

__all__ = ["IDLE_SECONDS", "install"]

# An idle connection is dropped after this, before the action server drops it (Sanic's keep-alive
# timeout, 5 s): a request never goes out on a connection the server is closing.
IDLE_SECONDS = 2.0

_OPEN: weakref.WeakSet[Any] = weakref.WeakSet()  # sessions kept, closed at exit


class _Kept:
    """`async with` on a kept session: the session stays open afterwards."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *exc: object) -> None:
        return None


def _new_session(endpoint: Any, timeout: float) -> Any:
    import aiohttp

    auth = None
    if endpoint.basic_auth:
        auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=timeout),
        connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_SECONDS),
    )


def kept_session(original: Callable[[Any], Any], timeout: float) -> Callable[[Any], Any]:
    """EndpointConfig.session returning one open session per endpoint and event loop."""

    def session(self: Any) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return original(self)  # outside a loop: Rasa's own, closed after use
        sessions: dict[Any, Any] = self.__dict__.setdefault("_kept_sessions", weakref.WeakKeyDictionary())
        kept = sessions.get(loop)
        if kept is None or kept.closed:
            kept = sessions[loop] = _new_session(self, timeout)
            _OPEN.add(kept)
        return _Kept(kept)

    return session


@atexit.register
def _close_all() -> None:
    for session in list(_OPEN):
        if not session.closed and session.connector is not None:
            session.connector.close()  # synchronous: the sockets closed, no "unclosed session" warning


@rasa_patch(written_for="3.6.21")
def install() -> list[Replacement]:
    """EndpointConfig.session: one aiohttp session per endpoint and event loop, kept open.

    Rasa 3.6 opens a new session, hence a new TCP connection, for every custom action call and closes
    it after the answer; here the connection is reused while it is busy (idle ones close after
    IDLE_SECONDS). The request itself, its timeout and its errors are Rasa's.
    """
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
    from rasa.utils.endpoints import EndpointConfig

    return [(EndpointConfig, "session", kept_session(EndpointConfig.session, DEFAULT_REQUEST_TIMEOUT))]
