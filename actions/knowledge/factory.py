"""Builds the knowledge-base objects from the settings, once per process."""
from __future__ import annotations

import threading
from typing import Optional

from actions.knowledge.db import make_engine
from actions.knowledge.search import KnowledgeBase
from actions.knowledge.text import Normalizer, get_nlp, load_kb_config, load_topics
from actions.settings import Settings, load_settings

_LOCK = threading.Lock()
_DEFAULT: Optional[KnowledgeBase] = None


def build_normalizer(settings: Settings) -> Normalizer:
    return Normalizer(get_nlp(settings.spacy_model), load_kb_config(settings.kb_config))


def open_knowledge_base(settings: Optional[Settings] = None, url: Optional[str] = None) -> KnowledgeBase:
    """A new KnowledgeBase on `url` (default: the configured database)."""
    settings = settings or load_settings()
    normalizer = build_normalizer(settings)
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
