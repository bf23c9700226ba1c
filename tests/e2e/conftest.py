"""Starts the real action server and Rasa server from the trained model, on free ports."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from actions.settings import ROOT
from tests.conftest import make_kb

MODEL = ROOT / "models" / "bot.tar.gz"
BIN = Path(sys.executable).parent
START_TIMEOUT = 240


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    def __init__(self, url: str, kb):
        self.url = url
        self.kb = kb

    def send(self, message, sender: str = "e2e-user", **kwargs):
        body = {"sender": sender, "message": message}
        return requests.post(f"{self.url}/webhooks/rest/webhook", json=body, timeout=60, **kwargs)

    def texts(self, message, sender: str = "e2e-user"):
        response = self.send(message, sender)
        assert response.status_code == 200, response.text
        return [m.get("text", "") for m in response.json()]


@pytest.fixture(scope="session")
def bot(tmp_path_factory, settings, normalizer, topic_specs):
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make model` (make test does it)")
    work = tmp_path_factory.mktemp("e2e")
    kb_url = f"sqlite:///{work / 'kb.sqlite'}"
    kb = make_kb(kb_url, settings.knowledge_dir, normalizer, topic_specs)
    action_port, rasa_port = free_port(), free_port()
    endpoints = work / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n', "utf-8")
    env = dict(os.environ, KB_DATABASE_URL=kb_url, TF_CPP_MIN_LOG_LEVEL="2")
    logs = [open(work / name, "w") for name in ("actions.log", "rasa.log")]
    processes = [
        subprocess.Popen(
            [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(action_port)],
            cwd=ROOT, env=env, stdout=logs[0], stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [str(BIN / "rasa"), "run", "--model", str(MODEL), "--port", str(rasa_port),
             "--endpoints", str(endpoints), "--credentials", str(ROOT / "credentials.yml")],
            cwd=ROOT, env=env, stdout=logs[1], stderr=subprocess.STDOUT,
        ),
    ]
    try:
        wait_until_up(f"http://127.0.0.1:{action_port}/health", processes)
        wait_until_up(f"http://127.0.0.1:{rasa_port}/webhooks/rest/", processes)
        yield Bot(f"http://127.0.0.1:{rasa_port}", kb)
    finally:
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
