"""One typed Settings object read from the environment, and the one YAML loader of data/."""
from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from backoffice_career.resources import load_yaml
from backoffice_career.settings import ROOT, SLACK_API_URL, get_settings, load_settings

ENV_NAMES = (
    "KB_DATABASE_URL", "KB_KNOWLEDGE_DIR", "KB_CONFIG", "KB_TOPICS", "KB_ADVICE_DIR", "SPACY_MODEL", "KB_MAX_PASSAGES",
    "KB_MIN_SCORE", "KB_EXTRA_MIN_SCORE", "KB_EXTRA_MIN_COVERAGE", "KB_REVIEW_CONFIDENCE", "FAQ_MIN_CONFIDENCE",
    "TRACKER_DB_URL", "RETENTION_DAYS", "TRACKER_CACHE_SIZE", "CORS_ORIGINS", "ACTION_TIMEOUT",
    "MAX_CONCURRENT_MESSAGES", "ACTIONS_WARM_UP", "SLACK_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL",
    "SLACK_CHANNEL", "SLACK_DEDUPE_REDIS_URL",
)


@pytest.fixture
def clean_env(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults(clean_env):
    s = load_settings()
    assert s.kb_database_url == f"sqlite:///{ROOT / 'var' / 'kb.sqlite'}"
    assert s.knowledge_dir == ROOT / "data" / "knowledge"
    assert (s.max_passages, s.min_score, s.retention_days, s.review_confidence) == (3, 0.5, 180, 0.55)
    assert (s.tracker_cache_size, s.max_concurrent_messages, s.action_timeout) == (500, 2, 1.5)
    assert s.actions_warm_up and s.faq_min_confidence is None and s.cors_origin_list == []
    assert (s.slack_api_url, s.slack_channel, s.slack_enabled) == (SLACK_API_URL, None, False)


def test_the_review_line_is_the_same_for_answers_the_faq_batch_and_self_descriptions(clean_env):
    """Three readers of one calibrated line (KB_REVIEW_CONFIDENCE's default): they must move together."""
    line = load_settings().review_confidence
    assert load_yaml(ROOT / "data" / "faq.yml")["min_confidence"] == line
    assert load_yaml(ROOT / "data" / "profile" / "extraction.yml")["self_description"]["unsure_below"] == line


@pytest.mark.parametrize("raw, count", [("7", 7), ("-3", 0), ("x", 500), ("0", 0)])
def test_counts_are_tolerant_negative_is_zero_and_junk_the_default(clean_env, raw, count):
    clean_env.setenv("TRACKER_CACHE_SIZE", raw)
    clean_env.setenv("MAX_CONCURRENT_MESSAGES", raw)
    s = load_settings()
    assert s.tracker_cache_size == count
    assert s.max_concurrent_messages == (2 if raw == "x" else count)


@pytest.mark.parametrize("raw, seconds", [("0.7", 0.7), ("0", 1.5), ("-1", 1.5), ("soon", 1.5)])
def test_action_timeout_is_a_positive_number_or_the_default(clean_env, raw, seconds):
    clean_env.setenv("ACTION_TIMEOUT", raw)
    assert load_settings().action_timeout == seconds


def test_environment_values_are_typed(clean_env):
    clean_env.setenv("KB_MAX_PASSAGES", "5")
    clean_env.setenv("RETENTION_DAYS", "30")
    clean_env.setenv("CORS_ORIGINS", "https://a.example, https://b.example")
    clean_env.setenv("ACTIONS_WARM_UP", "0")
    clean_env.setenv("SLACK_API_URL", "")
    clean_env.setenv("SLACK_CHANNEL", "C0BOT")
    s = load_settings()
    assert (s.max_passages, s.retention_days, s.actions_warm_up) == (5, 30, False)
    assert s.cors_origin_list == ["https://a.example", "https://b.example"]
    assert (s.slack_api_url, s.slack_channel) == (SLACK_API_URL, "C0BOT")


def test_a_bad_number_elsewhere_stops_the_start_up(clean_env):
    clean_env.setenv("KB_MAX_PASSAGES", "many")
    with pytest.raises(ValidationError):
        load_settings()


def test_get_settings_reads_once_load_settings_reads_again(clean_env):
    first = get_settings()
    clean_env.setenv("RETENTION_DAYS", "12")
    assert get_settings() is first and first.retention_days == 180
    assert load_settings().retention_days == 12
    with pytest.raises(TypeError):
        first.retention_days = 1  # immutable


def test_yaml_resources_are_parsed_again_only_when_the_file_changes(tmp_path):
    path = tmp_path / "r.yml"
    path.write_text("a: 1\n", encoding="utf-8")
    first = load_yaml(path)
    assert first == {"a": 1} and load_yaml(path) is first
    path.write_text("a: 2\n", encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert load_yaml(path) == {"a": 2}
    path.write_text("", encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 2_000_000))
    assert load_yaml(path) == {}
