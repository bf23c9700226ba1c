"""The action server: rasa_sdk's app (what `rasa run actions` serves), not a public service.

python -m actions.server --host 127.0.0.1 --port 5055   (started by the launcher: launcher/specs.py)

- binds --host (the launcher passes ACTION_HOST, default 127.0.0.1);
- bodies larger than data/channels.yml `max_request_bytes` get 413 before they are read;
- with ACTION_TOKEN set, every call but /health must carry it in the X-Action-Token header (the Rasa
  server sends it: launcher/endpoints.py); without it the call gets 401 and no action runs.
"""
from __future__ import annotations

import argparse
import hmac
import logging

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from backoffice_career.no_jax import block_jax
from backoffice_career.resources import CHANNELS, load_yaml
from backoffice_career.settings import load_settings

logger = logging.getLogger(__name__)
TOKEN_HEADER = "X-Action-Token"
OPEN_PATHS = frozenset({"/health"})


def token_matches(expected: str, given: str | None) -> bool:
    return hmac.compare_digest((given or "").encode("utf-8"), expected.encode("utf-8"))


def build_app(token: str, max_request_bytes: int) -> Sanic:
    """rasa_sdk's app for the `actions` package, with the size limit and, when `token`, its check."""
    app = create_app("actions", cors_origins="")  # no browser calls the action server
    app.config.REQUEST_MAX_SIZE = max_request_bytes

    async def too_large(request: Request, exception: Exception) -> HTTPResponse:
        return response.json({"error": "request body too large"}, status=413)  # rasa_sdk's handler says 500

    app.exception(PayloadTooLarge)(too_large)

    async def check_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or token_matches(token, request.headers.get(TOKEN_HEADER)):
            return None
        logger.warning("action server: call to %s without the shared token refused", request.path)
        return response.json({"error": "unauthorized"}, status=401)

    if token:
        app.register_middleware(check_token, "request")
    else:
        logger.warning("action server: ACTION_TOKEN is not set: calls are not authenticated")
    return app


def main(argv: list[str] | None = None) -> None:
    block_jax()  # before the actions (and bm25s) are imported
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    utils.configure_colored_logging("INFO")
    utils.update_sanic_log_level()
    app = build_app(load_settings().action_token, int(load_yaml(CHANNELS)["max_request_bytes"]))
    logger.info("action server on http://%s:%d", args.host, args.port)
    app.run(args.host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
