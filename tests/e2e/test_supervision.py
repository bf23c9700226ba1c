"""Supervision by the launcher: an action server killed with SIGKILL is restarted, and meanwhile the Rasa server
answers with the French apology of domain.yml (rasa_server/patches: action server unavailable)."""
from __future__ import annotations

import logging
import os
import signal
import socket
import time

QUESTION = "faut il savoir utiliser un tableur pour travailler en back office ?"
RECOVERY_SECONDS = 60


def port_closed(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def wait_until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_killed_action_server_gets_an_apology_then_is_restarted(bot, domain, caplog):
    caplog.set_level(logging.INFO, logger="launcher")
    apology = domain["responses"]["utter_action_unavailable"][0]["text"]
    sender = "supervision-kill"
    [answer] = bot.texts(QUESTION, sender)
    assert "Source :" in answer
    supervisor = bot.servers.supervisor
    killed, restarts = bot.servers.processes["actions"], supervisor.restarts("actions")

    os.kill(killed.pid, signal.SIGKILL)
    wait_until(lambda: port_closed(bot.servers.settings.action_port), timeout=5)
    start = time.monotonic()
    assert bot.texts(QUESTION, sender) == [apology]
    assert time.monotonic() - start < 2

    # The launcher restarts the action server; the Rasa server was never restarted.
    rasa = bot.servers.processes["rasa"]
    deadline = time.monotonic() + RECOVERY_SECONDS
    while True:
        texts = bot.texts(QUESTION, sender)
        if len(texts) == 1 and "Source :" in texts[0]:
            break
        assert texts == [apology]
        assert time.monotonic() < deadline, f"no answer {RECOVERY_SECONDS} s after the kill"
        time.sleep(1)
    assert supervisor.restarts("actions") == restarts + 1
    assert bot.servers.processes["actions"].pid != killed.pid
    assert bot.servers.processes["rasa"] is rasa and rasa.poll() is None
    logged = [record.getMessage() for record in caplog.records]
    assert any(message.startswith("actions exited with code -9") for message in logged)
    assert any(message.startswith("actions restarted") for message in logged)
