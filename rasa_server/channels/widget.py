"""The widget's channel: Rasa's socket.io channel where the server owns the conversation identity, with
payload checks (a refused payload gets a French bot message) and only the CORS_ORIGINS origins accepted.

Identity (rasa_server/channels/identity.py): at `session_request` the server verifies the signed session id
the widget sends (rasa-webchat keeps it across reloads); an unsigned, foreign or forged one is replaced by a
fresh signed id. The conversation ("web:<id>") is saved in the socket's session before the socket enters its
room, and `user_uttered` takes its sender from there, never from the message's `session_id`.

credentials.yml: rasa_server.channels.widget.SocketIOChannel
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint
from socketio import AsyncServer

from backoffice_career.review.delivery import notices_for
from backoffice_career.settings import load_settings
from rasa_server.channels.checks import cors_origins, rules, socket_message_problem
from rasa_server.channels.identity import WEB, SessionSigner, conversation_id, session_key

logger = logging.getLogger(__name__)


class SocketIOChannel(SocketIOInput):
    """Rasa's socket.io channel with server-issued session ids, payload validation and restricted origins."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        self.session_persistence = True  # conversations are the server-issued ids, whatever credentials.yml says
        webhook = super().blueprint(on_new_message)
        sio: AsyncServer = webhook.ctx.sio
        namespace = self.namespace or "/"
        # Large enough for a 1 MB message to reach the check below and get a French refusal; the HTTP
        # server refuses larger bodies before reading them (REQUEST_MAX_SIZE, set by the launcher).
        sio.eio.max_http_buffer_size = int(rules()["max_request_bytes"])
        self._check_origins(sio, namespace)
        self._own_sessions(sio, namespace, SessionSigner(session_key(load_settings())))
        self._check_messages(sio, namespace, sio.handlers[namespace][self.user_message_evt])
        return webhook

    def _check_origins(self, sio: AsyncServer, namespace: str) -> None:
        # Origins are checked at connection time: engine.io's own CORS headers would clash with
        # sanic-cors (Rasa disables them).
        allowed = set(cors_origins())
        connect = sio.handlers[namespace]["connect"]

        async def checked_connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if origin and origin not in allowed:
                logger.info("socket.io connection refused from origin %s", origin)
                return False
            return await connect(sid, environ, auth)

        sio.on("connect", checked_connect, namespace=namespace)

    def _own_sessions(self, sio: AsyncServer, namespace: str, signer: SessionSigner) -> None:
        async def session_request(sid: str, data: Any) -> None:
            signed = data.get("session_id") if isinstance(data, dict) else None
            session_id = signer.verify(signed)
            if session_id is None:
                if signed is not None:
                    logger.info("socket.io session id not issued here: a fresh conversation instead")
                signed, session_id = signer.issue()
            sender = conversation_id(WEB, session_id)
            previous = (await sio.get_session(sid, namespace=namespace)).get("sender")
            if previous and previous != sender:
                sio.leave_room(sid, previous, namespace=namespace)
            await sio.save_session(sid, {"sender": sender}, namespace=namespace)
            sio.enter_room(sid, sender, namespace=namespace)
            await sio.emit("session_confirm", signed, room=sid, namespace=namespace)
            await self._hand_over_notices(sio, sid, sender, namespace)

        sio.on("session_request", session_request, namespace=namespace)

    async def _hand_over_notices(self, sio: AsyncServer, sid: str, sender: str, namespace: str) -> None:
        """HR's answers to the visitor's earlier questions (backoffice_career/review/delivery.py), once."""
        for text in await asyncio.to_thread(notices_for, sender):
            await sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=namespace)

    def _check_messages(self, sio: AsyncServer, namespace: str, handle_message: Callable) -> None:
        async def refuse(sid: str, reason: str) -> None:
            logger.info("socket.io message refused: %s", reason)
            await sio.emit(self.bot_message_evt, {"text": rules()["errors"]["invalid_socket_message"]}, room=sid)

        async def checked_message(sid: str, data: Any) -> None:
            problem = socket_message_problem(data, self.metadata_key)
            if problem:
                return await refuse(sid, problem)
            sender = (await sio.get_session(sid, namespace=namespace)).get("sender")
            if sender is None:
                return await refuse(sid, "no session_request before the message")
            await self._hand_over_notices(sio, sid, sender, namespace)
            # Rasa's handler routes by `session_id`: it gets the socket's own conversation.
            return await handle_message(sid, {**data, "session_id": sender})

        sio.on(self.user_message_evt, checked_message, namespace=namespace)
