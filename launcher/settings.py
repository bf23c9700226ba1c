"""The launcher's settings, taken from the project's Settings (backoffice_career/settings.py).
Command-line options override them."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from backoffice_career.settings import ROOT, load_settings


@dataclass(frozen=True)
class LaunchSettings:
    action_port: int = 5055
    rasa_port: int = 5005
    web_port: int = 8080
    hr_port: int = 8081  # the HR console (hr_console/)
    # Bind address of the servers; 0.0.0.0 in containers.
    host: str = "127.0.0.1"
    # Bind address of the action server (not a public service): loopback unless ACTION_HOST says otherwise.
    action_host: str = "127.0.0.1"
    # Shared secret the Rasa server sends to the action server; None: one generated per run (specs()).
    action_token: str | None = None
    # URL of the Rasa server's socket.io channel given to browsers; None: http://127.0.0.1:RASA_PORT.
    socket_url: str | None = None
    model: Path = ROOT / "models" / "bot.tar.gz"
    credentials: Path = ROOT / "credentials.yml"
    # Rasa's HTTP API is on only with a token.
    token: str | None = None
    # The Rasa server's action endpoint; default: the action server started beside it.
    action_url: str | None = None
    # redis://host:port/db: conversation locks shared by several Rasa processes; default: in memory.
    lock_store_url: str | None = None
    lock_store_prefix: str = "backoffice"
    # Browser origins allowed to call the Rasa server; default: the chat page.
    cors_origins: str | None = None
    # Databases of the servers; None: the servers' own defaults (SQLite files under var/).
    kb_database_url: str | None = None
    tracker_db_url: str | None = None
    # Where the rendered endpoints file and, in tests, the server logs go.
    work_dir: Path = ROOT / "var" / "run"
    # Environment of the servers (os.environ when None), and additions to it.
    base_env: Mapping[str, str] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def health_host(self) -> str:
        return "127.0.0.1" if self.host in ("", "0.0.0.0", "::") else self.host

    @property
    def action_health_host(self) -> str:
        return "127.0.0.1" if self.action_host in ("", "0.0.0.0", "::") else self.action_host

    @property
    def action_endpoint(self) -> str:
        return self.action_url or f"http://{self.action_health_host}:{self.action_port}/webhook"

    @property
    def cors(self) -> str:
        return self.cors_origins or f"http://localhost:{self.web_port} http://127.0.0.1:{self.web_port}"


def from_env(env: Mapping[str, str] | None = None) -> LaunchSettings:
    """The launcher's settings from the project's Settings (environment variables, documented in
    docs/operations.md); `env` replaces the process environment for the servers."""
    core = load_settings(env)
    return LaunchSettings(
        action_port=core.action_port,
        rasa_port=core.rasa_port,
        web_port=core.web_port,
        hr_port=core.hr_port,
        host=core.bind_address,
        action_host=core.action_host,
        action_token=core.action_token or None,
        socket_url=core.socket_url or None,
        model=core.rasa_model,
        token=core.rasa_token or None,
        action_url=core.action_server_url or None,
        lock_store_url=core.lock_store_url or None,
        lock_store_prefix=core.lock_store_prefix,
        cors_origins=core.cors_origins or None,
        base_env=env,
    )
