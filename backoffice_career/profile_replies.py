"""The bot's replies about the person: their profile read back or forgotten, their personal plan, and the
guide's advice for a short statement about themselves (backoffice_career.replies has the others)."""
from __future__ import annotations

import logging
from typing import Any

from backoffice_career.knowledge.answer import answer_topic
from backoffice_career.knowledge.errors import KnowledgeBaseUnavailable
from backoffice_career.names import (
    PROFILE_SLOTS,
    UTTER_PLAN,
    UTTER_PLAN_EMPTY,
    UTTER_PROFILE_EMPTY,
    UTTER_PROFILE_RESET,
    UTTER_PROFILE_SUMMARY,
)
from backoffice_career.profile.facts import load_vocabulary, normalised_profile, summary_lines
from backoffice_career.profile.topics import stated_topics
from backoffice_career.replies import UNAVAILABLE, KbProvider, Reply, SlotReader, Turn, topic_answer_reply
from backoffice_career.settings import Settings, get_settings

logger = logging.getLogger(__name__)


def statement_reply(kb_provider: KbProvider, turn: Turn, settings: Settings | None = None) -> Reply | None:
    """The guide's advice for a short statement about oneself that starts the profile form ("Je fais de
    l'intérim depuis un an."): the passage of its first fact's topic (data/profile/fact_topics.yml), said before
    the form's next question. None for a question, a longer self-description or a fact with no topic."""
    stated = stated_topics(turn.text)
    if stated.question or not stated.topics or stated.facts > stated.advise_up_to:
        return None
    settings = settings or get_settings()
    try:
        kb = kb_provider()
        topic = next((t for t in kb.topics() if t.name == stated.topics[0] and t.intent), None)
        query = stated.query(stated.topics[0], turn.text)
        result = answer_topic(kb, query, topic.intent, settings) if topic else None
        if not result or not result.found:
            return None
        return topic_answer_reply(kb, result)
    except KnowledgeBaseUnavailable:
        logger.exception("knowledge base unavailable for a statement's advice")
        return None  # the form goes on: its questions need no knowledge base


def read_profile(get_slot: SlotReader) -> dict[str, Any]:
    """The profile from the slots, with canonical values."""
    return normalised_profile({slot: get_slot(slot) for slot in PROFILE_SLOTS}, load_vocabulary())


def plan_reply(kb_provider: KbProvider, get_slot: SlotReader) -> Reply:
    """The personal, ordered and sourced plan for the profile."""
    try:
        kb = kb_provider()
        steps = kb.plan(read_profile(get_slot))
    except KnowledgeBaseUnavailable:
        logger.exception("knowledge base unavailable")
        return UNAVAILABLE
    if not steps:
        return Reply(UTTER_PLAN_EMPTY)
    text, sources = kb.render_plan(steps)
    return Reply(UTTER_PLAN, {"steps": text, "sources": sources})


def profile_reply(get_slot: SlotReader) -> Reply:
    lines = summary_lines(read_profile(get_slot), load_vocabulary())
    return Reply(UTTER_PROFILE_SUMMARY, {"profile": "\n".join(lines)}) if lines else Reply(UTTER_PROFILE_EMPTY)


def reset_profile_reply() -> Reply:
    return Reply(UTTER_PROFILE_RESET, slots={slot: None for slot in PROFILE_SLOTS})
