"""The profile form's rules: what an answer means for a slot, and which message asks again."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backoffice_career.knowledge.text import fold
from backoffice_career.names import (
    SLOT_EXPERIENCE_YEARS,
    SLOT_SKILLS,
    UTTER_INVALID_EXPERIENCE_YEARS,
    UTTER_NOT_UNDERSTOOD,
)
from backoffice_career.profile.extract import asks
from backoffice_career.profile.extract_text import load_rules
from backoffice_career.profile.facts import (
    UNKNOWN,
    InvalidExperience,
    Vocabulary,
    contains,
    load_vocabulary,
    normalise_category,
    normalise_skills,
    parse_experience,
)


@dataclass(frozen=True)
class SlotAnswer:
    value: Any  # None: ask again
    response: str | None = None  # the message that says why


def candidates(slot: str, value: Any, requested_slot: str | None, text: str | None) -> list[Any]:
    """The extracted value, then the whole message when it answers this slot's question
    (an entity may catch only part of the answer)."""
    return [value, text] if requested_slot == slot else [value]


def _experience(values: list[Any], vocab: Vocabulary) -> SlotAnswer:
    if values[0] == UNKNOWN:
        return SlotAnswer(UNKNOWN)
    try:
        years = next((y for y in (parse_experience(v, vocab) for v in values) if y is not None), None)
    except InvalidExperience:
        return SlotAnswer(None, UTTER_INVALID_EXPERIENCE_YEARS)
    return SlotAnswer(years, None if years is not None else UTTER_NOT_UNDERSTOOD[SLOT_EXPERIENCE_YEARS])


def _skills(values: list[Any], vocab: Vocabulary) -> SlotAnswer:
    skills = next((s for s in (normalise_skills(v, vocab) for v in values) if s is not None), None)
    return SlotAnswer(skills, None if skills is not None else UTTER_NOT_UNDERSTOOD[SLOT_SKILLS])


def _category(slot: str, values: list[Any], vocab: Vocabulary) -> SlotAnswer:
    canonical = next((c for c in (normalise_category(slot, v, vocab) for v in values) if c), None)
    return SlotAnswer(canonical, None if canonical is not None else UTTER_NOT_UNDERSTOOD[slot])


def unsure_answer(slot: str, text: str | None, vocab: Vocabulary | None = None) -> SlotAnswer | None:
    """A short message that asks nothing, read as the answer to the form's question on `slot` although the NLU
    did not read it so ("peu importe", "rien", "euh", "non" to the situation): "non précisé" for a no-preference
    phrase, else what its words say for the slot, else None with the slot's "not understood" message (the form
    asks again). None for a longer message or a question: a digression (data/profile/vocabulary.yml,
    answer_max_words and no_preference)."""
    if not text or not isinstance(text, str) or slot not in UTTER_NOT_UNDERSTOOD:
        return None
    vocab = vocab or load_vocabulary()
    if len(text.split()) > int(vocab.raw.get("answer_max_words", 0)) or asks(text, load_rules()):
        return None
    folded = fold(text).replace("’", "'")
    if any(contains(folded, phrase) for phrase in vocab.raw.get("no_preference") or []):
        return SlotAnswer(UNKNOWN)
    return slot_answer(slot, None, slot, text)  # the words of the answer ("rien" for skills), else asked again


def slot_answer(slot: str, value: Any, requested_slot: str | None = None, text: str | None = None) -> SlotAnswer:
    """The canonical value of an answer to a profile slot, or None with the message to utter."""
    values = candidates(slot, value, requested_slot, text)
    vocab = load_vocabulary()
    if slot == SLOT_EXPERIENCE_YEARS:
        return _experience(values, vocab)
    if slot == SLOT_SKILLS:
        return _skills(values, vocab)
    return _category(slot, values, vocab)
