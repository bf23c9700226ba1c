"""Starts the real action server, Rasa server (REST, socket.io, Slack) and chat page server, on free ports.

The Slack channel is pointed at a fake Slack Web API on loopback."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from backoffice_career.privacy.erasure import ConversationStore
from backoffice_career.settings import ROOT
from backoffice_career.knowledge.factory import build_knowledge_base
from tests.helpers.ports import free_port
from tests.helpers.fake_slack import SLACK_CHANNEL, SLACK_SIGNING_SECRET, SLACK_TOKEN, FakeSlack

MODEL = ROOT / "models" / "bot.tar.gz"
BIN = Path(sys.executable).parent
START_TIMEOUT = 240


def wait_until_up(url: str, processes, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in processes:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args[:3]} exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise TimeoutError(f"{url} not up after {timeout}s")


class Bot:
    def __init__(self, url: str, port: int, kb, conversations: ConversationStore, kb_url: str, token: str,
                 servers=None):
        self.url = url
        self.port = port
        self.kb = kb
        self.conversations = conversations
        self.kb_url = kb_url
        self.token = token
        self.servers = servers


    def tracker(self, sender: str) -> dict:
        """The conversation as the Rasa server has it (HTTP API, token auth)."""
        response = requests.get(f"{self.url}/conversations/{sender}/tracker", params={"token": self.token}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def send(self, message, sender: str = "e2e-user", **kwargs):
        body = {"sender": sender, "message": message}
        return requests.post(f"{self.url}/webhooks/rest/webhook", json=body, timeout=60, **kwargs)

    def replies(self, message, sender: str = "e2e-user"):
        response = self.send(message, sender)
        assert response.status_code == 200, response.text
        return response.json()

    def texts(self, message, sender: str = "e2e-user"):
        return [m.get("text", "") for m in self.replies(message, sender)]


@pytest.fixture(scope="session")
def fake_slack():
    fake = FakeSlack(SLACK_TOKEN).start()
    yield fake
    fake.stop()


class Servers:
    """The real action server and Rasa server processes, which a test may stop and restart."""

    def __init__(self, work: Path, env: dict, action_port: int, rasa_port: int, endpoints: Path, token: str,
                 rasa_args=()):
        self.work = work
        self.env = env
        self.action_port = action_port
        self.rasa_port = rasa_port
        self.commands = {
            "actions": [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(action_port)],
            "rasa": [sys.executable, "-m", "rasa_server", "run", "--model", str(MODEL), "--port", str(rasa_port),
                     "--endpoints", str(endpoints), "--credentials", str(ROOT / "credentials.yml"),
                     "--enable-api", "--auth-token", token, *rasa_args],  # --cors from CORS_ORIGINS
        }
        self.health = {
            "actions": f"http://127.0.0.1:{action_port}/health",
            "rasa": f"http://127.0.0.1:{rasa_port}/webhooks/rest/",
        }
        self.processes = {}
        self.logs = {}

    def start(self, name: str) -> None:
        self.logs[name] = open(self.work / f"{name}.log", "a")
        self.processes[name] = subprocess.Popen(
            self.commands[name], cwd=ROOT, env=self.env, stdout=self.logs[name], stderr=subprocess.STDOUT,
        )
        wait_until_up(self.health[name], [self.processes[name]])

    def stop(self, name: str) -> None:
        stop([self.processes.pop(name)], [self.logs.pop(name)])

    def pause(self, name: str) -> None:
        """Freezes the process: it still accepts connections but never answers."""
        self.processes[name].send_signal(signal.SIGSTOP)

    def resume(self, name: str) -> None:
        self.processes[name].send_signal(signal.SIGCONT)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.resume(name)
            self.stop(name)


@contextmanager
def running_bot(work: Path, kb, kb_url: str, tracker_url: str, extra_env=None, rasa_args=(), endpoints_extra="",
                cors_origins=("http://127.0.0.1",)):
    """Starts the action server and the Rasa server (SQL tracker store on `tracker_url`) on free ports."""
    action_port, rasa_port = free_port(), free_port()
    endpoints = work / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n  enable_selective_domain: true\n'
        f"tracker_store:\n  type: rasa_server.stores.tracker_store.PrivacySQLTrackerStore\n  url: \"{tracker_url}\"\n"
        + endpoints_extra,
        "utf-8",
    )
    env = dict(os.environ, KB_DATABASE_URL=kb_url, TRACKER_DB_URL=tracker_url, TF_CPP_MIN_LOG_LEVEL="2",
               CORS_ORIGINS=" ".join(cors_origins), ACTIONS_WARM_UP="1")
    env.update(extra_env or {})
    token = uuid.uuid4().hex
    servers = Servers(work, env, action_port, rasa_port, endpoints, token, rasa_args)
    conversations = ConversationStore.from_url(tracker_url)
    try:
        servers.start("actions")
        servers.start("rasa")
        yield Bot(f"http://127.0.0.1:{rasa_port}", rasa_port, kb, conversations, kb_url, token, servers)
    finally:
        servers.stop_all()
        conversations.engine.dispose()


def stop(processes, logs) -> None:
    for proc in processes:
        proc.terminate()
    for proc in processes:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    for log in logs:
        log.close()
    for proc, log in zip(processes, logs):
        if proc.returncode not in (0, -15):
            print(Path(log.name).read_text()[-3000:])


def require_model() -> None:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make model` (make test does it)")


@pytest.fixture(scope="session")
def bot(tmp_path_factory, settings, normalizer, topic_specs, fake_slack):
    require_model()
    work = tmp_path_factory.mktemp("e2e")
    kb_url = f"sqlite:///{work / 'kb.sqlite'}"
    kb = build_knowledge_base(kb_url, settings.knowledge_dir, normalizer, topic_specs)
    slack_env = dict(
        SLACK_TOKEN=SLACK_TOKEN, SLACK_SIGNING_SECRET=SLACK_SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url, SLACK_CHANNEL=SLACK_CHANNEL,
    )
    web_port = free_port()  # the chat page's origin must be allowed before the server starts
    cors = ("http://127.0.0.1", f"http://127.0.0.1:{web_port}")
    with running_bot(work, kb, kb_url, f"sqlite:///{work / 'tracker.sqlite'}", slack_env, cors_origins=cors) as running:
        running.web_port = web_port
        yield running


@pytest.fixture(scope="session")
def chat_page(bot, tmp_path_factory):
    """URL of the chat page, served by web/server.py and talking to the test's Rasa server."""
    port = bot.web_port
    log = open(tmp_path_factory.mktemp("web") / "web.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "web.server", "--host", "127.0.0.1", "--port", str(port),
         "--rasa-port", str(bot.port)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", [proc], timeout=30)
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop([proc], [log])
