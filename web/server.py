"""Serves the chat page (web/) and the rasa-webchat widget installed by `npm ci`, nothing else.

python -m web.server --port 8080 --rasa-port 5005
/config.json gives the widget its French texts (web/widget.json) and the URL of the Rasa server's
socket.io channel: same host name as the page, port --rasa-port (or --socket-url when given).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Optional, Tuple
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


def load_files() -> Dict[str, Tuple[bytes, str]]:
    """Every file served, read once at start-up."""
    if not WIDGET_BUNDLE.is_file():
        raise FileNotFoundError(f"{WIDGET_BUNDLE} is missing: run `npm ci --prefix web` (make web)")
    files = {path: ((WEB / name).read_bytes(), ctype) for path, (name, ctype) in STATIC.items()}
    bundle = FONT_IMPORT.sub("", WIDGET_BUNDLE.read_text("utf-8"))
    files["/widget/webchat.js"] = (bundle.encode("utf-8"), "text/javascript; charset=utf-8")
    return files


def make_handler(files: Dict[str, Tuple[bytes, str]], widget: dict, rasa_port: int, socket_url: Optional[str]):
    class Handler(BaseHTTPRequestHandler):
        server_version = "chat-page"

        def socket_url(self) -> str:
            if socket_url:
                return socket_url
            host = urlsplit(f"//{self.headers.get('Host') or 'localhost'}").hostname or "localhost"
            host = f"[{host}]" if ":" in host else host
            return f"http://{host}:{rasa_port}"

        def send_body(self, body: bytes, ctype: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            socket = self.socket_url()
            ws = "ws" + socket[len("http"):]
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            # Only this server's scripts run, and the page talks only to the Rasa server.
            self.send_header(
                "Content-Security-Policy",
                "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                f"img-src 'self' data:; font-src 'self'; connect-src 'self' {socket} {ws}; "
                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            )
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == "/config.json":
                config = dict(widget, socketUrl=self.socket_url())
                self.send_body(json.dumps(config, ensure_ascii=False).encode("utf-8"), "application/json")
            elif path in files:
                self.send_body(*files[path])
            else:
                self.send_body(b"not found\n", "text/plain; charset=utf-8", HTTPStatus.NOT_FOUND)

        do_HEAD = do_GET

        def log_message(self, format: str, *args) -> None:  # quiet: errors only
            if args and str(args[1])[:1] in "45":
                super().log_message(format, *args)

    return Handler


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--socket-url", help="URL of the Rasa server's socket.io channel (default: page host, --rasa-port)")
    args = parser.parse_args(argv)
    try:
        files = load_files()
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    widget = json.loads((WEB / "widget.json").read_text("utf-8"))
    server = ThreadingHTTPServer((args.host, args.port), make_handler(files, widget, args.rasa_port, args.socket_url))
    print(f"chat page on http://localhost:{args.port}/ (Rasa socket.io on port {args.rasa_port})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
