"""Thin Rasa actions: they ask the knowledge base and reply with responses from domain.yml."""
from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge.factory import default_knowledge_base
from actions.knowledge.search import KnowledgeBase, KnowledgeBaseUnavailable
from actions.settings import load_settings

logger = logging.getLogger(__name__)

KbProvider = Callable[[], KnowledgeBase]

def _latest(tracker: Tracker) -> Dict[Text, Any]:
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    return {
        "text": message.get("text") or "",
        "intent": intent.get("name"),
        "confidence": intent.get("confidence"),
        "channel": tracker.get_latest_input_channel(),
    }


def _topic_list(kb: KnowledgeBase) -> Text:
    return "\n".join(f"- {t.label}" for t in kb.topics())


def answer_unknown(dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase) -> None:
    """Say honestly that the knowledge base has no answer, and queue the question for HR."""
    latest = _latest(tracker)
    try:
        if latest["text"].strip():
            kb.record_unanswered(
                latest["text"], tracker.sender_id, latest["channel"], latest["intent"], latest["confidence"]
            )
        topics = _topic_list(kb)
    except KnowledgeBaseUnavailable:
        logger.exception("knowledge base unavailable while recording an unanswered question")
        dispatcher.utter_message(response="utter_kb_unavailable")
        return
    dispatcher.utter_message(response="utter_no_answer", topics=topics)


class KbMixin:
    """Hands the knowledge base to an action (injectable for tests)."""

    def __init__(self, kb_provider: Optional[KbProvider] = None) -> None:
        self._kb_provider = kb_provider or default_knowledge_base

    def kb(self) -> KnowledgeBase:
        return self._kb_provider()


class ActionAnswerTopic(KbMixin, Action):
    """Answers a topic question with the best passages and their source."""

    def name(self) -> Text:
        return "action_answer_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        settings = load_settings()
        latest = _latest(tracker)
        try:
            kb = self.kb()
            topic = kb.topic_for_intent(latest["intent"])
            hits = kb.answer(
                latest["text"],
                topic,
                max_passages=settings.max_passages,
                min_ratio=settings.min_score,
            )
        except KnowledgeBaseUnavailable:
            logger.exception("knowledge base unavailable")
            dispatcher.utter_message(response="utter_kb_unavailable")
            return []
        if not topic or not hits:
            answer_unknown(dispatcher, tracker, kb)
            return []
        dispatcher.utter_message(
            response="utter_kb_answer",
            answer=" ".join(h.text for h in hits),
            source=kb.cite(hits),
        )
        return [SlotSet("last_topic", topic)]


class ActionAnswerUnknown(KbMixin, Action):
    """Fallback: no reliable answer; tell the user and queue the question for HR."""

    def name(self) -> Text:
        return "action_answer_unknown"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        try:
            kb = self.kb()
        except KnowledgeBaseUnavailable:
            dispatcher.utter_message(response="utter_kb_unavailable")
            return []
        answer_unknown(dispatcher, tracker, kb)
        return []


class ActionListTopics(KbMixin, Action):
    """Help: what the bot can talk about, from the knowledge base's topics."""

    def name(self) -> Text:
        return "action_list_topics"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        try:
            topics = _topic_list(self.kb())
        except KnowledgeBaseUnavailable:
            dispatcher.utter_message(response="utter_kb_unavailable")
            return []
        dispatcher.utter_message(response="utter_help", topics=topics)
        return []
