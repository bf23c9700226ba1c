"""The HR console on real databases: driven with Flask's test client (tests/unit/test_hr_console_*.py), or served
as `make run` serves it (the launcher's "hr" server: waitress on a free port) for the e2e and browser tests, with
an account made by the CLI and an HTTP client that logs in and sends the CSRF token (HttpConsole)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from backoffice_career.knowledge.factory import build_knowledge_base
from backoffice_career.privacy.conversations import ConversationStore
from backoffice_career.settings import ROOT, load_settings
from hr_console.app import create_app
from hr_console.auth import create_account
from launcher.ports import free_port
from launcher.settings import LaunchSettings
from tests.helpers.servers import Servers

NAME, PASSWORD = "rh.claire", "un mot de passe assez long"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


@dataclass
class Console:
    app: Any
    client: Any
    kb: Any
    conversations: ConversationStore
    settings: Any

    def csrf(self, path: str = "/login") -> str:
        page = self.client.get(path).get_data(as_text=True)
        match = CSRF.search(page)
        assert match, page
        return match.group(1) or match.group(2)

    def login(self, name: str = NAME, password: str = PASSWORD):
        token = self.csrf("/login")
        return self.client.post("/login", data={"name": name, "password": password, "csrf_token": token})

    def post(self, path: str, data: dict | None = None, page: str = "/", **kwargs):
        return self.client.post(path, data={**(data or {}), "csrf_token": self.csrf(page)}, **kwargs)


def make_console(tmp_path: Path, db_url: str, normalizer, topic_specs, **env: str) -> Console:
    """A console on a knowledge base built from a copy of data/knowledge into `db_url`, one HR account."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(ROOT / "data" / "knowledge", knowledge)
    settings = load_settings({
        "KB_DATABASE_URL": db_url, "KB_KNOWLEDGE_DIR": str(knowledge), "TRACKER_DB_URL": db_url,
        "EXPORTS_DIR": str(tmp_path / "exports"), "HR_SESSION_SECRET": "test-secret-" + "x" * 20,
        "RASA_MODEL": str(tmp_path / "no-model.tar.gz"), **env,
    })
    kb = build_knowledge_base(db_url, knowledge, normalizer, topic_specs)
    conversations = ConversationStore(kb.engine)
    app = create_app(settings, kb, conversations)
    app.extensions["hr"]["ingest_normalizer"] = normalizer  # the session's spaCy, not a second one
    create_account(kb.engine, NAME, PASSWORD)
    return Console(app, app.test_client(), kb, conversations, settings)


def create_account_with_the_cli(kb_url: str, name: str = NAME, password: str = PASSWORD) -> None:
    """`python -m hr_console users create NAME --password-stdin --url KB_URL`, as HR's admin does."""
    created = subprocess.run(
        [sys.executable, "-m", "hr_console", "users", "create", name, "--password-stdin", "--url", kb_url],
        input=password + "\n", capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert created.returncode == 0, created.stderr


def copy_of_the_documents(folder: Path) -> Path:
    """A copy of data/knowledge: documents uploaded in a test's console go there, never into the project."""
    shutil.copytree(ROOT / "data" / "knowledge", folder)
    return folder


@contextmanager
def served_console(
    work: Path, kb_url: str, tracker_url: str, knowledge_dir: Path, **env: str
) -> Iterator[str]:
    """The console on a free port, started by the launcher as `make run` starts it; yields its base URL.

    `knowledge_dir`: the folder that uploads go to and that a rebuild reads (a copy of data/knowledge)."""
    port = free_port()
    settings = LaunchSettings(
        hr_port=port, kb_database_url=kb_url, tracker_db_url=tracker_url, work_dir=work,
        extra_env={
            "HR_SESSION_SECRET": uuid.uuid4().hex, "EXPORTS_DIR": str(work / "exports"),
            "KB_KNOWLEDGE_DIR": str(knowledge_dir), **env,
        },
    )
    servers = Servers(settings, names=("hr",))
    try:
        servers.start("hr")
        yield f"http://127.0.0.1:{port}"
    finally:
        servers.stop_all()


class HttpConsole:
    """A logged-in HR session over HTTP (requests): each POST carries the CSRF token of the page it comes from."""

    def __init__(self, base: str, name: str = NAME, password: str = PASSWORD):
        self.base = base
        self.http = requests.Session()
        response = self.post("/login", {"name": name, "password": password}, page="/login")
        assert response.status_code == 200 and response.url.rstrip("/") == base, response.text

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.base + path, timeout=30)

    def csrf(self, page: str) -> str:
        match = CSRF.search(self.get(page).text)
        assert match, page
        return match.group(1) or match.group(2)

    def post(self, path: str, data: dict, page: str) -> requests.Response:
        return self.http.post(self.base + path, data={**data, "csrf_token": self.csrf(page)}, timeout=120)
