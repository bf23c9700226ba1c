"""Patch: a message that cannot be handled or stored gets a French apology, not silence."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from backoffice_career.names import UTTER_TECHNICAL_PROBLEM
from rasa_server.patches.guard import Replacement, rasa_patch

logger = logging.getLogger(__name__)

TECHNICAL_PROBLEM_RESPONSE = UTTER_TECHNICAL_PROBLEM


def response_text(domain: Any, name: str) -> str | None:
    """The first text variant of a domain response."""
    variants = (getattr(domain, "responses", None) or {}).get(name) or []
    return variants[0].get("text") if variants else None


async def apologise(processor: Any, message: Any) -> Any:
    text = response_text(processor.domain, TECHNICAL_PROBLEM_RESPONSE)
    output = message.output_channel
    if text and output is not None:
        try:
            await output.send_text_message(message.sender_id, text)
        except Exception:  # noqa: BLE001
            logger.exception("could not send the apology")
    return getattr(output, "messages", None)


def apologising(original_handle: Callable[..., Any]) -> Callable[..., Any]:
    async def handle_message(self: Any, message: Any) -> Any:
        try:
            return await original_handle(self, message)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the user must not be left in silence
            logger.error(
                "message from sender %r could not be handled (%s: %s); the user got an apology",
                message.sender_id, type(exc).__name__, exc,
            )
            return await apologise(self, message)

    return handle_message


@rasa_patch(written_for="3.6.21")
def install() -> list[Replacement]:
    """MessageProcessor.handle_message: any error ends in `utter_technical_problem`, sent to the user.

    Rasa 3.6 lets an error of the message handling (tracker store down, since tracker_store_faults
    removed the silent fallback; a policy or NLU failure...) reach the channel: REST answers 500,
    socket.io and Slack say nothing. Here the user gets the French apology of domain.yml through
    the message's own output channel, and the error is logged. Installed after fifo_gate, so that
    it also covers a message's wait for its turn.
    """
    from rasa.core.processor import MessageProcessor

    return [(MessageProcessor, "handle_message", apologising(MessageProcessor.handle_message))]
