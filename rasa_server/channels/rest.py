"""Rasa's REST channel (same URL, same replies) for trusted callers, with request checks: bad requests get
HTTP 4xx with a French JSON error, `input_channel` cannot be forged, and when REST_TOKEN is set a call
without `Authorization: Bearer <token>` (or `?token=`) gets 401.

The conversation of a sender is "rest:<sender>" (rasa_server/channels/identity.py): no REST sender reaches
a web or Slack conversation. Replies carry the sender as it was sent.

credentials.yml: rasa_server.channels.rest.RestChannel
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from backoffice_career.review.delivery import notices_for
from backoffice_career.settings import load_settings
from rasa_server.channels.checks import RequestError, error_response, parse_rest_body
from rasa_server.channels.identity import REST, bearer_token_matches, conversation_id

logger = logging.getLogger(__name__)


class RestChannel(RestInput):
    """Rasa's REST channel (same URL, same replies) with request validation and an optional token."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)
        token = load_settings().rest_token

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                if token and not bearer_token_matches(
                    token, request.headers.get("authorization"), request.args.get("token")
                ):
                    raise RequestError(401, "unauthorized")
                sender, text, metadata = parse_rest_body(request.headers.get("content-type"), request.body)
            except RequestError as error:
                logger.info("REST request refused: %s", error.code)
                return error_response(error)
            collector = CollectingOutputChannel()
            conversation = conversation_id(REST, sender)
            await on_new_message(UserMessage(
                text, collector, conversation, input_channel=self.name(), metadata=metadata
            ))
            # HR's answers to the sender's earlier questions come first (backoffice_career/review/delivery.py).
            notices = [{"text": notice} for notice in await asyncio.to_thread(notices_for, conversation)]
            messages = notices + collector.messages
            return response.json([{**message, "recipient_id": sender} for message in messages])

        return webhook
