"""Clients of the security tests (tests/e2e/test_security.py): a chat-page visitor on socket.io, oversized
and half-sent HTTP requests on raw sockets, and what /proc says about a server process."""
from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import socketio

ORIGIN = "http://127.0.0.1"
MB = 1024 * 1024


class Visitor:
    """A tab of the chat page: python-socketio's client speaking rasa-webchat's protocol. `session_id` is
    what the tab sends at `session_request` (rasa-webchat re-sends the id it stored)."""

    def __init__(self, url: str, session_id: object = None, timeout: float = 30) -> None:
        self.replies: list[dict] = []
        self.confirmations: list[str] = []
        confirmed = threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", self.replies.append)

        def on_confirm(signed: str) -> None:
            self.confirmations.append(signed)
            confirmed.set()

        self.client.on("session_confirm", on_confirm)
        self.client.connect(url, transports=["polling"], headers={"Origin": ORIGIN}, wait_timeout=timeout)
        self.client.emit("session_request", {"session_id": session_id})
        assert confirmed.wait(timeout), "no session_confirm"

    @property
    def token(self) -> str:
        """The signed session id the server confirmed (what the widget stores)."""
        return self.confirmations[-1]

    @property
    def session_id(self) -> str:
        return self.token.partition(".")[0]

    def texts(self) -> list[str]:
        return [reply.get("text", "") for reply in self.replies]

    def say(self, text: str, session_id: object = None, timeout: float = 60, settle: float = 2.0) -> list[str]:
        """Sends `text` (with `session_id` in the message, as the widget does: the tab's own by default)
        and returns the replies: at least one, then whatever comes until `settle` seconds pass without any."""
        before = len(self.replies)
        sent = self.token if session_id is None else session_id
        self.client.emit("user_uttered", {"message": text, "session_id": sent})
        deadline, seen, quiet_since = time.monotonic() + timeout, before, time.monotonic()
        while time.monotonic() < deadline:
            if len(self.replies) != seen:
                seen, quiet_since = len(self.replies), time.monotonic()
            elif seen > before and time.monotonic() - quiet_since >= settle:
                break
            self.client.sleep(0.1)
        return [reply.get("text", "") for reply in self.replies[before:]]

    def close(self) -> None:
        self.client.disconnect()


def resident_mb(pid: int) -> float:
    """VmRSS of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


def thread_count(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise AssertionError(f"no Threads for {pid}")


def listening_addresses(port: int) -> set[str]:
    """IPv4 addresses with a socket listening on `port` (/proc/net/tcp, state 0A)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, local_port = local.split(":")
        if state == "0A" and int(local_port, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def oversized_post(port: int, path: str, size: int, headers: dict | None = None, chunk: int = MB,
                   timeout: float = 30) -> str:
    """POSTs a `size`-byte JSON body announced by Content-Length, streaming it until the server stops
    reading; returns the status line of the answer ('' when the server closed without one)."""
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n{extra}"
            f"Content-Length: {size}\r\n\r\n").encode("ascii")
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(head)
        block, sent = b"x" * chunk, 0
        try:
            while sent < size:
                conn.sendall(block[: min(chunk, size - sent)])
                sent += chunk
        except OSError:  # the server closed the connection: it does not read the body
            pass
        try:
            return conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
        except OSError:
            return ""


def parallel_oversized_posts(port: int, path: str, size: int, headers: dict | None = None,
                             count: int = 3) -> list[str]:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: oversized_post(port, path, size, headers), range(count)))


def half_sent_requests(port: int, count: int) -> list[socket.socket]:
    """`count` connections that send the start of a request and then nothing (slow loris)."""
    sockets = []
    for _ in range(count):
        conn = socket.create_connection(("127.0.0.1", port), timeout=30)
        conn.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        sockets.append(conn)
    return sockets


def closed_by_server(conn: socket.socket, timeout: float) -> bool:
    """True when the server ends a half-sent request (EOF, an error page or a reset) within `timeout`."""
    conn.settimeout(timeout)
    try:
        conn.recv(1024)
    except TimeoutError:
        return False
    except OSError:
        pass
    return True
