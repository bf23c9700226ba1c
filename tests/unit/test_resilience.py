"""rasa_server/patches/resilience.py: the patched Rasa pieces keep Rasa's contract."""
from __future__ import annotations

import asyncio

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from rasa_server.patches import resilience


@pytest.fixture(scope="module")
def action():
    resilience.install()
    return RemoteAction("action_answer_topic", EndpointConfig("http://127.0.0.1:9/webhook"))


def test_valid_action_responses_pass(action):
    assert action._validate_action_result({"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "ok"}]})
    assert action._validate_action_result({})


@pytest.mark.parametrize("bad", [{"events": "nope"}, {"events": [{"no_event_key": 1}]}, {"responses": 3}])
def test_invalid_action_responses_still_fail(action, bad):
    with pytest.raises(ValidationError):
        action._validate_action_result(bad)


def test_action_timeout_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("ACTION_TIMEOUT", "0.7")
    assert resilience.action_timeout() == 0.7
    for bad in ("abc", "-1", "0"):
        monkeypatch.setenv("ACTION_TIMEOUT", bad)
        assert resilience.action_timeout() == resilience.DEFAULT_ACTION_TIMEOUT


def test_the_launcher_adds_the_configured_cors_origins(monkeypatch):
    from rasa_server.__main__ import with_cors

    monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example")
    assert with_cors(["run", "--port", "5005"]) == ["run", "--port", "5005", "--cors", "https://a.example", "https://b.example"]
    assert with_cors(["run", "--cors", "https://c.example"]) == ["run", "--cors", "https://c.example"]
    assert with_cors(["run", "actions", "--port", "5055"]) == ["run", "actions", "--port", "5055"]
    assert with_cors(["train"]) == ["train"]


async def test_slow_action_gets_the_apology_but_erasure_is_waited_for(aiohttp_slow_server):
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    resilience.install()
    domain = Domain.from_yaml(
        "version: '3.1'\nresponses:\n  utter_action_unavailable:\n  - text: Désolé\n"
    )
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    tracker = DialogueStateTracker("u1", domain.slots)
    endpoint = EndpointConfig(aiohttp_slow_server)
    slow = RemoteAction("action_answer_topic", endpoint)
    events = await slow.run(CollectingOutputChannel(), nlg, tracker, domain)
    assert [e.text for e in events if isinstance(e, BotUttered)] == ["Désolé"]
    erase = RemoteAction("action_erase_my_data", endpoint)
    events = await erase.run(CollectingOutputChannel(), nlg, tracker, domain)
    assert [e.text for e in events if isinstance(e, BotUttered)] == ["fini"]


@pytest.fixture
def aiohttp_slow_server():
    """An action server on loopback that answers after 2 s."""
    import asyncio
    import threading

    from aiohttp import web

    from tests.helpers.ports import free_port

    async def webhook(request):
        await asyncio.sleep(2)
        return web.json_response({"events": [], "responses": [{"text": "fini"}]})

    port = free_port()
    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/webhook"
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


async def test_the_gate_admits_at_most_its_limit_in_arrival_order():
    gate, entered, inside, peak = resilience.FifoGate(2), [], [0], [0]

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
    gate, order = resilience.FifoGate(1), []
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
    assert resilience.concurrency() == 5
    monkeypatch.setenv("MAX_CONCURRENT_MESSAGES", "0")
    assert resilience.concurrency() == 0  # no limit
    monkeypatch.setenv("MAX_CONCURRENT_MESSAGES", "x")
    assert resilience.concurrency() == resilience.DEFAULT_CONCURRENCY


async def test_a_waiter_cancelled_just_after_getting_its_turn_passes_it_on():
    gate, order = resilience.FifoGate(1), []

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


def test_event_classes_are_found_as_rasa_finds_them():
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    classes = all_subclasses(Event)
    # Rasa's own rule: the first subclass with that type name.
    expected = {c.type_name: next(k for k in classes if k.type_name == c.type_name) for c in classes}
    names = set(expected)
    resilience.install_event_lookup()
    resilience.install_event_lookup()  # idempotent
    assert Event.resolve_by_type.table
    assert {name: Event.resolve_by_type(name) for name in names} == expected
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=Event) is Event
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")
    assert Event.from_parameters({"event": "slot", "name": "x", "value": 1}).value == 1
