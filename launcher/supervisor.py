"""Start the servers, wait until they answer, restart a crashed one with back-off, stop them all.

Each server runs in its own session (process group): Ctrl-C in a terminal reaches the launcher only,
which then stops every server, forked workers included."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from launcher.specs import ServerSpec

log = logging.getLogger("launcher")
STOP_TIMEOUT = 30.0


class ServerFailed(RuntimeError):
    """A server exited or did not answer while starting."""


@dataclass(frozen=True)
class Backoff:
    """Delays between restarts: initial, then x factor up to cap; back to initial once a server has
    stayed up reset_after seconds."""

    initial: float = 1.0
    factor: float = 2.0
    cap: float = 30.0
    reset_after: float = 60.0

    def next(self, previous: float | None, uptime: float) -> float:
        if previous is None or uptime >= self.reset_after:
            return self.initial
        return min(previous * self.factor, self.cap)


class Child:
    """One server process (replaced by a new one on each restart)."""

    def __init__(self, spec: ServerSpec, log_path: Path | None):
        self.spec = spec
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self.supervised = False  # restarted when it exits
        self.restarts = 0
        self.delay: float | None = None
        self.started = 0.0
        self.restart_at: float | None = None

    @property
    def process(self) -> subprocess.Popen:
        if self.proc is None:
            raise ServerFailed(f"{self.spec.name} was never started")
        return self.proc

    def spawn(self) -> None:
        out = open(self.log_path, "ab") if self.log_path else None
        try:
            self.proc = subprocess.Popen(
                self.spec.command, cwd=self.spec.cwd, env=self.spec.env, stdout=out,
                stderr=subprocess.STDOUT if out else None, start_new_session=True,
            )
        finally:
            if out:
                out.close()  # the child has its own copy
        self.started = time.monotonic()

    def signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def terminate(self, timeout: float = STOP_TIMEOUT) -> None:
        if self.proc is None:
            return
        self.signal_group(signal.SIGTERM)
        self.signal_group(signal.SIGCONT)  # a frozen server must run to stop
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop within %.0f s: killed", self.spec.name, timeout)
            self.signal_group(signal.SIGKILL)
            self.process.wait()
        self.signal_group(signal.SIGKILL)  # what is left of its group (forked workers)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.spec.health_url, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def tail(self, chars: int = 3000) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text("utf-8", "replace")[-chars:]


class Supervisor:
    """The servers of `specs`; logs in log_dir/NAME.log when given, else the launcher's own output."""

    def __init__(self, specs: Iterable[ServerSpec], log_dir: Path | None = None,
                 backoff: Backoff = Backoff(), poll: float = 0.2):
        self.children: dict[str, Child] = {
            spec.name: Child(spec, log_dir / f"{spec.name}.log" if log_dir else None) for spec in specs
        }
        self.backoff = backoff
        self.poll = poll
        self._lock = threading.RLock()
        self._halt = threading.Event()
        self._monitor: threading.Thread | None = None

    def process(self, name: str) -> subprocess.Popen:
        return self.children[name].process

    def restarts(self, name: str) -> int:
        return self.children[name].restarts

    def start(self, names: Iterable[str] | None = None, timeout: float = 240) -> None:
        """Starts the servers together and waits until each answers; then supervises them."""
        names = list(names or self.children)
        with self._lock:
            for name in names:
                self.children[name].spawn()
                log.info("%s starting (pid %d)", name, self.children[name].process.pid)
        try:
            self.wait_healthy(names, timeout)
        except BaseException:
            for name in names:
                self.children[name].terminate()
            raise
        with self._lock:
            for name in names:
                self.children[name].supervised, self.children[name].delay = True, None
        self._ensure_monitor()

    def wait_healthy(self, names: Iterable[str], timeout: float) -> None:
        deadline, pending = time.monotonic() + timeout, set(names)
        while pending:
            for name in sorted(pending):
                child = self.children[name]
                if child.process.poll() is not None:
                    raise ServerFailed(f"{name} exited with code {child.process.returncode}\n{child.tail()}")
                if child.healthy():
                    pending.discard(name)
                    log.info("%s up on %s", name, child.spec.health_url)
            if pending and time.monotonic() > deadline:
                raise ServerFailed(f"{', '.join(sorted(pending))} not up after {timeout:.0f} s")
            if pending:
                time.sleep(0.5)

    def stop(self, name: str) -> None:
        """Stops a server for good (no restart) until start() is called again."""
        with self._lock:
            child = self.children[name]
            child.supervised, child.restart_at = False, None
        child.terminate()

    def stop_all(self) -> None:
        self._halt.set()
        if self._monitor is not None:
            self._monitor.join()
        for name in reversed(list(self.children)):
            self.stop(name)

    def send_signal(self, name: str, sig: int) -> None:
        self.children[name].process.send_signal(sig)

    def check(self) -> None:
        """One round of supervision: notices exits, restarts when the back-off delay is over."""
        now = time.monotonic()
        with self._lock:
            for child in self.children.values():
                if child.supervised and child.restart_at is None and child.process.poll() is not None:
                    self._schedule_restart(child, now)
                elif child.supervised and child.restart_at is not None and now >= child.restart_at:
                    self._restart(child)

    def _schedule_restart(self, child: Child, now: float) -> None:
        child.signal_group(signal.SIGKILL)  # leftovers of the dead server
        uptime = now - child.started
        child.delay = self.backoff.next(child.delay, uptime)
        child.restart_at = now + child.delay
        log.warning("%s exited with code %s after %.1f s; restarting in %.1f s",
                    child.spec.name, child.process.returncode, uptime, child.delay)

    def _restart(self, child: Child) -> None:
        child.restart_at = None
        child.spawn()
        child.restarts += 1
        log.warning("%s restarted (pid %d, restart #%d)", child.spec.name, child.process.pid, child.restarts)

    def _ensure_monitor(self) -> None:
        if self._monitor is None or not self._monitor.is_alive():
            self._halt.clear()
            self._monitor = threading.Thread(target=self._watch, name="launcher-supervisor", daemon=True)
            self._monitor.start()

    def _watch(self) -> None:
        while not self._halt.wait(self.poll):
            try:
                self.check()
            except Exception:  # noqa: BLE001 - keep supervising the others
                log.exception("supervision round failed")
