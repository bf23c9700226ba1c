"""Shared fixtures: the real spaCy model, real SQL databases (SQLite files, local PostgreSQL)."""
from __future__ import annotations

import os

import pytest
import yaml

from backoffice_career.knowledge.factory import build_knowledge_base, build_normalizer
from backoffice_career.knowledge.text import load_topics
from backoffice_career.settings import ROOT, load_settings
from tests.helpers.databases import new_postgres_database

# Unit tests import the actions with test knowledge bases; only real action servers warm up.
os.environ["ACTIONS_WARM_UP"] = "0"


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


@pytest.fixture(scope="session")
def kb(tmp_path_factory, settings, normalizer, topic_specs):
    """A knowledge base built from data/knowledge into a fresh SQLite file."""
    url = f"sqlite:///{tmp_path_factory.mktemp('kb') / 'kb.sqlite'}"
    return build_knowledge_base(url, settings.knowledge_dir, normalizer, topic_specs)


@pytest.fixture
def fresh_kb(tmp_path, settings, normalizer, topic_specs):
    """A knowledge base of its own, for tests that write to it."""
    return build_knowledge_base(f"sqlite:///{tmp_path / 'kb.sqlite'}", settings.knowledge_dir, normalizer, topic_specs)


@pytest.fixture
def postgres_url():
    with new_postgres_database() as url:
        yield url
