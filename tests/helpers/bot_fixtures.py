"""Fixtures of the end-to-end and browser tests: the real action server, Rasa server (REST, socket.io, Slack)
and chat page server, started on free ports by the launcher (launcher/), as `make run` starts them
(tests/helpers/servers.py). The Slack channel is pointed at a fake Slack Web API on loopback.

Registered for the whole suite by tests/conftest.py (pytest_plugins)."""
from __future__ import annotations

import uuid

import pytest

from backoffice_career.knowledge.factory import build_knowledge_base
from backoffice_career.settings import ROOT
from launcher.ports import free_port
from tests.helpers.fake_slack import SLACK_CHANNEL, SLACK_SIGNING_SECRET, SLACK_TOKEN, FakeSlack
from tests.helpers.servers import running_bot

MODEL = ROOT / "models" / "bot.tar.gz"


@pytest.fixture(scope="session")
def fake_slack():
    fake = FakeSlack(SLACK_TOKEN).start()
    yield fake
    fake.stop()


def require_model() -> None:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make model` (make test does it)")


@pytest.fixture(scope="session")
def bot(tmp_path_factory, settings, normalizer, topic_specs, fake_slack):
    require_model()
    work = tmp_path_factory.mktemp("e2e")
    kb_url = f"sqlite:///{work / 'kb.sqlite'}"
    kb = build_knowledge_base(kb_url, settings.knowledge_dir, normalizer, topic_specs)
    slack_env = dict(
        SLACK_TOKEN=SLACK_TOKEN, SLACK_SIGNING_SECRET=SLACK_SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url, SLACK_CHANNEL=SLACK_CHANNEL,
    )
    web_port = free_port()  # the chat page's origin must be allowed before the Rasa server starts
    cors = f"http://127.0.0.1 http://127.0.0.1:{web_port}"
    tracker_url = f"sqlite:///{work / 'tracker.sqlite'}"
    servers_env = {
        **slack_env, "EXPORTS_DIR": str(work / "exports"),  # reports and exports of this bot
        # As in production: REST for trusted callers only (Bot.send sends the token), a session key of its own.
        "REST_TOKEN": uuid.uuid4().hex, "SESSION_SECRET": uuid.uuid4().hex,
    }
    with running_bot(work, kb, kb_url, tracker_url, servers_env, web_port=web_port, cors_origins=cors) as running:
        yield running


@pytest.fixture(scope="session")
def chat_page(bot):
    """URL of the chat page, served by web/server.py (started by the launcher) and talking to the test's Rasa
    server."""
    bot.servers.start("web")
    try:
        yield f"http://127.0.0.1:{bot.web_port}/"
    finally:
        bot.servers.stop("web")
