"""The HR console on real databases, driven with Flask's test client (tests/unit/test_hr_console_*.py)."""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backoffice_career.knowledge.factory import build_knowledge_base
from backoffice_career.privacy.conversations import ConversationStore
from backoffice_career.settings import ROOT, load_settings
from hr_console.app import create_app
from hr_console.auth import create_account

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
