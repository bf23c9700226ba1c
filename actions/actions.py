"""Rasa actions: each reads the tracker, asks the core (backoffice_career.replies) and dispatches the reply.

Nothing heavy runs at import. The action server (rasa_sdk) creates the actions at start-up, before it
listens: the first action created with the default knowledge base warms it up then (ACTIONS_WARM_UP=1),
so that the first real question is not slow.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from backoffice_career import names, profile_replies, replies
from backoffice_career.knowledge.base import KnowledgeBase
from backoffice_career.knowledge.factory import default_knowledge_base
from backoffice_career.knowledge.revision import one_revision
from backoffice_career.replies import ConversationProvider, KbProvider, Reply, Turn
from backoffice_career.settings import get_settings

Events = list[dict[str, Any]]


def turn(tracker: Tracker) -> Turn:
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    # Slack's metadata (rasa_server/channels/slack.py): where HR's answer will be posted.
    metadata = message.get("metadata") or {}
    metadata = metadata if isinstance(metadata, dict) else {}
    return Turn(
        text=message.get("text") or "",
        sender_id=tracker.sender_id,
        intent=intent.get("name"),
        confidence=intent.get("confidence"),
        channel=tracker.get_latest_input_channel(),
        reply_channel=_text_or_none(metadata.get("out_channel")),
        reply_thread=_text_or_none(metadata.get("thread_id")),
        guess=replies.best_guess(message),
    )


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def dispatch(dispatcher: CollectingDispatcher, reply: Reply) -> Events:
    """Utters the reply's response, then its suggestions as buttons, and returns its events."""
    dispatcher.utter_message(response=reply.response, **reply.values)
    if reply.suggestions:
        dispatcher.utter_message(response=names.UTTER_SECTION_SUGGESTIONS, buttons=[dict(b) for b in reply.suggestions])
    events: Events = [SlotSet(slot, value) for slot, value in reply.slots.items()]
    if reply.reset_slots:
        events.append(AllSlotsReset())
    if reply.revert:
        events.append(UserUtteranceReverted())
    return events


@lru_cache(maxsize=1)
def warm_up_once() -> None:
    if get_settings().actions_warm_up:
        replies.warm_up(default_knowledge_base)


class KbMixin:
    """Hands the knowledge base to an action (injectable for tests)."""

    def __init__(self, kb_provider: KbProvider | None = None) -> None:
        if kb_provider is None:
            warm_up_once()
        self._kb_provider = kb_provider or default_knowledge_base

    def kb(self) -> KnowledgeBase:
        return self._kb_provider()


class ActionAnswerTopic(KbMixin, Action):
    """Answers a topic question with the best passages and their source."""

    def name(self) -> str:
        return names.ACTION_ANSWER_TOPIC

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        with one_revision():
            reply = replies.topic_reply(self.kb, turn(tracker))
        return dispatch(dispatcher, reply)


class ActionAnswerUnknown(KbMixin, Action):
    """Fallback: no reliable answer; tell the user and queue the question for HR."""

    def name(self) -> str:
        return names.ACTION_ANSWER_UNKNOWN

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        with one_revision():
            reply = replies.fallback_reply(self.kb, turn(tracker))
        return dispatch(dispatcher, reply)


class ActionAnswerSection(KbMixin, Action):
    """A section of an HR document suggested with the "no answer", clicked ('/ask_section{"passage_id": 12}')."""

    def name(self) -> str:
        return names.ACTION_ANSWER_SECTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        values = [e.get("value") for e in (tracker.latest_message or {}).get("entities") or []
                  if isinstance(e, dict) and e.get("entity") == names.ENTITY_PASSAGE_ID]
        with one_revision():
            reply = replies.section_reply(self.kb, values[0] if len(values) == 1 else None)
        return dispatch(dispatcher, reply)


class ActionListTopics(KbMixin, Action):
    """Help: what the bot can talk about, from the knowledge base's topics."""

    def name(self) -> str:
        return names.ACTION_LIST_TOPICS

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        with one_revision():
            reply = replies.help_reply(self.kb)
        return dispatch(dispatcher, reply)


class ActionGivePlan(KbMixin, Action):
    """The personal, ordered and sourced plan for the profile."""

    def name(self) -> str:
        return names.ACTION_GIVE_PLAN

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        with one_revision():
            reply = profile_replies.plan_reply(self.kb, tracker.get_slot)
        return dispatch(dispatcher, reply)


class ActionShowProfile(Action):
    """Reads the profile back ("qu'est-ce que tu sais de moi ?")."""

    def name(self) -> str:
        return names.ACTION_SHOW_PROFILE

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        return dispatch(dispatcher, profile_replies.profile_reply(tracker.get_slot))


class ActionResetProfile(Action):
    """Forgets the profile ("oublie mon profil")."""

    def name(self) -> str:
        return names.ACTION_RESET_PROFILE

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        return dispatch(dispatcher, profile_replies.reset_profile_reply())


class ActionEraseMyData(KbMixin, Action):
    """Right to erasure: deletes the user's conversation, profile and queued questions.

    The tracker store (rasa_server/stores/tracker_store.py) sees the confirmation and does not write the
    in-memory conversation back.
    """

    def __init__(self, kb_provider: KbProvider | None = None, conversations: ConversationProvider | None = None):
        super().__init__(kb_provider)
        self._conversations = conversations or replies.tracker_conversations

    def name(self) -> str:
        return names.ACTION_ERASE_MY_DATA

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        return dispatch(dispatcher, replies.erasure_reply(tracker.sender_id, self.kb, self._conversations))
