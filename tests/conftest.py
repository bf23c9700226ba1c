"""Shared fixtures: the real spaCy model, real SQL databases (SQLite files, local PostgreSQL)."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from actions.knowledge.db import make_engine
from actions.knowledge.factory import build_normalizer
from actions.knowledge.ingest import build
from actions.knowledge.search import KnowledgeBase
from actions.knowledge.text import load_topics
from actions.settings import ROOT, load_settings

# Unit tests import the actions with test knowledge bases; only real action servers warm up.
os.environ["ACTIONS_WARM_UP"] = "0"

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def settings():
    return load_settings()


@pytest.fixture(scope="session")
def normalizer(settings):
    return build_normalizer(settings)


@pytest.fixture(scope="session")
def topic_specs(settings, normalizer):
    return load_topics(settings.topics_file, normalizer)


@pytest.fixture(scope="session")
def domain():
    with open(ROOT / "domain.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def make_kb(url: str, source: Path, normalizer, topic_specs, advice_dir: Path = ROOT / "data" / "advice") -> KnowledgeBase:
    engine = make_engine(url)
    build(engine, source, normalizer, topic_specs, advice_dir)
    return KnowledgeBase(engine, normalizer, topic_specs, normalizer.config)


@pytest.fixture(scope="session")
def kb(tmp_path_factory, settings, normalizer, topic_specs):
    """A knowledge base built from data/knowledge into a fresh SQLite file."""
    url = f"sqlite:///{tmp_path_factory.mktemp('kb') / 'kb.sqlite'}"
    return make_kb(url, settings.knowledge_dir, normalizer, topic_specs)


@pytest.fixture
def fresh_kb(tmp_path, settings, normalizer, topic_specs):
    """A knowledge base of its own, for tests that write to it."""
    return make_kb(f"sqlite:///{tmp_path / 'kb.sqlite'}", settings.knowledge_dir, normalizer, topic_specs)


@contextmanager
def new_postgres_database():
    """A new, empty PostgreSQL database on the local server, dropped afterwards."""
    import psycopg2
    from psycopg2 import sql

    name = f"kb_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(POSTGRES_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


@pytest.fixture
def postgres_url():
    with new_postgres_database() as url:
        yield url
