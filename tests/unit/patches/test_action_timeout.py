"""rasa_server/patches/action_timeout.py: a slow or failed custom action answers the apology in time."""
from __future__ import annotations

import asyncio
import threading
import time

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from launcher.ports import free_port
from rasa_server.patches import action_timeout


def test_action_timeout_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("ACTION_TIMEOUT", "0.7")
    assert action_timeout.action_timeout() == 0.7
    for bad in ("abc", "-1", "0"):
        monkeypatch.setenv("ACTION_TIMEOUT", bad)
        assert action_timeout.action_timeout() == action_timeout.DEFAULT_ACTION_TIMEOUT


@pytest.fixture
def aiohttp_slow_server():
    """An action server on loopback that answers after 2 s."""
    from aiohttp import web

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


async def test_slow_action_gets_the_apology_but_erasure_is_waited_for(aiohttp_slow_server, monkeypatch):
    monkeypatch.delenv("ACTION_TIMEOUT", raising=False)
    action_timeout.install()
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


async def test_action_server_down_gets_the_apology_of_the_domain(rasa_domain):
    """Rasa's own run raises (the user hears nothing); patched, the French apology of domain.yml comes back."""
    action_timeout.install()
    nlg = TemplatedNaturalLanguageGenerator(rasa_domain.responses)
    tracker = DialogueStateTracker("u1", rasa_domain.slots)
    down = RemoteAction("action_answer_topic", EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook"))
    start = time.monotonic()
    events = await down.run(CollectingOutputChannel(), nlg, tracker, rasa_domain)
    apology = rasa_domain.responses["utter_action_unavailable"][0]["text"]
    assert [e.text for e in events if isinstance(e, BotUttered)] == [apology]
    assert time.monotonic() - start < 2
