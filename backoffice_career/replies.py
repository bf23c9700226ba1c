"""The bot's replies to a turn, as a response of domain.yml with its values; the actions only dispatch them.

No Rasa here: a Turn is the latest user message, a Reply what to say and which slots to change.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from backoffice_career.knowledge.answer import TopicAnswer, answer_topic, response_values
from backoffice_career.knowledge.base import KnowledgeBase
from backoffice_career.knowledge.errors import KnowledgeBaseUnavailable
from backoffice_career.knowledge.index import Hit, TopicInfo
from backoffice_career.names import (
    DIALOGUE_INTENTS,
    FALLBACK_INTENTS,
    INTENT_OUT_OF_SCOPE,
    RASA_INTENT_NLU_FALLBACK,
    SLOT_LAST_TOPIC,
    SMALL_TALK_INTENTS,
    UTTER_ERASURE_DONE,
    UTTER_ERASURE_FAILED,
    UTTER_HELP,
    UTTER_KB_ANSWER,
    UTTER_KB_UNAVAILABLE,
    UTTER_NO_ANSWER,
    UTTER_NOTHING_PENDING,
    UTTER_SECTION_GONE,
)
from backoffice_career.privacy.conversations import ConversationStore
from backoffice_career.privacy.erasure import erase_sender
from backoffice_career.profile.facts import load_vocabulary
from backoffice_career.profile.topics import stated_topics
from backoffice_career.settings import Settings, get_settings
from backoffice_career.suggestions import passage_number, suggestion_buttons

logger = logging.getLogger(__name__)

KbProvider = Callable[[], KnowledgeBase]
ConversationProvider = Callable[[], ConversationStore]
SlotReader = Callable[[str], Any]


@dataclass(frozen=True)
class Turn:
    """The latest user message."""

    text: str
    sender_id: str
    intent: str | None = None
    confidence: float | None = None
    channel: str | None = None
    guess: str | None = None  # the NLU's best intent other than nlu_fallback (its hint when unsure)
    # Slack only: the channel id and thread ts of the message, where HR's answer is posted later.
    reply_channel: str | None = None
    reply_thread: str | None = None


@dataclass(frozen=True)
class Reply:
    response: str
    values: dict[str, Any] = field(default_factory=dict)
    slots: dict[str, Any] = field(default_factory=dict)  # slots to set
    reset_slots: bool = False  # forget every slot
    revert: bool = False  # forget the user's message, so that the dialogue does not loop on it
    # Sections of the HR documents that may answer: buttons of a second message (utter_section_suggestions).
    suggestions: tuple[dict[str, str], ...] = ()


UNAVAILABLE = Reply(UTTER_KB_UNAVAILABLE)


def best_guess(parse_data: dict[str, Any]) -> str | None:
    """The NLU's best intent other than Rasa's nlu_fallback (Turn.guess), from a message's parse data."""
    for ranked in parse_data.get("intent_ranking") or []:
        name = ranked.get("name") if isinstance(ranked, dict) else None
        if name and name != RASA_INTENT_NLU_FALLBACK:
            return str(name)
    return None


def topic_list(kb: KnowledgeBase) -> str:
    return "\n".join(f"- {t.label}" for t in kb.topics())


def _second_chance(kb: KnowledgeBase, turn: Turn, hint: str | None, settings: Settings) -> Hit | None:
    return kb.second_chance(
        turn.text, hint, settings.second_chance_min_score,
        settings.second_chance_lexical_weight, settings.second_chance_hint_weight,
    )


def _stated_topic(kb: KnowledgeBase, turn: Turn) -> tuple[TopicInfo, str] | None:
    """When the NLU is unsure of a message stating a fact about the person (data/profile/fact_topics.yml): the
    fact's topic for a statement, and for a question only when the NLU's best guess is that topic too; with the
    text to rank the topic's passages by (the message and the guide's words for the fact)."""
    if turn.intent != RASA_INTENT_NLU_FALLBACK or turn.guess in SMALL_TALK_INTENTS:
        return None
    stated = stated_topics(turn.text)
    by_name = {t.name: t for t in kb.topics() if t.intent}
    if not stated.question:
        name = next((name for name in stated.topics if name in by_name), None)
    else:
        guessed = kb.topic_for_intent(turn.guess)
        name = guessed if guessed in stated.topics and guessed in by_name else None
    return (by_name[name], stated.query(name, turn.text)) if name else None


