"""python -m launcher run | serve NAME | endpoints

  run        the three servers and the HR console, supervised (make run): checks the knowledge base
             first, restarts a crashed server with back-off, Ctrl-C or SIGTERM stops them all
  serve NAME one server (actions, rasa, web, hr) in the foreground, in place of the launcher (containers)
  endpoints  prints the Rasa server's endpoints file (e.g. for `rasa shell`)

Settings: ACTION_PORT, RASA_PORT, WEB_PORT, HR_PORT, BIND_ADDRESS, ACTION_HOST, ACTION_TOKEN, SOCKET_URL, RASA_MODEL,
RASA_TOKEN, ACTION_SERVER_URL, LOCK_STORE_URL, LOCK_STORE_PREFIX, CORS_ORIGINS (launcher/settings.py); options
override them (`serve actions --host` sets the action server's address).
"""
from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from launcher import endpoints
from launcher.settings import ROOT, LaunchSettings, from_env
from launcher.specs import BUILDERS, RUN_NAMES, specs
from launcher.supervisor import ServerFailed, Supervisor

OPTIONS = {  # option -> settings field
    "--action-port": "action_port", "--rasa-port": "rasa_port", "--web-port": "web_port", "--hr-port": "hr_port",
    "--host": "host",
    "--model": "model", "--auth-token": "token", "--work-dir": "work_dir",
}
PORT_FIELDS = {"actions": "action_port", "rasa": "rasa_port", "web": "web_port", "hr": "hr_port"}


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m launcher", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="start and supervise the three servers and the HR console")
    serve = commands.add_parser("serve", help="one server in the foreground")
    serve.add_argument("name", choices=tuple(BUILDERS))
    serve.add_argument("--port", type=int, help="port of that server")
    shown = commands.add_parser("endpoints", help="print the endpoints file")
    for sub in (run, serve, shown):
        for option, name in OPTIONS.items():
            sub.add_argument(option, dest=name, type=int if name.endswith("port") else str)
    return parser.parse_args(argv)


def settings_of(args: argparse.Namespace, env=None) -> LaunchSettings:
    settings = from_env(env)
    changes = {name: getattr(args, name) for name in OPTIONS.values() if getattr(args, name) is not None}
    if getattr(args, "port", None) is not None:
        changes[PORT_FIELDS[args.name]] = args.port
    if getattr(args, "name", None) == "actions" and args.host is not None:
        changes["action_host"] = args.host
    for name in ("model", "work_dir"):
        if name in changes:
            changes[name] = Path(changes[name])
    return dataclasses.replace(settings, **changes)


def check_knowledge_base() -> bool:
    result = subprocess.run([sys.executable, "-m", "hr.cli", "kb", "check"], cwd=ROOT)
    return result.returncode == 0


def interrupt(*_) -> None:
    raise KeyboardInterrupt


def run(settings: LaunchSettings) -> int:
    if not check_knowledge_base():
        print("launcher: the knowledge base check failed (see above): nothing started", file=sys.stderr)
        return 2
    supervisor = Supervisor(specs(settings, RUN_NAMES))
    for sig in (signal.SIGINT, signal.SIGTERM):  # SIGINT too: a background job starts with it ignored
        signal.signal(sig, interrupt)
    print(f"starting: action server on :{settings.action_port}, Rasa server on :{settings.rasa_port}, "
          f"chat page on http://localhost:{settings.web_port}/, HR console on http://localhost:{settings.hr_port}/ "
          "(Ctrl-C to stop)", flush=True)
    try:
        supervisor.start()
        print(f"bot ready: chat page on http://localhost:{settings.web_port}/", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    except ServerFailed as exc:
        print(f"launcher: {exc}", file=sys.stderr)
        return 1
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C does not cut the clean stop short
            signal.signal(sig, signal.SIG_IGN)
        supervisor.stop_all()
        print("bot stopped", flush=True)
    return 0


def serve(settings: LaunchSettings, name: str) -> int:
    """Replaces the launcher with the server (the container's main process)."""
    spec = BUILDERS[name](settings)
    os.chdir(spec.cwd)
    os.execve(spec.command[0], list(spec.command), spec.env)
    return 1  # not reached


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s launcher: %(message)s", datefmt="%H:%M:%S")
    settings = settings_of(args)
    if args.command == "run":
        return run(settings)
    if args.command == "serve":
        return serve(settings, args.name)
    sys.stdout.write(endpoints.render(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
