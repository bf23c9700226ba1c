"""Safeguards for the Rasa server: a short custom-action timeout and French apologies on failure.

Rasa 3.6 waits up to 300 s for the action server and then says nothing, and when the tracker
store fails it carries on with an empty in-memory conversation that is never stored. `install()`
(called by rasa_server/__main__.py before Rasa starts) makes a failed or slow custom action answer
`utter_action_unavailable`, and a message that cannot be handled or stored (tracker store down,
...) answer `utter_technical_problem`. It also validates action responses with a schema
validator built once, looks event classes up in a table, and lets messages through in arrival
order, MAX_CONCURRENT_MESSAGES at a time (FifoGate).
"""
from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from typing import Any, Dict, List, Optional, Text

from backoffice_career.settings import env_count

logger = logging.getLogger(__name__)

ACTION_TIMEOUT_ENV = "ACTION_TIMEOUT"
DEFAULT_ACTION_TIMEOUT = 1.5  # seconds: the apology must reach the user within 2 s
ACTION_UNAVAILABLE_RESPONSE = "utter_action_unavailable"
TECHNICAL_PROBLEM_RESPONSE = "utter_technical_problem"

# Erasure deletes rows on the action server: cut short, the Rasa server would write the erased
# conversation back, so it gets more time.
ACTION_TIMEOUT_OVERRIDES = {"action_erase_my_data": 10.0}

# Messages processed at once by one server; the others wait in arrival order (0: no limit).
CONCURRENCY_ENV = "MAX_CONCURRENT_MESSAGES"
DEFAULT_CONCURRENCY = 2

_installed = False


def concurrency() -> int:
    return env_count(CONCURRENCY_ENV, DEFAULT_CONCURRENCY)


class FifoGate:
    """At most `limit` holders at once; waiters get in strictly in arrival order.

    Under load, interleaving every message's steps on the single event loop makes a message
    with several steps (NLU, custom actions, storage) wait behind all the others at each step.
    """

    def __init__(self, limit: int):
        self.limit = limit
        self.active = 0
        self.waiters: deque = deque()

    async def __aenter__(self) -> None:
        if self.active < self.limit and not self.waiters:
            self.active += 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            await waiter  # the slot is handed over by _release
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release()
            elif waiter in self.waiters:
                self.waiters.remove(waiter)
            raise

    async def __aexit__(self, *_exc) -> None:
        self._release()

    def _release(self) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.active -= 1


def action_timeout() -> float:
    try:
        value = float(os.environ.get(ACTION_TIMEOUT_ENV, DEFAULT_ACTION_TIMEOUT))
    except ValueError:
        value = DEFAULT_ACTION_TIMEOUT
    return value if value > 0 else DEFAULT_ACTION_TIMEOUT


def response_text(domain: Any, name: Text) -> Optional[Text]:
    """The first text variant of a domain response."""
    variants = (getattr(domain, "responses", None) or {}).get(name) or []
    return variants[0].get("text") if variants else None


def install_event_lookup() -> None:
    """Rasa finds an event's class by walking every Event subclass, for each event it reads
    (~30 µs each: 1.8 ms to rebuild a 60-event conversation); a table built once gives the
    same class. Unknown names still go through Rasa's own lookup."""
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    original = Event.resolve_by_type
    if getattr(original, "table", None) is not None:
        return
    table: Dict[Text, Any] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)  # Rasa returns the first match

    def resolve_by_type(type_name, default=None):
        found = table.get(type_name)
        return found if found is not None else original(type_name, default)

    resolve_by_type.table = table
    Event.resolve_by_type = staticmethod(resolve_by_type)


def install() -> None:
    """Patches Rasa's remote-action call and message handling (idempotent)."""
    global _installed
    if _installed:
        return
    from rasa.core.actions import action as action_module
    from rasa.core.processor import MessageProcessor
    from rasa.core.tracker_store import FailSafeTrackerStore

    original_run = action_module.RemoteAction.run
    original_handle = MessageProcessor.handle_message
    limit = concurrency()
    gates: Dict[Any, FifoGate] = {}  # one per event loop

    async def run(self, output_channel, nlg, tracker, domain) -> List[Any]:
        timeout = max(action_timeout(), ACTION_TIMEOUT_OVERRIDES.get(self.name(), 0.0))
        try:
            return await asyncio.wait_for(original_run(self, output_channel, nlg, tracker, domain), timeout)
        except action_module.ActionExecutionRejection:
            raise
        except asyncio.CancelledError:
            raise
        except asyncio.TimeoutError:
            logger.error("custom action %s: no answer from the action server within %.1f s", self.name(), timeout)
        except Exception as exc:  # noqa: BLE001 - any failure gets the apology
            logger.error("custom action %s failed: %s", self.name(), exc)
        apology = await nlg.generate(ACTION_UNAVAILABLE_RESPONSE, tracker, output_channel.name())
        if not apology:
            return []
        return [action_module.create_bot_utterance(apology)]

    async def handle_message(self, message) -> Optional[List[Dict[Text, Any]]]:
        try:
            if not limit:
                return await original_handle(self, message)
            loop = asyncio.get_running_loop()
            gate = gates.get(loop) or gates.setdefault(loop, FifoGate(limit))
            async with gate:
                return await original_handle(self, message)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the user must not be left in silence
            logger.error(
                "message from sender %r could not be handled (%s: %s); the user got an apology",
                message.sender_id, type(exc).__name__, exc,
            )
            text = response_text(self.domain, TECHNICAL_PROBLEM_RESPONSE)
            output = message.output_channel
            if text and output is not None:
                try:
                    await output.send_text_message(message.sender_id, text)
                except Exception:  # noqa: BLE001
                    logger.exception("could not send the apology")
            return getattr(output, "messages", None)

    # No silent fallback to an empty in-memory conversation: the error reaches handle_message.
    async def retrieve(self, sender_id):
        return await self._tracker_store.retrieve(sender_id)

    async def retrieve_full_tracker(self, sender_id):
        return await self._tracker_store.retrieve_full_tracker(sender_id)

    async def save(self, tracker) -> None:
        await self._tracker_store.save(tracker)

    # Rasa re-checks the whole response schema itself on every action call (~15 ms of the
    # event loop); a validator built once gives the same verdict in ~0.2 ms.
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for

    schema = action_module.RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def validate_action_result(self, result: Dict[Text, Any]) -> bool:
        try:
            validator.validate(result)
        except ValidationError as error:
            error.message += ". Failed to validate Action server response from API."
            raise
        return True

    action_module.RemoteAction._validate_action_result = validate_action_result
    install_event_lookup()
    FailSafeTrackerStore.retrieve = retrieve
    FailSafeTrackerStore.retrieve_full_tracker = retrieve_full_tracker
    FailSafeTrackerStore.save = save
    action_module.RemoteAction.run = run
    MessageProcessor.handle_message = handle_message
    _installed = True
