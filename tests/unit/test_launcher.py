"""The launcher (launcher/): what it starts, and its supervision with tiny real child processes (no Rasa)."""
from __future__ import annotations

import logging
import os
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from launcher.__main__ import parse, settings_of
from launcher.ports import free_port
from launcher.settings import LaunchSettings, from_env
from launcher.specs import ServerSpec, specs
from launcher.supervisor import Backoff, ServerFailed, Supervisor

# An HTTP server answering 200 on /, which may fork a "worker" first (as Sanic does with SANIC_WORKERS=2).
SERVER = """
import http.server, pathlib, subprocess, sys
port, pidfile = int(sys.argv[1]), sys.argv[2]
if pidfile != "-":
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    pathlib.Path(pidfile).write_text(str(worker.pid))
http.server.ThreadingHTTPServer(("127.0.0.1", port), http.server.SimpleHTTPRequestHandler).serve_forever()
"""


QUICK = Backoff(initial=0.3, factor=2, cap=1.2, reset_after=30)


def server_spec(name: str, pidfile: Path | None = None) -> ServerSpec:
    port = free_port()
    command = (sys.executable, "-c", SERVER, str(port), str(pidfile or "-"))
    return ServerSpec(name, command, f"http://127.0.0.1:{port}/", dict(os.environ))


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition, timeout: float = 10.0) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "timed out"
        time.sleep(0.02)
    return time.monotonic() - start


@pytest.fixture
def supervise(tmp_path):
    started = []

    def make(*specs_, backoff=QUICK):
        supervisor = Supervisor(specs_, log_dir=tmp_path, backoff=backoff, poll=0.05)
        started.append(supervisor)
        return supervisor

    yield make
    for supervisor in started:
        supervisor.stop_all()


def kill_and_time_restart(supervisor: Supervisor, name: str) -> float:
    pid = supervisor.process(name).pid
    os.kill(pid, signal.SIGKILL)
    elapsed = wait_for(lambda: supervisor.process(name).pid != pid)
    supervisor.wait_healthy([name], timeout=10)
    return elapsed


def test_backoff_doubles_up_to_the_cap_and_starts_again_after_a_long_run():
    backoff = Backoff(initial=1, factor=2, cap=8, reset_after=60)
    delays, previous = [], None
    for _ in range(6):
        previous = backoff.next(previous, uptime=5)
        delays.append(previous)
    assert delays == [1, 2, 4, 8, 8, 8]
    assert backoff.next(8, uptime=60) == 1


def test_a_killed_server_is_restarted_with_growing_delays_and_the_others_keep_running(supervise, caplog):
    caplog.set_level(logging.INFO, logger="launcher")
    supervisor = supervise(server_spec("crashy"), server_spec("steady"))
    supervisor.start(timeout=20)
    steady = supervisor.process("steady")
    elapsed = [kill_and_time_restart(supervisor, "crashy") for _ in range(4)]
    for took, delay in zip(elapsed, [0.3, 0.6, 1.2, 1.2], strict=True):
        assert delay <= took < delay + 0.5
    assert supervisor.restarts("crashy") == 4 and supervisor.restarts("steady") == 0
    assert supervisor.process("steady") is steady and steady.poll() is None
    logged = [r.getMessage() for r in caplog.records]
    assert sum("crashy exited with code -9" in m for m in logged) == 4
    assert any("restarting in 1.2 s" in m for m in logged)
    assert any("crashy restarted" in m and "restart #4" in m for m in logged)


def test_the_delay_starts_again_from_the_first_once_a_server_stayed_up(supervise):
    supervisor = supervise(server_spec("crashy"), backoff=Backoff(initial=0.2, factor=4, cap=10, reset_after=1))
    supervisor.start(timeout=20)
    assert kill_and_time_restart(supervisor, "crashy") < 0.6
    assert 0.8 <= kill_and_time_restart(supervisor, "crashy") < 1.3  # quick crash: 0.2 x 4
    time.sleep(1.1)
    assert kill_and_time_restart(supervisor, "crashy") < 0.6


