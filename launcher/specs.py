"""What to start: the command, health URL and environment of each server."""
from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass, replace

from launcher import endpoints
from launcher.settings import ROOT, LaunchSettings

NAMES = ("actions", "rasa", "web")
RUN_NAMES = (*NAMES, "hr")  # `make run`: the bot's servers and the HR console


@dataclass(frozen=True)
class ServerSpec:
    name: str
    command: tuple[str, ...]
    health_url: str
    env: dict[str, str]
    cwd: str = str(ROOT)


def base_env(settings: LaunchSettings) -> dict[str, str]:
    env = dict(os.environ if settings.base_env is None else settings.base_env)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    if settings.kb_database_url:
        env["KB_DATABASE_URL"] = settings.kb_database_url
    if settings.tracker_db_url:
        env["TRACKER_DB_URL"] = settings.tracker_db_url
    env.update(settings.extra_env)
    return env


def with_action_token(env: dict[str, str], settings: LaunchSettings) -> dict[str, str]:
    if settings.action_token:
        env["ACTION_TOKEN"] = settings.action_token
    return env


def action_server(settings: LaunchSettings) -> ServerSpec:
    """rasa_sdk's app with the shared-token check and the size limit (actions/server.py), on ACTION_HOST."""
    env = with_action_token(base_env(settings), settings)
    env["SANIC_HOST"] = settings.action_host
    return ServerSpec(
        "actions",
        (sys.executable, "-m", "actions.server", "--host", settings.action_host,
         "--port", str(settings.action_port)),
        f"http://{settings.action_health_host}:{settings.action_port}/health",
        env,
    )


def request_max_bytes() -> str:
    """Sanic reads no body larger than this (data/channels.yml); imported here: the page's image has no YAML."""
    from backoffice_career.resources import CHANNELS, load_yaml

    return str(load_yaml(CHANNELS)["max_request_bytes"])


def rasa_server(settings: LaunchSettings) -> ServerSpec:
    """Rasa's own `rasa run` with the project's patches, --cors from CORS_ORIGINS (rasa_server/__main__.py)."""
    command = [
        sys.executable, "-m", "rasa_server", "run", "--model", str(settings.model),
        "--interface", settings.host, "--port", str(settings.rasa_port),
        "--credentials", str(settings.credentials), "--endpoints", str(endpoints.write(settings)),
    ]
    if settings.token:
        command += ["--enable-api", "--auth-token", settings.token]
    env = with_action_token(base_env(settings), settings)
    env["CORS_ORIGINS"] = settings.cors
    env["SANIC_REQUEST_MAX_SIZE"] = request_max_bytes()
    return ServerSpec(
        "rasa", tuple(command), f"http://{settings.health_host}:{settings.rasa_port}/webhooks/rest/", env
    )


def web_server(settings: LaunchSettings) -> ServerSpec:
    """The chat page (web/server.py); the widget talks to the Rasa server on --rasa-port (or SOCKET_URL)."""
    command = [sys.executable, "-m", "web.server", "--host", settings.host, "--port", str(settings.web_port),
               "--rasa-port", str(settings.rasa_port)]
    if settings.socket_url:
        command += ["--socket-url", settings.socket_url]
    return ServerSpec(
        "web",
        tuple(command),
        f"http://{settings.health_host}:{settings.web_port}/",
        base_env(settings),
    )


def hr_console(settings: LaunchSettings) -> ServerSpec:
    """The HR console (hr_console/), on HR_PORT; its login page answers the health check."""
    return ServerSpec(
        "hr",
        (sys.executable, "-m", "hr_console", "serve", "--host", settings.host, "--port", str(settings.hr_port)),
        f"http://{settings.health_host}:{settings.hr_port}/login",
        base_env(settings),
    )


BUILDERS = {"actions": action_server, "rasa": rasa_server, "web": web_server, "hr": hr_console}


def specs(settings: LaunchSettings, names=NAMES) -> list[ServerSpec]:
    """The servers started together; without ACTION_TOKEN, the Rasa and action servers share one made now."""
    if settings.action_token is None and {"actions", "rasa"} <= set(names):
        settings = replace(settings, action_token=secrets.token_urlsafe(32))
    return [BUILDERS[name](settings) for name in names]
