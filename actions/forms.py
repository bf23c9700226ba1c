"""Validation of the profile form: one validate_<slot> per slot; the rules are in backoffice_career.profile.form."""
from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.actions import KbMixin, dispatch, turn
from backoffice_career import names, profile_replies
from backoffice_career.knowledge.revision import one_revision
from backoffice_career.profile.extract import facts_to_fill, is_personal_detail
from backoffice_career.profile.form import slot_answer, unsure_answer

SlotValues = dict[str, Any]
# Intents under which a short message inside the form is still read as an answer (ValidateProfileForm).
UNSURE_ANSWER_INTENTS = frozenset({names.RASA_INTENT_NLU_FALLBACK, names.INTENT_OUT_OF_SCOPE, names.INTENT_AFFIRM,
                                   names.INTENT_DENY})
MAX_MESSAGES = 20  # the person's latest messages read for facts


def profile_messages(events: list[dict[str, Any]]) -> list[str]:
    """The person's messages (oldest first) since the session started or the profile was reset."""
    texts: list[str] = []
    for event in events:
        if event.get("event") == "session_started" or (
            event.get("event") == "action" and event.get("name") == names.ACTION_RESET_PROFILE
        ):
            texts = []
        elif event.get("event") == "user" and isinstance(event.get("text"), str):
            texts.append(event["text"])
    return texts[-MAX_MESSAGES:]


def value_before_latest_message(events: list[dict[str, Any]], slot: str) -> Any:
    """The slot's value when the person's latest message arrived (slot mappings may have set it since)."""
    value = before = None
    for event in events:
        kind = event.get("event")
        if kind == "user":
            before = value
        elif kind == "slot" and event.get("name") == slot:
            value = event.get("value")
        elif kind in ("reset_slots", "session_started"):
            value = None
    return before


def form_starts(tracker: Tracker, form: str) -> bool:
    """The latest message starts the form: no loop is active yet, or the active one was triggered by it (Rasa
    sets the loop before the first validation)."""
    loop = tracker.active_loop or {}
    if loop.get("name") != form:
        return True
    trigger = loop.get("trigger_message") or {}
    message_id = (tracker.latest_message or {}).get("message_id")
    return bool(message_id) and trigger.get("message_id") == message_id


class ValidateProfileForm(KbMixin, FormValidationAction):
    def name(self) -> str:
        return names.ACTION_VALIDATE_PROFILE_FORM

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """At the form's start, a short statement about oneself first gets the guide's advice for what it states
        (profile_replies.statement_reply); then the slots are validated; inside the form, a short answer that
        the NLU did not read as one is still an answer (_unsure_answer)."""
        events: list[EventType] = []
        starts = form_starts(tracker, self.form_name())
        if starts:
            with one_revision():
                reply = profile_replies.statement_reply(self.kb, turn(tracker))
            if reply:
                events = dispatch(dispatcher, reply)
        events += await super().run(dispatcher, tracker, domain)
        if not starts and not any(e.get("event") == "slot" and e.get("name") in names.PROFILE_SLOTS for e in events):
            events += self._unsure_answer(dispatcher, tracker)
        return events

    @staticmethod
    def _unsure_answer(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """A short answer to the form's question that the NLU read as unsure, out of scope, or "oui"/"non" to a
        question that is not yes or no: taken as an answer (form.unsure_answer) instead of leaving the form to
        the fallback, which would tell the person it was sent to HR."""
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        slot = tracker.get_slot(names.RASA_SLOT_REQUESTED)
        if intent not in UNSURE_ANSWER_INTENTS or slot not in names.PROFILE_SLOTS:
            return []
        answer = unsure_answer(slot, (tracker.latest_message or {}).get("text"))
        if answer is None:
            return []
        if answer.response:
            dispatcher.utter_message(response=answer.response)
        return [SlotSet(slot, answer.value)]

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Slot mappings' values plus every fact the person stated, whatever the intent (core extractor)."""
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        current = {slot: tracker.get_slot(slot) for slot in names.PROFILE_SLOTS}
        facts = facts_to_fill(profile_messages(tracker.events), current)
        return events + [SlotSet(slot, value) for slot, value in facts.items()]

    @staticmethod
    def _validate(slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> SlotValues:
        requested = tracker.get_slot(names.RASA_SLOT_REQUESTED)
        answer = slot_answer(slot, value, requested, tracker.latest_message.get("text"))
        if answer.value is None and requested != slot:
            # Noise for a slot the form did not ask ("en" of "en fait" caught as a situation): the slot keeps
            # what it had before this message, and nothing is said.
            return {slot: value_before_latest_message(tracker.events, slot)}
        if answer.response:
            dispatcher.utter_message(response=answer.response)
        return {slot: answer.value}

    def validate_experience_years(self, value, dispatcher, tracker, domain: DomainDict) -> SlotValues:
        slot = names.SLOT_EXPERIENCE_YEARS
        if (
            isinstance(value, str)
            and tracker.get_slot(names.RASA_SLOT_REQUESTED) != slot
            and is_personal_detail(tracker.latest_message.get("text"), value)
        ):
            return {slot: None}  # an age caught as a duration, not office experience
        return self._validate(names.SLOT_EXPERIENCE_YEARS, value, dispatcher, tracker)

    def validate_supervised(self, value, dispatcher, tracker, domain: DomainDict) -> SlotValues:
        return self._validate(names.SLOT_SUPERVISED, value, dispatcher, tracker)

    def validate_situation(self, value, dispatcher, tracker, domain: DomainDict) -> SlotValues:
        return self._validate(names.SLOT_SITUATION, value, dispatcher, tracker)

    def validate_target_company(self, value, dispatcher, tracker, domain: DomainDict) -> SlotValues:
        return self._validate(names.SLOT_TARGET_COMPANY, value, dispatcher, tracker)

    def validate_skills(self, value, dispatcher, tracker, domain: DomainDict) -> SlotValues:
        return self._validate(names.SLOT_SKILLS, value, dispatcher, tracker)

    def validate_education(self, value, dispatcher, tracker, domain: DomainDict) -> SlotValues:
        return self._validate(names.SLOT_EDUCATION, value, dispatcher, tracker)
