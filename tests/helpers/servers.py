"""The bot's real servers for the tests, started by the launcher (launcher/) as `make run` starts them."""
from __future__ import annotations

import signal
import uuid
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import requests

from backoffice_career.privacy.conversations import ConversationStore
from launcher.ports import free_port
from launcher.settings import LaunchSettings, from_env
from launcher.specs import NAMES, specs
from launcher.supervisor import Supervisor
from rasa_server.channels.identity import REST, conversation_id

START_TIMEOUT = 240


class Servers:
    """The launcher's supervisor of the test's servers, plus faults a test can cause. Logs: work/NAME.log."""

    def __init__(self, settings: LaunchSettings, names=NAMES):
        self.work = settings.work_dir
        self.settings = settings
        self.supervisor = Supervisor(specs(settings, names), log_dir=self.work)

    @property
    def processes(self) -> dict:
        return {name: child.proc for name, child in self.supervisor.children.items() if child.proc is not None}

    def start(self, *names: str) -> None:
        """Starts the servers together (as `make run` does) and waits until each answers."""
        self.supervisor.start(list(names), timeout=START_TIMEOUT)

    def stop(self, name: str) -> None:
        """Stops the server for good (the launcher does not restart it) until start()."""
        self.supervisor.stop(name)

    def pause(self, name: str) -> None:
        """Freezes the process: it still accepts connections but never answers."""
        self.supervisor.send_signal(name, signal.SIGSTOP)

    def resume(self, name: str) -> None:
        self.supervisor.send_signal(name, signal.SIGCONT)

    def stop_all(self) -> None:
        self.supervisor.stop_all()
        for name, proc in self.processes.items():
            if proc.returncode not in (0, -signal.SIGTERM):
                print(f"--- {name} exited with {proc.returncode}:\n{self.supervisor.children[name].tail()}")


class Bot:
    def __init__(self, url: str, port: int, kb, conversations: ConversationStore, kb_url: str, token: str,
                 servers: Servers):
        self.url = url
        self.port = port
        self.kb = kb
        self.conversations = conversations
        self.kb_url = kb_url
        self.token = token
        self.servers = servers
        self.web_port = servers.settings.web_port
        self.rest_token = servers.settings.extra_env.get("REST_TOKEN")

    @property
    def rest_headers(self) -> dict:
        """What a trusted REST caller sends (REST_TOKEN of the servers, when set)."""
        return {"Authorization": f"Bearer {self.rest_token}"} if self.rest_token else {}

    def tracker(self, sender: str, channel: str = REST) -> dict:
        """The conversation of `sender` on `channel` as the Rasa server has it (HTTP API, token auth)."""
        conversation = conversation_id(channel, sender)
        response = requests.get(
            f"{self.url}/conversations/{conversation}/tracker", params={"token": self.token}, timeout=30
        )
        assert response.status_code == 200, response.text
        return response.json()

    def send(self, message, sender: str = "e2e-user", **kwargs):
        body = {"sender": sender, "message": message}
        headers = {**self.rest_headers, **kwargs.pop("headers", {})}
        return requests.post(f"{self.url}/webhooks/rest/webhook", json=body, timeout=60, headers=headers, **kwargs)

    def replies(self, message, sender: str = "e2e-user"):
        response = self.send(message, sender)
        assert response.status_code == 200, response.text
        return response.json()

    def texts(self, message, sender: str = "e2e-user"):
        return [m.get("text", "") for m in self.replies(message, sender)]


def bot_settings(work: Path, kb_url: str, tracker_url: str, **changes) -> LaunchSettings:
    """The launcher's settings of a test bot: free ports, the test's databases, a random API token."""
    values = dict(
        action_port=free_port(), rasa_port=free_port(), web_port=free_port(), token=uuid.uuid4().hex,
        kb_database_url=kb_url, tracker_db_url=tracker_url, work_dir=work, cors_origins=None,
        lock_store_url=None, action_url=None, extra_env={"ACTIONS_WARM_UP": "1"},
    )
    return replace(from_env(), **{**values, **changes})


@contextmanager
def running_bot(work: Path, kb, kb_url: str, tracker_url: str, extra_env=None, **changes):
    """Starts the action server and the Rasa server (SQL tracker store on `tracker_url`) through the launcher,
    on free ports. `changes`: launcher settings (lock_store_url, cors_origins...)."""
    settings = bot_settings(work, kb_url, tracker_url, **changes)
    settings = replace(settings, extra_env={**settings.extra_env, **(extra_env or {})})
    servers = Servers(settings)
    conversations = ConversationStore.from_url(tracker_url)
    try:
        servers.start("actions", "rasa")
        url = f"http://127.0.0.1:{settings.rasa_port}"
        yield Bot(url, settings.rasa_port, kb, conversations, kb_url, settings.token, servers)
    finally:
        servers.stop_all()
        conversations.engine.dispose()