def test_the_leftover_workers_of_a_crashed_server_are_killed_before_it_restarts(supervise, tmp_path):
    pidfile = tmp_path / "worker.pid"
    supervisor = supervise(server_spec("forking", pidfile))
    supervisor.start(timeout=20)
    worker = int(pidfile.read_text())
    assert alive(worker)
    kill_and_time_restart(supervisor, "forking")
    wait_for(lambda: not alive(worker), timeout=5)
    assert alive(int(pidfile.read_text()))  # the new server's worker


def test_a_stopped_server_stays_stopped_until_started_again(supervise):
    supervisor = supervise(server_spec("one"))
    supervisor.start(timeout=20)
    first = supervisor.process("one")
    supervisor.stop("one")
    assert first.poll() is not None
    time.sleep(0.8)  # more than the first back-off delay
    assert supervisor.process("one") is first and supervisor.restarts("one") == 0
    supervisor.start(["one"], timeout=20)
    assert supervisor.process("one").poll() is None


def test_stop_all_stops_every_server_its_workers_and_a_frozen_one(supervise, tmp_path):
    pidfile = tmp_path / "worker.pid"
    supervisor = supervise(server_spec("forking", pidfile), server_spec("frozen"))
    supervisor.start(timeout=20)
    worker = int(pidfile.read_text())
    supervisor.send_signal("frozen", signal.SIGSTOP)
    processes = [supervisor.process("forking"), supervisor.process("frozen")]
    supervisor.stop_all()
    assert [p.poll() for p in processes] == [-signal.SIGTERM, -signal.SIGTERM]
    wait_for(lambda: not alive(worker), timeout=5)
    time.sleep(0.3)
    assert all(supervisor.restarts(name) == 0 for name in ("forking", "frozen"))


def test_a_server_that_exits_while_starting_fails_the_start_and_is_not_restarted(supervise, tmp_path):
    broken = ServerSpec("broken", (sys.executable, "-c", "import sys; print('bad config'); sys.exit(3)"),
                        f"http://127.0.0.1:{free_port()}/", dict(os.environ))
    supervisor = supervise(server_spec("fine"), broken)
    with pytest.raises(ServerFailed, match=r"broken exited with code 3\nbad config"):
        supervisor.start(timeout=20)
    fine = supervisor.process("fine")
    assert fine.poll() is not None  # the others of that start are stopped too
    time.sleep(0.5)
    assert supervisor.restarts("broken") == 0 and supervisor.process("fine") is fine


# What the launcher starts.


def test_the_rasa_server_gets_the_api_only_with_a_token(tmp_path):
    settings = LaunchSettings(work_dir=tmp_path, base_env={})
    [rasa] = specs(settings, ["rasa"])
    assert rasa.command[1:4] == ("-m", "rasa_server", "run") and "--enable-api" not in rasa.command
    [rasa] = specs(LaunchSettings(work_dir=tmp_path, base_env={}, token="secret"), ["rasa"])
    assert rasa.command[-3:] == ("--enable-api", "--auth-token", "secret")
    assert rasa.command[rasa.command.index("--interface") + 1] == "127.0.0.1"


def test_environment_ports_and_cors_of_the_servers(tmp_path):
    settings = LaunchSettings(action_port=6055, rasa_port=6005, web_port=6080, work_dir=tmp_path,
                              base_env={"PATH": "/bin"}, kb_database_url="sqlite:///kb", tracker_db_url="sqlite:///t")
    actions, rasa, web = specs(settings)
    assert actions.command[1:] == ("-m", "actions.server", "--host", "127.0.0.1", "--port", "6055")
    assert actions.env["SANIC_HOST"] == "127.0.0.1" and actions.health_url == "http://127.0.0.1:6055/health"
    assert rasa.env["CORS_ORIGINS"] == "http://localhost:6080 http://127.0.0.1:6080"
    assert rasa.health_url == "http://127.0.0.1:6005/webhooks/rest/"
    assert web.command[-4:] == ("--port", "6080", "--rasa-port", "6005")
    for spec in (actions, rasa, web):
        assert spec.env["KB_DATABASE_URL"] == "sqlite:///kb" and spec.env["TRACKER_DB_URL"] == "sqlite:///t"
        assert spec.env["PATH"] == "/bin"


