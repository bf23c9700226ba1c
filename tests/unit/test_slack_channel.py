"""The Slack channel's configuration, as the Rasa server loads it from credentials.yml.
(Its behaviour is tested end to end in tests/e2e/test_slack.py.)"""
from __future__ import annotations

import pytest
import yaml
from rasa.core.run import create_http_input_channels

from backoffice_career.settings import ROOT
from rasa_server.channels.slack import RecentKeys, SlackChannel, SlackReplier

SLACK_VARS = ("SLACK_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL", "SLACK_CHANNEL")


def load_slack_channel() -> SlackChannel:
    channels = create_http_input_channels(None, str(ROOT / "credentials.yml"))
    [slack] = [c for c in channels if c.name() == "slack"]
    return slack


@pytest.fixture
def no_slack_env(monkeypatch):
    for name in SLACK_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_without_slack_variables_the_server_starts_with_slack_disabled(no_slack_env):
    channels = create_http_input_channels(None, str(ROOT / "credentials.yml"))
    assert sorted(c.name() for c in channels) == ["rest", "slack", "socketio"]
    slack = load_slack_channel()
    assert isinstance(slack, SlackChannel)
    assert not slack.enabled


@pytest.mark.parametrize("missing", ["SLACK_TOKEN", "SLACK_SIGNING_SECRET"])
def test_token_and_secret_are_both_needed(no_slack_env, missing):
    no_slack_env.setenv("SLACK_TOKEN", "xoxb-1")
    no_slack_env.setenv("SLACK_SIGNING_SECRET", "secret")
    no_slack_env.delenv(missing)
    assert not load_slack_channel().enabled


def test_configured_from_the_environment(no_slack_env):
    no_slack_env.setenv("SLACK_TOKEN", "xoxb-1")
    no_slack_env.setenv("SLACK_SIGNING_SECRET", "secret")
    slack = load_slack_channel()
    assert slack.enabled
    assert (slack.slack_token, slack.slack_signing_secret, slack.slack_channel) == ("xoxb-1", "secret", None)
    assert slack.api_url == "https://slack.com/api/"

    no_slack_env.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")
    no_slack_env.setenv("SLACK_CHANNEL", "C0BOT")
    slack = load_slack_channel()
    assert (slack.api_url, slack.slack_channel) == ("http://127.0.0.1:9/api/", "C0BOT")
    replier = slack.get_output_channel("C1", "123.4")
    assert isinstance(replier, SlackReplier)
    assert replier.client.base_url == "http://127.0.0.1:9/api/"
    assert (replier.slack_channel, replier.thread_id) == ("C1", "123.4")


def test_recent_keys_remember_any_key_of_an_event():
    recent = RecentKeys(size=3)
    assert recent.first_time(["Ev1", "msg-1", None])
    assert not recent.first_time(["Ev2", "msg-1"])  # another event for the same message
    assert not recent.first_time(["Ev1"])  # a retry
    assert recent.first_time(["Ev3"])
    assert recent.first_time(["Ev4", "Ev5"])  # pushes the oldest keys out
    assert recent.first_time(["Ev1"])


def test_manifest_subscribes_to_what_the_channel_answers_with_the_scopes_it_needs():
    manifest = yaml.safe_load((ROOT / "slack" / "manifest.yml").read_text("utf-8"))
    events = manifest["settings"]["event_subscriptions"]
    assert events["request_url"].startswith("https://")
    assert events["request_url"].endswith("/webhooks/slack/webhook")
    needed_scope = {"app_mention": "app_mentions:read", "message.channels": "channels:history",
                    "message.groups": "groups:history", "message.im": "im:history"}
    assert {"app_mention", "message.im"} <= set(events["bot_events"])
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {needed_scope[event] for event in events["bot_events"]} | {"chat:write"} == scopes
    info = manifest["display_information"]
    assert len(info["description"]) <= 140 and 175 <= len(info["long_description"]) <= 4000
    assert manifest["features"]["app_home"]["messages_tab_enabled"]


def test_redis_memory_of_handled_events_is_shared_by_workers():
    import uuid

    from rasa_server.channels.slack import RedisRecentKeys
    from tests.helpers.services import redis_url

    url = redis_url(1)
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    worker_a, worker_b = RedisRecentKeys(url, prefix=prefix), RedisRecentKeys(url, prefix=prefix)
    assert worker_a.first_time(["Ev1", "C1/1.0"])
    assert not worker_b.first_time(["Ev1", None])  # Slack's retry reaches the other worker
    assert not worker_b.first_time(["Ev2", "C1/1.0"])  # same message, other event id
    assert worker_b.first_time(["Ev3", "C1/2.0"])


def test_redis_down_falls_back_to_the_process_memory():
    from rasa_server.channels.slack import RedisRecentKeys

    keys = RedisRecentKeys("redis://127.0.0.1:1/0")
    assert keys.first_time(["Ev1"])
    assert not keys.first_time(["Ev1"])
