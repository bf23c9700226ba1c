"""PostgreSQL and Redis for the tests: the configured servers when they answer, else throwaway real ones.

Every test reads the servers through `postgres_admin_url()` and `redis_url()` (env TEST_POSTGRES_URL,
TEST_REDIS_URL). `ensure_services()` runs once at session start (tests/conftest.py), before any e2e server is
started, so child processes inherit the same variables. To check the fallback by hand:
    TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:1/postgres TEST_REDIS_URL=redis://127.0.0.1:2 \
        .venv/bin/python -m pytest tests/unit/test_lock_store.py tests/unit/test_search.py -q
The binaries come from Debian's postgresql and redis-server packages (`make services-bin`).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from launcher.ports import free_port

POSTGRES_ENV, REDIS_ENV = "TEST_POSTGRES_URL", "TEST_REDIS_URL"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379"
# initdb and postgres refuse to run as root: the throwaway server then runs as one of these users.
UNPRIVILEGED_USERS = ("postgres", "nobody")


def postgres_admin_url() -> str:
    """A superuser URL of the PostgreSQL server the tests use (databases are created on it)."""
    return os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES_URL)


def redis_url(db: int = 1) -> str:
    """The Redis URL the tests use, on database `db`."""
    base = urlsplit(os.environ.get(REDIS_ENV, DEFAULT_REDIS_URL))
    return f"redis://{base.hostname or '127.0.0.1'}:{base.port or 6379}/{db}"


def redis_params(db: int = 1) -> dict:
    """host, port and db of the tests' Redis, as Rasa's lock store takes them."""
    url = urlsplit(redis_url(db))
    return {"host": url.hostname, "port": url.port, "db": db}


def postgres_answers(url: str, timeout: float = 2) -> bool:
    import psycopg2

    try:
        psycopg2.connect(url, connect_timeout=max(1, round(timeout))).close()
        return True
    except psycopg2.OperationalError:
        return False


def redis_answers(url: str, timeout: float = 2) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def find_binary(name: str) -> str:
    """`name` from PATH, else from Debian's /usr/lib/postgresql/<version>/bin (newest version first)."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key, reverse=True)), None
    )
    if not found:
        raise RuntimeError(f"{name} is missing: run `make services-bin` (Debian's postgresql and redis-server)")
    return found


def _version_key(path: str) -> tuple:
    version = Path(path).parent.parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def unprivileged_user() -> str | None:
    """None when not root; otherwise an existing unprivileged user to run PostgreSQL as."""
    if os.geteuid() != 0:
        return None
    for name in UNPRIVILEGED_USERS:
        try:
            return pwd.getpwnam(name).pw_name
        except KeyError:
            continue
    raise RuntimeError("running as root and no unprivileged user to run PostgreSQL as (add a 'postgres' user)")


class ThrowawayServer:
    """A real server in a temporary directory, on a free loopback port; `stop()` ends it and deletes the files."""

    name = "server"
    stop_signal = signal.SIGTERM

    def __init__(self, user: str | None = None):
        self.user = user
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix=f"test-{self.name}-"))
        if user:
            entry = pwd.getpwnam(user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self.log = self.dir / "server.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        raise NotImplementedError

    def answers(self) -> bool:
        raise NotImplementedError

    def _run(self, command: list[str], **popen) -> subprocess.Popen:
        kwargs = {"user": self.user, "group": pwd.getpwnam(self.user).pw_gid, "extra_groups": []} if self.user else {}
        return subprocess.Popen(command, cwd=self.dir, stdin=subprocess.DEVNULL, **kwargs, **popen)

    def start(self, command: list[str], timeout: float = 30) -> ThrowawayServer:
        with open(self.log, "ab") as log:
            self.process = self._run(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"throwaway {self.name} did not start: {command}")
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class ThrowawayPostgres(ThrowawayServer):
    """initdb (trust auth, superuser "postgres") then `postgres` on 127.0.0.1 only, no durability."""

    name = "postgres"
    stop_signal = signal.SIGINT  # "fast" shutdown: disconnect the clients, no waiting for them

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def answers(self) -> bool:
        return postgres_answers(self.url, timeout=1)

    def start(self, timeout: float = 60) -> ThrowawayPostgres:
        data = self.dir / "data"
        initdb = [
            find_binary("initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ]
        done = self._run(initdb, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        output = done.communicate()[0]
        if done.returncode:
            raise RuntimeError(f"initdb failed: {output.decode(errors='replace')[-2000:]}")
        server = [
            find_binary("postgres"),
            "-D",
            str(data),
            "-p",
            str(self.port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={self.dir}",
            "-c",
            "fsync=off",
            "-c",
            "max_connections=200",
        ]
        return super().start(server, timeout)


class ThrowawayRedis(ThrowawayServer):
    """redis-server on 127.0.0.1, nothing saved to disk."""

    name = "redis"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def answers(self) -> bool:
        return redis_answers(self.url, timeout=1)

    def start(self, timeout: float = 30) -> ThrowawayRedis:
        command = [
            find_binary("redis-server"),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.dir),
        ]
        return super().start(command, timeout)


def ensure_services() -> list[ThrowawayServer]:
    """Start a throwaway PostgreSQL and/or Redis for each configured one that does not answer; point the env at it."""
    started = []
    try:
        if not postgres_answers(postgres_admin_url()):
            started.append(ThrowawayPostgres(unprivileged_user()).start())
            os.environ[POSTGRES_ENV] = started[-1].url
        if not redis_answers(redis_url()):
            started.append(ThrowawayRedis().start())
            os.environ[REDIS_ENV] = started[-1].url
    except BaseException:
        stop_services(started)
        raise
    return started


def stop_services(servers: list[ThrowawayServer]) -> None:
    for server in reversed(servers):
        server.stop()