def test_the_action_server_stays_on_loopback_and_shares_a_token_made_per_run(tmp_path):
    settings = from_env({"BIND_ADDRESS": "0.0.0.0", "PATH": "/bin"})
    settings = replace(settings, work_dir=tmp_path)
    actions, rasa, _ = specs(settings)
    assert option(actions.command, "--host") == "127.0.0.1" and option(rasa.command, "--interface") == "0.0.0.0"
    token = actions.env["ACTION_TOKEN"]
    assert len(token) >= 32 and rasa.env["ACTION_TOKEN"] == token
    assert specs(settings)[0].env["ACTION_TOKEN"] != token  # a new run, a new token
    endpoints = (tmp_path / "endpoints.yml").read_text("utf-8")
    assert token not in endpoints  # Rasa reads it from its environment
    assert yaml.safe_load(endpoints)["action_endpoint"]["headers"] == {"X-Action-Token": "${ACTION_TOKEN}"}
    assert int(rasa.env["SANIC_REQUEST_MAX_SIZE"]) <= 4 * 1024 * 1024
    moved = specs(from_env({"ACTION_HOST": "10.0.0.5", "ACTION_TOKEN": "fixed"}), ["actions"])[0]
    assert option(moved.command, "--host") == "10.0.0.5" and moved.env["ACTION_TOKEN"] == "fixed"
    assert moved.health_url.startswith("http://10.0.0.5:")


def option(command, name):
    return command[command.index(name) + 1]


def test_the_endpoints_file_is_rendered_from_the_settings(tmp_path):
    settings = LaunchSettings(work_dir=tmp_path, base_env={}, action_port=6055)
    [rasa] = specs(settings, ["rasa"])
    path = Path(rasa.command[rasa.command.index("--endpoints") + 1])
    assert path == tmp_path / "endpoints.yml"
    assert yaml.safe_load(path.read_text("utf-8")) == {
        "action_endpoint": {"url": "http://127.0.0.1:6055/webhook", "enable_selective_domain": True},
        "tracker_store": {"type": "rasa_server.stores.tracker_store.PrivacySQLTrackerStore"},
    }
    env = {"ACTION_SERVER_URL": "http://actions:5055/webhook", "LOCK_STORE_URL": "redis://redis:6379/1"}
    settings = settings_of(parse(["serve", "rasa", "--work-dir", str(tmp_path)]), env)
    specs(settings, ["rasa"])
    endpoints = yaml.safe_load((tmp_path / "endpoints.yml").read_text("utf-8"))
    assert endpoints["action_endpoint"]["url"] == "http://actions:5055/webhook"
    assert endpoints["lock_store"] == {
        "type": "rasa_server.stores.lock_store.AtomicRedisLockStore", "url": "redis", "port": 6379, "db": 1,
        "key_prefix": "backoffice",
    }


def test_command_line_options_override_the_environment():
    env = {"RASA_PORT": "7005", "WEB_PORT": "7080", "RASA_TOKEN": "from-env"}
    assert from_env(env).rasa_port == 7005 and from_env(env).token == "from-env"
    settings = settings_of(parse(["serve", "web", "--port", "8080", "--rasa-port", "5005", "--host", "0.0.0.0"]), env)
    assert (settings.web_port, settings.rasa_port, settings.host, settings.health_host) == (8080, 5005, "0.0.0.0",
                                                                                          "127.0.0.1")
    assert settings_of(parse(["serve", "rasa", "--port", "5006"]), env).rasa_port == 5006
