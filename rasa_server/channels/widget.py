"""The widget's channel: Rasa's socket.io channel with payload checks (a refused payload gets a French bot
message) and only the CORS_ORIGINS origins accepted.

credentials.yml: rasa_server.channels.widget.SocketIOChannel
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from rasa_server.channels.checks import RequestError, cors_origins, rules, socket_message_problem, valid_sender

logger = logging.getLogger(__name__)


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
            problem = socket_message_problem(data, self.metadata_key, bool(self.session_persistence))
            if problem:
                return await refuse(sid, problem)
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
