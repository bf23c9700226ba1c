"""rasa_server/patches/fifo_gate.py: messages handled in arrival order, MAX_CONCURRENT_MESSAGES at a time."""
from __future__ import annotations

import asyncio

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import InMemoryTrackerStore

from rasa_server.patches import fifo_gate


async def test_the_gate_admits_at_most_its_limit_in_arrival_order():
    gate, entered, inside, peak = fifo_gate.FifoGate(2), [], [0], [0]

    async def message(n):
        async with gate:
            entered.append(n)
            inside[0] += 1
            peak[0] = max(peak[0], inside[0])
            await asyncio.sleep(0.01 * (n % 3))
            inside[0] -= 1

    await asyncio.gather(*(message(n) for n in range(12)))
    assert entered == list(range(12)) and peak[0] == 2
    assert gate.active == 0 and not gate.waiters


async def test_a_cancelled_waiter_gives_its_turn_to_the_next():
    gate, order = fifo_gate.FifoGate(1), []
    release = asyncio.Event()

    async def holder():
        async with gate:
            await release.wait()

    async def waiter(n):
        async with gate:
            order.append(n)

    first = asyncio.ensure_future(holder())
    await asyncio.sleep(0)
    second, third = asyncio.ensure_future(waiter(2)), asyncio.ensure_future(waiter(3))
    await asyncio.sleep(0)
    second.cancel()
    release.set()
    await asyncio.gather(first, third)
    assert order == [3] and gate.active == 0 and not gate.waiters


def test_the_gate_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("MAX_CONCURRENT_MESSAGES", "5")
    assert fifo_gate.concurrency() == 5
    monkeypatch.setenv("MAX_CONCURRENT_MESSAGES", "0")
    assert fifo_gate.concurrency() == 0  # no limit
    monkeypatch.setenv("MAX_CONCURRENT_MESSAGES", "x")
    assert fifo_gate.concurrency() == fifo_gate.DEFAULT_CONCURRENCY


async def test_a_waiter_cancelled_just_after_getting_its_turn_passes_it_on():
    gate, order = fifo_gate.FifoGate(1), []

    async def waiter(n):
        async with gate:
            order.append(n)

    await gate.__aenter__()
    second, third = asyncio.ensure_future(waiter(2)), asyncio.ensure_future(waiter(3))
    await asyncio.sleep(0)
    await gate.__aexit__(None, None, None)  # the turn goes to 2...
    second.cancel()  # ...which is cancelled before it runs
    await asyncio.gather(second, third, return_exceptions=True)
    assert order == [3] and gate.active == 0 and not gate.waiters


class WatchedStore(InMemoryTrackerStore):
    """Rasa's in-memory store, slow and then down, noting which conversations read it and how many at once."""

    def __init__(self, domain):
        super().__init__(domain)
        self.readers, self.inside, self.peak = [], 0, 0

    async def retrieve(self, sender_id):
        self.readers.append(sender_id)
        self.inside += 1
        self.peak = max(self.peak, self.inside)
        await asyncio.sleep(0.02)
        self.inside -= 1
        raise ConnectionError("tracker store down")


async def test_messages_are_handled_two_at_a_time_in_arrival_order(monkeypatch, new_processor, rasa_domain):
    """Rasa's own handle_message starts all 8 messages at once."""
    monkeypatch.setenv("MAX_CONCURRENT_MESSAGES", "2")
    fifo_gate.install()
    store = WatchedStore(rasa_domain)
    processor = new_processor(rasa_domain, store)
    senders = [f"u{n}" for n in range(8)]
    messages = [UserMessage("bonjour", CollectingOutputChannel(), sender) for sender in senders]
    results = await asyncio.gather(*(processor.handle_message(m) for m in messages), return_exceptions=True)
    assert [type(r) for r in results] == [ConnectionError] * 8
    assert store.readers == senders and store.peak == 2


def test_no_limit_keeps_rasas_message_handling(monkeypatch):
    monkeypatch.setenv("MAX_CONCURRENT_MESSAGES", "0")
    shipped = vars(MessageProcessor)["handle_message"]
    fifo_gate.install()
    assert fifo_gate.install.installed and vars(MessageProcessor)["handle_message"] is shipped
