"""Rasa's REST channel (same URL, same replies) with request checks: bad requests get HTTP 4xx with a French
JSON error, and `input_channel` cannot be forged.

credentials.yml: rasa_server.channels.rest.RestChannel
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_server.channels.checks import RequestError, error_response, parse_rest_body

logger = logging.getLogger(__name__)


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
