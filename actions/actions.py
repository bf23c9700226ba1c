"""Thin Rasa actions: they ask the knowledge base and reply with responses from domain.yml."""
from __future__ import annotations

import logging
import os
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from backoffice_career.knowledge.answer import ANSWER_RESPONSE, answer_topic, response_values
from backoffice_career.knowledge.factory import default_knowledge_base
from backoffice_career.knowledge.search import KnowledgeBase, KnowledgeBaseUnavailable
from backoffice_career.privacy.erasure import ERASE_ACTION, ERASURE_DONE_RESPONSE, ConversationStore, erase_sender
from backoffice_career.profile.facts import PROFILE_SLOTS, load_vocabulary, normalised_profile, summary_lines
from backoffice_career.settings import load_settings

logger = logging.getLogger(__name__)

KbProvider = Callable[[], KnowledgeBase]
FALLBACK_INTENTS = ("out_of_scope", "nlu_fallback")
DIALOGUE_INTENTS = ("affirm", "deny", "skip", "stop", "inform_profile", "greet", "goodbye", "thanks")


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
    """Answer from a passage no topic covers (HR answer, new document) that matches the user's
    words well; otherwise say honestly that there is no answer, and queue the question for HR."""
    settings = load_settings()
    latest = _latest(tracker)
    try:
        hit = kb.extra_answer(latest["text"], settings.extra_min_score, settings.extra_min_coverage)
        if hit:
            dispatcher.utter_message(response="utter_kb_answer", answer=hit.text, source=kb.cite([hit]))
            return
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
        latest = _latest(tracker)
        try:
            kb = self.kb()
            result = answer_topic(kb, latest["text"], latest["intent"])
        except KnowledgeBaseUnavailable:
            logger.exception("knowledge base unavailable")
            dispatcher.utter_message(response="utter_kb_unavailable")
            return []
        if not result.found:
            answer_unknown(dispatcher, tracker, kb)
            return []
        if (latest["confidence"] or 0.0) < load_settings().review_confidence:
            # Answered, but on a shaky intent: HR should check it.
            try:
                kb.record_unanswered(
                    latest["text"], tracker.sender_id, latest["channel"], latest["intent"], latest["confidence"]
                )
            except KnowledgeBaseUnavailable:
                logger.exception("could not queue a low-confidence answer for review")
        dispatcher.utter_message(response=ANSWER_RESPONSE, **response_values(kb, result))
        return [SlotSet("last_topic", result.topic)]


class ActionAnswerUnknown(KbMixin, Action):
    """Fallback: no reliable answer; tell the user and queue the question for HR."""

    def name(self) -> Text:
        return "action_answer_unknown"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent = _latest(tracker)["intent"]
        core_fallback = intent not in FALLBACK_INTENTS
        if core_fallback and intent in DIALOGUE_INTENTS:
            # "oui", "non"... with nothing to answer: not a question for HR.
            dispatcher.utter_message(response="utter_nothing_pending")
            return [UserUtteranceReverted()]
        try:
            kb = self.kb()
        except KnowledgeBaseUnavailable:
            dispatcher.utter_message(response="utter_kb_unavailable")
            return []
        answer_unknown(dispatcher, tracker, kb)
        # As core fallback (no rule for this turn), forget the message so that the dialogue does
        # not predict the fallback again and again.
        return [UserUtteranceReverted()] if core_fallback else []


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


def read_profile(tracker: Tracker) -> Dict[Text, Any]:
    return normalised_profile({slot: tracker.get_slot(slot) for slot in PROFILE_SLOTS}, load_vocabulary())


class ActionGivePlan(KbMixin, Action):
    """The personal, ordered and sourced plan for the profile."""

    def name(self) -> Text:
        return "action_give_plan"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        try:
            kb = self.kb()
            steps = kb.plan(read_profile(tracker))
        except KnowledgeBaseUnavailable:
            logger.exception("knowledge base unavailable")
            dispatcher.utter_message(response="utter_kb_unavailable")
            return []
        if not steps:
            dispatcher.utter_message(response="utter_plan_empty")
            return []
        text, sources = kb.render_plan(steps)
        dispatcher.utter_message(response="utter_plan", steps=text, sources=sources)
        return []


class ActionShowProfile(Action):
    """Reads the profile back ("qu'est-ce que tu sais de moi ?")."""

    def name(self) -> Text:
        return "action_show_profile"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        lines = summary_lines(read_profile(tracker), load_vocabulary())
        if not lines:
            dispatcher.utter_message(response="utter_profile_empty")
        else:
            dispatcher.utter_message(response="utter_profile_summary", profile="\n".join(lines))
        return []


class ActionResetProfile(Action):
    """Forgets the profile ("oublie mon profil")."""

    def name(self) -> Text:
        return "action_reset_profile"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_profile_reset")
        return [SlotSet(slot, None) for slot in PROFILE_SLOTS]


ConversationProvider = Callable[[], ConversationStore]


class ActionEraseMyData(KbMixin, Action):
    """Right to erasure: deletes the user's conversation, profile and queued questions.

    The tracker store (rasa_server/stores/tracker_store.py) sees the confirmation and does not write the
    in-memory conversation back.
    """

    def __init__(self, kb_provider: Optional[KbProvider] = None, conversations: Optional[ConversationProvider] = None):
        super().__init__(kb_provider)
        self._conversations = conversations or (lambda: ConversationStore.from_url(load_settings().tracker_db_url))

    def name(self) -> Text:
        return ERASE_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        try:
            conversations = self._conversations()
            try:
                counts = erase_sender(tracker.sender_id, self.kb().engine, conversations)
            finally:
                conversations.engine.dispose()
        except (KnowledgeBaseUnavailable, SQLAlchemyError):
            logger.exception("erasure failed")
            dispatcher.utter_message(response="utter_erasure_failed")
            return []
        logger.info("erased on request: %s", counts)
        dispatcher.utter_message(response=ERASURE_DONE_RESPONSE)
        return [AllSlotsReset()]


WARM_UP_ENV = "ACTIONS_WARM_UP"


def warm_up() -> None:
    """Loads spaCy, opens the knowledge base and runs one query, so that the action server answers
    its first question as fast as the next ones (Rasa gives it only ACTION_TIMEOUT seconds)."""
    try:
        default_knowledge_base().search("comment devenir gestionnaire de back-office")
        load_vocabulary()
    except Exception as exc:  # noqa: BLE001 - a missing knowledge base is reported on first use
        logger.warning("warm-up skipped: %s", exc)


if os.environ.get(WARM_UP_ENV, "1") == "1":
    warm_up()
