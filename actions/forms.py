"""Validation of the profile form: one validate_<slot> per slot; the rules are in backoffice_career.profile.form."""
from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from backoffice_career import names
from backoffice_career.profile.form import slot_answer

SlotValues = dict[str, Any]


class ValidateProfileForm(FormValidationAction):
    def name(self) -> str:
        return names.ACTION_VALIDATE_PROFILE_FORM

    @staticmethod
    def _validate(slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> SlotValues:
        requested = tracker.get_slot(names.RASA_SLOT_REQUESTED)
        answer = slot_answer(slot, value, requested, tracker.latest_message.get("text"))
        if answer.response:
            dispatcher.utter_message(response=answer.response)
        return {slot: answer.value}

    def validate_experience_years(self, value, dispatcher, tracker, domain: DomainDict) -> SlotValues:
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
