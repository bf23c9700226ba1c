"""rasa_server/patches/action_keepalive.py: custom action calls reuse their connection, and survive a restart."""
from __future__ import annotations

import asyncio
import threading

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from launcher.ports import free_port
from rasa_server.patches import action_keepalive, action_timeout

DOMAIN = "version: '3.1'\nresponses:\n  utter_action_unavailable:\n  - text: Désolé\n"


class ActionServer:
    """An action server on loopback that records the client port of every request, and can restart."""

    def __init__(self) -> None:
        self.port = free_port()
        self.client_ports: list[int] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.runner = None

    async def _start(self) -> None:
        from aiohttp import web

        async def webhook(request):
            self.client_ports.append(request.transport.get_extra_info("peername")[1])
            return web.json_response({"events": [], "responses": [{"text": f"réponse {len(self.client_ports)}"}]})

        app = web.Application()
        app.router.add_post("/webhook", webhook)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    def start(self) -> None:
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)

    def close(self) -> None:
        self.stop()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def action_server():
    server = ActionServer()
    server.start()
    yield server
    server.close()


async def _answers(server: ActionServer, count: int, pause: float = 0.0) -> list[str]:
    domain = Domain.from_yaml(DOMAIN)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    action = RemoteAction("action_answer_topic", EndpointConfig(f"http://127.0.0.1:{server.port}/webhook"))
    texts = []
    for _ in range(count):
        events = await action.run(CollectingOutputChannel(), nlg, DialogueStateTracker("u1", []), domain)
        texts += [e.text for e in events if isinstance(e, BotUttered)]
        await asyncio.sleep(pause)
    return texts


async def test_rasa_opens_a_connection_per_call_the_patch_one_for_all(action_server):
    assert await _answers(action_server, 3) == ["réponse 1", "réponse 2", "réponse 3"]
    assert len(set(action_server.client_ports)) == 3  # Rasa as shipped
    action_server.client_ports.clear()
    action_keepalive.install()
    assert await _answers(action_server, 5) == [f"réponse {n}" for n in range(1, 6)]
    assert len(set(action_server.client_ports)) == 1


async def test_an_idle_connection_is_not_reused(action_server, monkeypatch):
    monkeypatch.setattr(action_keepalive, "IDLE_SECONDS", 0.2)
    action_keepalive.install()
    assert len(await _answers(action_server, 3, pause=0.5)) == 3
    assert len(set(action_server.client_ports)) == 3


async def test_a_restarted_action_server_answers_the_next_call(action_server):
    action_timeout.install()  # a failed call would give the apology, "Désolé"
    action_keepalive.install()
    domain = Domain.from_yaml(DOMAIN)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    action = RemoteAction("action_answer_topic", EndpointConfig(f"http://127.0.0.1:{action_server.port}/webhook"))
    tracker = DialogueStateTracker("u1", [])
    first = await action.run(CollectingOutputChannel(), nlg, tracker, domain)
    action_server.stop()  # its connections closed
    down = await action.run(CollectingOutputChannel(), nlg, tracker, domain)
    action_server.start()
    await asyncio.sleep(0.1)
    back = await action.run(CollectingOutputChannel(), nlg, tracker, domain)
    assert [[e.text for e in events if isinstance(e, BotUttered)] for events in (first, down, back)] == [
        ["réponse 1"], ["Désolé"], ["réponse 2"],
    ]
