"""Patch: messages handled in arrival order, MAX_CONCURRENT_MESSAGES at a time."""
from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any

from backoffice_career.settings import DEFAULT_MAX_CONCURRENT_MESSAGES, load_settings
from rasa_server.patches.guard import Replacement, rasa_patch

DEFAULT_CONCURRENCY = DEFAULT_MAX_CONCURRENT_MESSAGES


def concurrency() -> int:
    """MAX_CONCURRENT_MESSAGES: messages one server handles at once; the others wait in arrival order (0: no limit)."""
    return load_settings().max_concurrent_messages


class FifoGate:
    """At most `limit` holders at once; waiters get in strictly in arrival order."""

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

    async def __aexit__(self, *_exc: Any) -> None:
        self._release()

    def _release(self) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.active -= 1


def gated(original_handle: Callable[..., Any], limit: int) -> Callable[..., Any]:
    """MessageProcessor.handle_message behind one FifoGate per event loop."""
    gates: dict[Any, FifoGate] = {}

    async def handle_message(self: Any, message: Any) -> Any:
        loop = asyncio.get_running_loop()
        gate = gates.get(loop) or gates.setdefault(loop, FifoGate(limit))
        async with gate:
            return await original_handle(self, message)

    return handle_message


@rasa_patch(written_for="3.6.21")
def install() -> list[Replacement]:
    """MessageProcessor.handle_message: at most MAX_CONCURRENT_MESSAGES (2) messages at once, in arrival order.

    Rasa 3.6 starts every incoming message at once and interleaves their steps on its single
    event loop: under load, a message with several steps (NLU, custom actions, storage) waits
    behind all the others at each step, and every answer comes late. Here the others wait their
    turn, first come first served. 0 keeps Rasa's behaviour (no replacement).
    """
    from rasa.core.processor import MessageProcessor

    limit = concurrency()
    if not limit:
        return []
    return [(MessageProcessor, "handle_message", gated(MessageProcessor.handle_message, limit))]
