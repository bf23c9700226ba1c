"""Validation of the profile form: one validate_<slot> per slot, French messages from domain.yml."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from backoffice_career.profile.facts import (
    UNKNOWN,
    InvalidExperience,
    load_vocabulary,
    normalise_category,
    normalise_skills,
    parse_experience,
)


def _candidates(slot: Text, value: Any, tracker: Tracker) -> List[Any]:
    """The extracted value, then the whole message when it answers this slot's question
    (an entity may catch only part of the answer)."""
    candidates = [value]
    if tracker.get_slot("requested_slot") == slot:
        candidates.append(tracker.latest_message.get("text"))
    return candidates


class ValidateProfileForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_profile_form"

    def validate_experience_years(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value == UNKNOWN:
            return {"experience_years": UNKNOWN}
        vocab = load_vocabulary()
        years = None
        try:
            for candidate in _candidates("experience_years", value, tracker):
                years = parse_experience(candidate, vocab)
                if years is not None:
                    break
        except InvalidExperience:
            dispatcher.utter_message(response="utter_invalid_experience_years")
            return {"experience_years": None}
        if years is None:
            dispatcher.utter_message(response="utter_not_understood_experience_years")
        return {"experience_years": years}

    def _category(self, slot: Text, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        vocab = load_vocabulary()
        canonical = next(
            (c for c in (normalise_category(slot, v, vocab) for v in _candidates(slot, value, tracker)) if c), None
        )
        if canonical is None:
            dispatcher.utter_message(response=f"utter_not_understood_{slot}")
        return {slot: canonical}

    def validate_supervised(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._category("supervised", value, dispatcher, tracker)

    def validate_situation(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._category("situation", value, dispatcher, tracker)

    def validate_target_company(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._category("target_company", value, dispatcher, tracker)

    def validate_education(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._category("education", value, dispatcher, tracker)

    def validate_skills(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        vocab = load_vocabulary()
        skills = next(
            (c for c in (normalise_skills(v, vocab) for v in _candidates("skills", value, tracker)) if c is not None),
            None,
        )
        if skills is None:
            dispatcher.utter_message(response="utter_not_understood_skills")
        return {"skills": skills}
