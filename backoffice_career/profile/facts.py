"""The person's profile: understanding answers (numbers in words, keywords) and showing it back."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backoffice_career.knowledge.text import fold
from backoffice_career.names import PROFILE_SLOTS, SLOT_EXPERIENCE_YEARS, SLOT_SKILLS
from backoffice_career.resources import VOCABULARY, load_yaml

UNKNOWN = "inconnu"
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
_TOKEN = re.compile(r"[a-z0-9+']+")


class InvalidExperience(ValueError):
    """A duration that cannot be someone's office experience."""


@dataclass
class Vocabulary:
    raw: dict[str, Any]

    @property
    def experience(self) -> dict[str, Any]:
        table: dict[str, Any] = self.raw["experience"]
        return table


def load_vocabulary(path: Path = VOCABULARY) -> Vocabulary:
    return Vocabulary(load_yaml(path))


def contains(text: str, phrase: str) -> bool:
    """`phrase` (folded) as whole words of the folded `text`."""
    return re.search(rf"(?<![a-z0-9]){re.escape(fold(phrase))}(?![a-z0-9])", text) is not None


def parse_experience(value: Any, vocab: Vocabulary) -> float | None:
    """Years of experience from 5, "5 ans", "deux ans et demi", "six mois"; None if not a duration.

    Raises InvalidExperience for negative or absurd durations."""
    if value is None or value == UNKNOWN:
        return None
    config = vocab.experience
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        years = float(value)
    else:
        text = fold(str(value)).replace("’", "'")
        if any(contains(text, word) for word in config["none"]):
            return 0.0
        number = None
        match = _NUMBER.search(text)
        if match:
            number = float(match.group().replace(",", "."))
        else:
            # Consecutive number words add up: "vingt cinq" -> 25.
            for word in _TOKEN.findall(text):
                if word in config["numbers"]:
                    number = (number or 0.0) + float(config["numbers"][word])
                elif number is not None:
                    break
        if number is None:
            return None
        unit = next((config["units"][w] for w in _TOKEN.findall(text) if w in config["units"]), 1)
        years = number * float(unit)
        if any(contains(text, word) for word in config["half"]):
            years += 0.5 * float(unit)
    if years < 0 or years > config["max_years"]:
        raise InvalidExperience(str(value))
    return round(years, 2)


def normalise_category(slot: str, value: Any, vocab: Vocabulary) -> str | None:
    """Canonical value of a categorical slot, from a canonical value or free text."""
    if value is None:
        return None
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    text = fold(str(value))
    choices = vocab.raw["values"][slot]
    if text == UNKNOWN:
        return UNKNOWN
    if text in choices:
        return text
    # The longest matching keyword wins ("ecole de commerce" over "ecole").
    best, best_len = None, 0
    for canonical, words in choices.items():
        for word in words:
            if len(fold(word)) > best_len and contains(text, word):
                best, best_len = canonical, len(fold(word))
    return best


def normalise_skills(value: Any, vocab: Vocabulary) -> list[str] | None:
    """Canonical skills from canonical values or free text; [] for "aucune"."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    choices = vocab.raw["values"][SLOT_SKILLS]
    found: list[str] = []
    for item in items:
        text = fold(str(item))
        if text == UNKNOWN:
            return [UNKNOWN]
        for canonical, words in choices.items():
            if (text == canonical or any(contains(text, w) for w in words)) and canonical not in found:
                found.append(canonical)
    if not found:
        return None
    return [s for s in found if s != "aucune"] if len(found) > 1 else ([] if found == ["aucune"] else found)


def normalised_profile(raw: dict[str, Any], vocab: Vocabulary) -> dict[str, Any]:
    """The profile with canonical values (slots set outside the form may still hold raw text)."""
    profile: dict[str, Any] = {}
    for slot in PROFILE_SLOTS:
        value = raw.get(slot)
        if value is None or value == UNKNOWN:
            profile[slot] = value
        elif slot == SLOT_EXPERIENCE_YEARS:
            try:
                profile[slot] = parse_experience(value, vocab)
            except InvalidExperience:
                profile[slot] = None
        elif slot == SLOT_SKILLS:
            profile[slot] = normalise_skills(value, vocab)
        else:
            profile[slot] = normalise_category(slot, value, vocab)
    return profile


def summary_lines(profile: dict[str, Any], vocab: Vocabulary) -> list[str]:
    """Lines like "- Situation : intérimaire", from the formats of the vocabulary file."""
    labels, value_labels = vocab.raw["labels"], vocab.raw["value_labels"]
    lines = []
    for slot in PROFILE_SLOTS:
        value = profile.get(slot)
        if value is None:
            continue
        if slot == SLOT_EXPERIENCE_YEARS and value != UNKNOWN:
            shown = vocab.raw["experience_format"].format(years=f"{value:g}".replace(".", ","))  # French decimal comma
        elif isinstance(value, list):
            shown = vocab.raw["value_separator"].join(value_labels.get(v, v) for v in value) or value_labels["aucune"]
        else:
            shown = value_labels.get(value, value)
        lines.append(vocab.raw["line_format"].format(label=labels[slot], value=shown))
    return lines
