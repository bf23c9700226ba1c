"""Builds the knowledge-base objects from the settings, once per process."""
from __future__ import annotations

import threading
from pathlib import Path

from backoffice_career.knowledge.base import KnowledgeBase
from backoffice_career.knowledge.db import make_engine
from backoffice_career.knowledge.ingest import build
from backoffice_career.knowledge.text import (
    INGEST_EXCLUDED,
    QUERY_EXCLUDED,
    Normalizer,
    TopicSpec,
    get_nlp,
    load_kb_config,
    load_topics,
)
from backoffice_career.settings import ROOT, Settings, load_settings

_LOCK = threading.Lock()
_DEFAULT: KnowledgeBase | None = None


def build_normalizer(settings: Settings, ingest: bool = True) -> Normalizer:
    """The normaliser; without `ingest`, spaCy loads lean and without the parser (queries need no sentences)."""
    nlp = get_nlp(settings.spacy_model, INGEST_EXCLUDED) if ingest else \
        get_nlp(settings.spacy_model, QUERY_EXCLUDED, settings.spacy_cache_dir)
    return Normalizer(nlp, load_kb_config(settings.kb_config))


def open_knowledge_base(settings: Settings | None = None, url: str | None = None) -> KnowledgeBase:
    """A new KnowledgeBase on `url` (default: the configured database)."""
    settings = settings or load_settings()
    normalizer = build_normalizer(settings, ingest=False)
    topics = load_topics(settings.topics_file, normalizer)
    engine = make_engine(url or settings.kb_database_url)
    return KnowledgeBase(engine, normalizer, topics, normalizer.config)


def default_knowledge_base() -> KnowledgeBase:
    """The process-wide knowledge base, opened on first use."""
    global _DEFAULT
    with _LOCK:
        if _DEFAULT is None:
            _DEFAULT = open_knowledge_base()
        return _DEFAULT


def build_knowledge_base(
    url: str, source: Path, normalizer: Normalizer, topic_specs: list[TopicSpec], advice_dir: Path | None = None
) -> KnowledgeBase:
    """Build the documents of `source` into the database at `url` and open it (tests, benchmarks)."""
    engine = make_engine(url)
    build(engine, source, normalizer, topic_specs, advice_dir or ROOT / "data" / "advice")
    return KnowledgeBase(engine, normalizer, topic_specs, normalizer.config)