def topic_answer_reply(kb: KnowledgeBase, result: TopicAnswer) -> Reply:
    """A topic's passages with their source; the topic becomes the conversation's topic (follow-ups)."""
    return Reply(UTTER_KB_ANSWER, response_values(kb, result), slots={SLOT_LAST_TOPIC: result.topic})


def _hit_reply(kb: KnowledgeBase, hit: Hit) -> Reply:
    """One passage with its source; its main topic becomes the conversation's topic (follow-ups)."""
    slots = {SLOT_LAST_TOPIC: max(hit.topics, key=lambda t: hit.topics[t])} if hit.topics else {}
    return Reply(UTTER_KB_ANSWER, {"answer": hit.text, "source": kb.cite([hit])}, slots=slots)


def _queue_for_review(kb: KnowledgeBase, turn: Turn) -> None:
    """HR's queue holds real questions: not small talk, even misspelt (the NLU's best guess says so)."""
    if (turn.guess or turn.intent) in SMALL_TALK_INTENTS or not turn.text.strip():
        return
    kb.record_unanswered(
        turn.text, turn.sender_id, turn.channel, turn.intent, turn.confidence, turn.reply_channel, turn.reply_thread
    )


def unknown_reply(kb: KnowledgeBase, turn: Turn, settings: Settings | None = None) -> Reply:
    """An answer from a passage no topic covers (HR answer, new document) that matches the user's words
    well; otherwise an honest "no answer", and the question queued for HR."""
    settings = settings or get_settings()
    try:
        hit = kb.extra_answer(turn.text, settings.extra_min_score, settings.extra_min_coverage)
        if hit:
            return Reply(UTTER_KB_ANSWER, {"answer": hit.text, "source": kb.cite([hit])})
        stated = _stated_topic(kb, turn)
        if stated:  # "Pas encore eu d'équipe à gérer.": the guide's advice for the fact stated; HR checks it
            topic, query = stated
            result = answer_topic(kb, query, topic.intent, settings)
            if result.found:
                _queue_for_review(kb, turn)
                return topic_answer_reply(kb, result)
        if turn.guess not in SMALL_TALK_INTENTS:
            # The NLU is unsure: read every passage, its best guess as a hint. Sure that the question is off
            # the guide's topics: only a section of the HR documents that clearly stands out may answer it.
            out_of_scope = turn.intent == INTENT_OUT_OF_SCOPE or kb.off_guide(turn.text)
            hint = None if out_of_scope else kb.topic_for_intent(turn.guess or turn.intent)
            hit = None if out_of_scope else _second_chance(kb, turn, hint, settings)
            if not hit:  # an HR document's section that clearly answers the words and their meaning
                hit = kb.document_answer(turn.text, settings.second_chance_lexical_weight,
                                         settings.document_min_score, settings.document_min_margin)
            if hit:
                _queue_for_review(kb, turn)  # an answer found without the NLU: HR checks it
                return _hit_reply(kb, hit)
        _queue_for_review(kb, turn)
        suggestions = () if turn.guess in SMALL_TALK_INTENTS else suggestion_buttons(kb, turn.text, settings)
        return Reply(UTTER_NO_ANSWER, {"topics": topic_list(kb)}, suggestions=suggestions)
    except KnowledgeBaseUnavailable:
        logger.exception("knowledge base unavailable while recording an unanswered question")
        return UNAVAILABLE


def section_reply(kb_provider: KbProvider, passage_id: Any) -> Reply:
    """A section suggested with the "no answer", clicked: its passage with the source. The id comes from the
    user (a button's payload can be forged): only a passage of an HR document of this revision is read."""
    number = passage_number(passage_id)
    try:
        kb = kb_provider()
        hit = kb.document_passage(number) if number is not None else None
        return _hit_reply(kb, hit) if hit else Reply(UTTER_SECTION_GONE)
    except KnowledgeBaseUnavailable:
        logger.exception("knowledge base unavailable for a suggested section")
        return UNAVAILABLE


