"""Serves the chat page (web/) and the rasa-webchat widget installed by `npm ci`, nothing else.

python -m web.server --port 8080 --rasa-port 5005
/config.json gives the widget its French texts (web/widget.json) and the URL of the Rasa server's
socket.io channel: --socket-url, else http://127.0.0.1:--rasa-port. The page's Content-Security-Policy
allows that URL only; nothing of the request (no `Host` header) is copied into an answer.

Each connection has a socket timeout (a half-sent request is dropped after --timeout seconds) and at most
--max-threads requests are served at once: further connections wait in the listen queue, no thread is
started for them.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from backoffice_career.settings import ROOT

WEB = ROOT / "web"
WIDGET_BUNDLE = WEB / "node_modules" / "rasa-webchat" / "lib" / "index.js"
# The widget's CSS imports a Google font; the page uses system fonts and loads nothing from a CDN.
FONT_IMPORT = re.compile(r"@import url\(https://fonts\.googleapis\.com/[^)]*\);")
STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/chat.js": ("chat.js", "text/javascript; charset=utf-8"),
    "/style.css": ("style.css", "text/css; charset=utf-8"),
}


def load_files() -> dict[str, tuple[bytes, str]]:
    """Every file served, read once at start-up."""
    if not WIDGET_BUNDLE.is_file():
        raise FileNotFoundError(f"{WIDGET_BUNDLE} is missing: run `npm ci --prefix web` (make web)")
    files = {path: ((WEB / name).read_bytes(), ctype) for path, (name, ctype) in STATIC.items()}
    bundle = FONT_IMPORT.sub("", WIDGET_BUNDLE.read_text("utf-8"))
    files["/widget/webchat.js"] = (bundle.encode("utf-8"), "text/javascript; charset=utf-8")
    return files


class BoundedThreadingHTTPServer(ThreadingHTTPServer):
    """A thread per request, at most `max_threads` at once: at the cap, accepting waits for a free slot
    (new connections wait in a listen queue of `request_queue_size`)."""

    request_queue_size = 128

    def __init__(self, address, handler, max_threads: int) -> None:
        self.slots = threading.BoundedSemaphore(max_threads)
        super().__init__(address, handler)

    def process_request(self, request, client_address) -> None:
        self.slots.acquire()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


def make_handler(files: dict[str, tuple[bytes, str]], widget: dict, socket_url: str, timeout: float):
    ws_url = "ws" + socket_url[len("http"):]
    policy = (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data:; font-src 'self'; connect-src 'self' {socket_url} {ws_url}; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    config = json.dumps(dict(widget, socketUrl=socket_url), ensure_ascii=False).encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        server_version = "chat-page"

        def send_body(self, body: bytes, ctype: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            # Only this server's scripts run, and the page talks only to the Rasa server.
            self.send_header("Content-Security-Policy", policy)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == "/config.json":
                self.send_body(config, "application/json")
            elif path in files:
                self.send_body(*files[path])
            else:
                self.send_body(b"not found\n", "text/plain; charset=utf-8", HTTPStatus.NOT_FOUND)

        do_HEAD = do_GET

        def log_message(self, format: str, *args) -> None:  # quiet: errors only
            if args and str(args[1])[:1] in "45":
                super().log_message(format, *args)

    Handler.timeout = timeout  # socket timeout of each connection (StreamRequestHandler.setup)
    return Handler


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument(
        "--socket-url", help="URL of the Rasa server's socket.io channel (default: http://127.0.0.1:--rasa-port)"
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="socket timeout of a connection, seconds")
    parser.add_argument("--max-threads", type=int, default=64, help="requests served at once")
    args = parser.parse_args(argv)
    socket_url = args.socket_url or f"http://127.0.0.1:{args.rasa_port}"
    if urlsplit(socket_url).scheme not in ("http", "https"):
        print(f"error: --socket-url must be an http(s) URL, not {socket_url!r}", file=sys.stderr)
        return 2
    try:
        files = load_files()
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    widget = json.loads((WEB / "widget.json").read_text("utf-8"))
    handler = make_handler(files, widget, socket_url.rstrip("/"), args.timeout)
    server = BoundedThreadingHTTPServer((args.host, args.port), handler, args.max_threads)
    print(f"chat page on http://localhost:{args.port}/ (Rasa socket.io at {socket_url})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
