"""Shared fixtures: the real spaCy model, real SQL databases (SQLite files, local PostgreSQL)."""
from __future__ import annotations

import os

import pytest
import yaml

from backoffice_career.knowledge.factory import build_knowledge_base, build_normalizer
from backoffice_career.knowledge.text import load_topics
from backoffice_career.settings import ROOT, get_settings, load_settings
from tests.helpers.databases import new_postgres_database
from tests.helpers.services import POSTGRES_ENV, REDIS_ENV, ensure_services, stop_services

# The real servers of the e2e and browser tests, shared by both folders.
pytest_plugins = ["tests.helpers.bot_fixtures"]

# Unit tests import the actions with test knowledge bases; only real action servers warm up.
os.environ["ACTIONS_WARM_UP"] = "0"

SERVICES = pytest.StashKey[tuple]()


def pytest_configure(config):
    """PostgreSQL and Redis for the whole session: the configured ones, or throwaway ones started here (before any
    e2e server, which inherits TEST_POSTGRES_URL and TEST_REDIS_URL)."""
    saved = {name: os.environ.get(name) for name in (POSTGRES_ENV, REDIS_ENV)}
    config.stash[SERVICES] = (ensure_services(), saved)


def pytest_unconfigure(config):
    started, saved = config.stash.get(SERVICES, ([], {}))
    stop_services(started)
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(autouse=True)
def fresh_settings():
    """get_settings() reads the environment again in each test (a test may change it with monkeypatch)."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


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


# Each test gets the marker of its directory (registered in pyproject.toml): `pytest -m unit`, `-m "not browser"`.
MARKER_DIRECTORIES = ("unit", "model", "e2e", "browser")


# Fixtures of session scope that start something costly. With pytest-xdist (`make unit`: two workers,
# --dist loadgroup) a module using one of them runs on that fixture's worker, so each starts once; any other
# module runs whole on one worker (its module fixtures start once too).
SHARED_SESSION_FIXTURES = {"bot": "session-bot", "batch_nlu": "trained-model"}


def xdist_groups(items) -> list[str]:
    """The worker group of each test: its module's shared session fixture, else its module."""
    modules = [item.nodeid.split("::", 1)[0] for item in items]
    shared: dict[str, str] = {}
    for module, item in zip(modules, items, strict=True):
        for fixture, group in SHARED_SESSION_FIXTURES.items():
            if fixture in getattr(item, "fixturenames", ()):
                shared.setdefault(module, group)
    return [shared.get(module, module) for module in modules]


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the xdist_group marks
def pytest_collection_modifyitems(config, items):
    tests_dir = ROOT / "tests"
    for item in items:
        parts = item.path.relative_to(tests_dir).parts if item.path.is_relative_to(tests_dir) else ()
        if parts and parts[0] in MARKER_DIRECTORIES:
            item.add_marker(parts[0])
    if config.pluginmanager.hasplugin("xdist"):
        for item, group in zip(items, xdist_groups(items), strict=True):
            item.add_marker(pytest.mark.xdist_group(group))