def topic_reply(kb_provider: KbProvider, turn: Turn, settings: Settings | None = None) -> Reply:
    """The best passages of the intent's topic with their source; a shaky intent also goes to HR."""
    settings = settings or get_settings()
    try:
        kb = kb_provider()
        if kb.off_guide(turn.text):  # "comment devenir pilote ?", "combien coûte …": worded like a topic
            return unknown_reply(kb, replace(turn, intent=INTENT_OUT_OF_SCOPE), settings)
        lemmas = kb.normalizer.lemmas(turn.text)  # once: the topic's answer and its rival
        result = answer_topic(kb, turn.text, turn.intent, settings, lemmas)
    except KnowledgeBaseUnavailable:
        logger.exception("knowledge base unavailable")
        return UNAVAILABLE
    if not result.found:
        return unknown_reply(kb, turn, settings)
    if (turn.confidence or 0.0) >= settings.review_confidence:
        try:
            rival = kb.rival(lemmas, result.hits)
        except KnowledgeBaseUnavailable:
            rival = None
        if rival:  # another document (an HR note) answers the words much better than the topic's passages
            return _hit_reply(kb, rival)
        return topic_answer_reply(kb, result)
    try:
        _queue_for_review(kb, turn)
        # Unsure of the intent: its topic is a hint, not a cage; a passage that fits the words better wins.
        hit = _second_chance(kb, turn, result.topic, settings)
    except KnowledgeBaseUnavailable:
        logger.exception("could not queue a low-confidence answer for review")
        hit = None
    if hit and hit.passage_id not in {h.passage_id for h in result.hits}:
        return _hit_reply(kb, hit)
    return topic_answer_reply(kb, result)


def fallback_reply(kb_provider: KbProvider, turn: Turn, settings: Settings | None = None) -> Reply:
    """No reliable answer. As core fallback (no rule for this turn) the message is forgotten, so that
    the dialogue does not predict the fallback again and again; "oui", "non"... are not for HR."""
    core_fallback = turn.intent not in FALLBACK_INTENTS
    if core_fallback and turn.intent in DIALOGUE_INTENTS:
        return Reply(UTTER_NOTHING_PENDING, revert=True)
    try:
        kb = kb_provider()
    except KnowledgeBaseUnavailable:
        return UNAVAILABLE
    reply = unknown_reply(kb, turn, settings)
    return Reply(reply.response, reply.values, revert=core_fallback, suggestions=reply.suggestions)


def help_reply(kb_provider: KbProvider) -> Reply:
    try:
        return Reply(UTTER_HELP, {"topics": topic_list(kb_provider())})
    except KnowledgeBaseUnavailable:
        return UNAVAILABLE


def erasure_reply(sender_id: str, kb_provider: KbProvider, conversations: ConversationProvider) -> Reply:
    """Right to erasure: the user's conversation, profile, queued questions and their words in HR answers,
    reports and exports are deleted."""
    try:
        store = conversations()
        try:
            kb = kb_provider()
            counts = erase_sender(sender_id, kb.engine, store, lambda: kb.normalizer, get_settings().exports_dir)
        finally:
            store.engine.dispose()
    except (KnowledgeBaseUnavailable, SQLAlchemyError, OSError):
        logger.exception("erasure failed")
        return Reply(UTTER_ERASURE_FAILED)
    logger.info("erased on request: %s", counts)
    return Reply(UTTER_ERASURE_DONE, reset_slots=True)


def tracker_conversations(settings: Settings | None = None) -> ConversationStore:
    """The conversation store of the tracker database."""
    return ConversationStore.from_url((settings or get_settings()).tracker_db_url)


def warm_up(kb_provider: KbProvider) -> None:
    """Loads spaCy, opens the knowledge base and runs one query (a topic's label), so that the first
    question is answered as fast as the next ones (Rasa gives the action server ACTION_TIMEOUT seconds)."""
    try:
        kb = kb_provider()
        for topic in kb.topics()[:1]:
            kb.search(topic.label)
        load_vocabulary()
    except Exception as exc:  # noqa: BLE001 - a missing knowledge base is reported on first use
        logger.warning("warm-up skipped: %s", exc)
