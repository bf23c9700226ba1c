"""Faults on real processes: the action server stopped or frozen, a database unreachable.

The user always gets a French apology, and the bot recovers by itself once the part is back."""
from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

import pytest

from backoffice_career.knowledge.factory import build_knowledge_base
from launcher.ports import free_port
from tests.helpers.bot_fixtures import require_model
from tests.helpers.databases import new_postgres_database
from tests.helpers.servers import running_bot
from tests.helpers.tcp_proxy import TcpProxy

QUESTION = "faut il savoir utiliser un tableur pour travailler en back office ?"


def response(domain, name):
    return domain["responses"][name][0]["text"]


def timed_texts(bot, text, sender):
    start = time.monotonic()
    texts = bot.texts(text, sender)
    return texts, time.monotonic() - start


def assert_answered(bot, sender):
    [answer] = bot.texts(QUESTION, sender)
    assert "Source :" in answer


@pytest.mark.parametrize("fault, repair", [("stop", "start"), ("pause", "resume")], ids=["stopped", "frozen"])
def test_action_server_down_gets_an_apology_within_two_seconds(bot, domain, fault, repair):
    """Stopped (connection refused) or frozen with SIGSTOP (accepts, never answers)."""
    sender = f"fault-actions-{fault}"
    assert bot.texts("bonjour", sender)
    getattr(bot.servers, fault)("actions")
    try:
        texts, elapsed = timed_texts(bot, QUESTION, sender)
        assert texts == [response(domain, "utter_action_unavailable")]
        assert elapsed < 2
    finally:
        getattr(bot.servers, repair)("actions")
    # Back without restarting the Rasa server.
    assert_answered(bot, sender)


def via(url: str, proxy: TcpProxy) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{parts.username or 'postgres'}@{proxy.address}"))


@pytest.fixture(scope="module")
def postgres_bot(tmp_path_factory, settings, normalizer, topic_specs):
    """A bot whose knowledge base and tracker store are PostgreSQL databases behind cuttable proxies."""
    require_model()
    work = tmp_path_factory.mktemp("faults")
    with new_postgres_database() as kb_url, new_postgres_database() as tracker_url:
        kb = build_knowledge_base(kb_url, settings.knowledge_dir, normalizer, topic_specs)
        target = (urlsplit(kb_url).hostname, urlsplit(kb_url).port or 5432)
        proxies = {"kb": TcpProxy(target, free_port()).start(), "tracker": TcpProxy(target, free_port()).start()}
        try:
            with running_bot(work, kb, via(kb_url, proxies["kb"]), via(tracker_url, proxies["tracker"])) as running:
                yield running, proxies
        finally:
            for proxy in proxies.values():
                proxy.stop()
            kb.engine.dispose()


def test_knowledge_base_down_then_back(postgres_bot, domain):
    bot, proxies = postgres_bot
    sender = "fault-kb-down"
    assert_answered(bot, sender)
    proxies["kb"].stop()
    try:
        assert bot.texts(QUESTION, sender) == [response(domain, "utter_kb_unavailable")]
    finally:
        proxies["kb"].start()
    assert_answered(bot, sender)
    log = (bot.servers.work / "actions.log").read_text()
    assert "knowledge base unavailable" in log


def test_tracker_store_down_then_back(postgres_bot, domain):
    bot, proxies = postgres_bot
    sender = "fault-tracker-down"
    assert_answered(bot, sender)
    proxies["tracker"].stop()
    try:
        assert bot.texts(QUESTION, sender) == [response(domain, "utter_technical_problem")]
    finally:
        proxies["tracker"].start()
    assert_answered(bot, sender)
    # The turns from before the outage are still there.
    users = [e["text"] for e in bot.tracker(sender)["events"] if e["event"] == "user"]
    assert users == [QUESTION, QUESTION]
    log = (bot.servers.work / "rasa.log").read_text()
    assert "could not be handled" in log
