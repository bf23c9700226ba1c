"""python -m hr_console serve [--host H] [--port P] | users create NAME

  serve         the console on HR_PORT (default 8081), served by waitress
  users create  an HR account; the password is asked at the prompt, or read from the environment variable
                HR_PASSWORD, or from the standard input with --password-stdin (scripts). No default account.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from backoffice_career.knowledge.db import make_engine
from backoffice_career.no_jax import block_jax
from backoffice_career.settings import load_settings
from hr_console.auth import AccountError, create_account
from hr_console.models import create_console_schema
from hr_console.texts import texts

PASSWORD_ENV = "HR_PASSWORD"


def _password(name: str, from_stdin: bool) -> str | None:
    t = texts()["users"]
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    first = getpass.getpass(t["password_prompt"].format(name=name))
    if getpass.getpass(t["repeat_prompt"]) != first:
        print(t["mismatch"], file=sys.stderr)
        return None
    return first


def create_user(args: argparse.Namespace) -> int:
    t = texts()["users"]
    password = _password(args.name, args.password_stdin)
    if password is None:
        return 2
    engine = make_engine(args.url or load_settings().kb_database_url)
    create_console_schema(engine)
    try:
        create_account(engine, args.name, password)
    except AccountError as exc:
        print(t[exc.code], file=sys.stderr)
        return 2
    print(t["created"].format(name=args.name))
    return 0


def serve(args: argparse.Namespace) -> int:
    from waitress import serve as waitress_serve

    from hr_console.app import create_app

    settings = load_settings()
    waitress_serve(
        create_app(settings), host=args.host or settings.bind_address, port=args.port or settings.hr_port,
        threads=4, max_request_body_size=22 * 1024 * 1024,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    block_jax()  # before the knowledge base (bm25s) is imported
    parser = argparse.ArgumentParser(prog="python -m hr_console", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="serve the console")
    run.add_argument("--host")
    run.add_argument("--port", type=int)
    run.set_defaults(handler=serve)
    users = commands.add_parser("users", help="HR accounts")
    sub = users.add_subparsers(dest="action", required=True)
    create = sub.add_parser("create", help="create an HR account")
    create.add_argument("name")
    create.add_argument("--password-stdin", action="store_true", help="read the password from the standard input")
    create.add_argument("--url", help="knowledge-base database URL (default: KB_DATABASE_URL)")
    create.set_defaults(handler=create_user)
    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
