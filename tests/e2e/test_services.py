"""tests/helpers/services.py: probes, and real throwaway PostgreSQL and Redis servers started and removed."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg2
import pytest
import redis

from backoffice_career.settings import ROOT
from tests.helpers import services
from tests.helpers.services import (
    ThrowawayPostgres,
    ThrowawayRedis,
    ensure_services,
    postgres_admin_url,
    postgres_answers,
    redis_answers,
    redis_params,
    redis_url,
    stop_services,
)

CLOSED_POSTGRES, CLOSED_REDIS = "postgresql://postgres@127.0.0.1:1/postgres", "redis://127.0.0.1:2"


def test_probes_tell_a_closed_port_from_the_session_servers():
    assert not postgres_answers(CLOSED_POSTGRES) and not redis_answers(CLOSED_REDIS)
    assert postgres_answers(postgres_admin_url()) and redis_answers(redis_url())


def test_every_test_reads_the_urls_from_the_environment(monkeypatch):
    monkeypatch.setenv("TEST_REDIS_URL", "redis://127.0.0.1:7000/0")
    monkeypatch.setenv("TEST_POSTGRES_URL", CLOSED_POSTGRES)
    assert redis_url(3) == "redis://127.0.0.1:7000/3"
    assert redis_params(db=1) == {"host": "127.0.0.1", "port": 7000, "db": 1}
    assert postgres_admin_url() == CLOSED_POSTGRES


def test_answering_servers_are_used_as_they_are():
    before = dict(os.environ)
    assert ensure_services() == [] and dict(os.environ) == before


def test_throwaway_postgres_is_a_real_server_removed_at_stop():
    server = ThrowawayPostgres(services.unprivileged_user()).start()
    try:
        conn = psycopg2.connect(server.url)
        conn.autocommit = True  # CREATE DATABASE runs outside a transaction
        with conn.cursor() as cur:
            cur.execute("CREATE DATABASE throwaway_check")
            cur.execute("SHOW listen_addresses")
            assert cur.fetchone() == ("127.0.0.1",)
        conn.close()
    finally:
        server.stop()
    assert not postgres_answers(server.url) and not server.dir.exists()


def test_throwaway_redis_is_a_real_server_removed_at_stop():
    server = ThrowawayRedis().start()
    try:
        client = redis.Redis.from_url(server.url)
        assert client.set("key", "value") and client.get("key") == b"value"
        assert client.config_get("save") == {"save": ""} and client.config_get("appendonly") == {"appendonly": "no"}
        client.close()
    finally:
        server.stop()
    assert not redis_answers(server.url) and not server.dir.exists()


def test_closed_ports_get_throwaway_servers_and_the_env_points_at_them(monkeypatch):
    monkeypatch.setenv("TEST_POSTGRES_URL", CLOSED_POSTGRES)
    monkeypatch.setenv("TEST_REDIS_URL", CLOSED_REDIS)
    started = ensure_services()
    try:
        assert [s.name for s in started] == ["postgres", "redis"]
        assert postgres_admin_url() == started[0].url and postgres_answers(postgres_admin_url())
        assert redis_url(0) == f"{started[1].url}/0" and redis_answers(redis_url())
    finally:
        stop_services(started)
    assert all(s.process.poll() is not None and not s.dir.exists() for s in started)


def test_a_server_that_cannot_start_is_reported_and_cleaned_up():
    server = ThrowawayRedis()
    with pytest.raises(RuntimeError, match="did not start"):
        services.ThrowawayServer.start(server, [services.find_binary("redis-server"), "--port", "no"], timeout=10)
    assert not server.dir.exists()


def test_missing_binaries_name_the_make_target(monkeypatch):
    monkeypatch.setattr(services.shutil, "which", lambda name: None)
    monkeypatch.setattr(services.glob, "glob", lambda pattern: [])
    with pytest.raises(RuntimeError, match="make services-bin"):
        services.find_binary("initdb")


def test_debian_postgresql_binaries_newest_version_first(monkeypatch):
    monkeypatch.setattr(services.shutil, "which", lambda name: None)
    found = [
        "/usr/lib/postgresql/9.6/bin/initdb",
        "/usr/lib/postgresql/15/bin/initdb",
        "/usr/lib/postgresql/13/bin/initdb",
    ]
    monkeypatch.setattr(services.glob, "glob", lambda pattern: found)
    assert services.find_binary("initdb") == "/usr/lib/postgresql/15/bin/initdb"


def test_root_runs_postgresql_as_an_unprivileged_user(monkeypatch):
    monkeypatch.setattr(services.os, "geteuid", lambda: 0)
    assert services.unprivileged_user() in services.UNPRIVILEGED_USERS
    monkeypatch.setattr(services.os, "geteuid", lambda: 1000)
    assert services.unprivileged_user() is None


def test_the_suite_starts_its_own_servers_when_the_configured_ones_are_down():
    """The documented proof, as a test: PostgreSQL and Redis tests pass with the env pointing at closed ports."""
    env = {**os.environ, "TEST_POSTGRES_URL": CLOSED_POSTGRES, "TEST_REDIS_URL": CLOSED_REDIS}
    tests = ["tests/unit/test_lock_store.py", "tests/unit/test_search.py::test_same_results_on_postgresql"]
    command = [sys.executable, "-m", "pytest", *tests, "-q", "-p", "no:cacheprovider"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout
