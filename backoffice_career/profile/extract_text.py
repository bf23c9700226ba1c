"""Reading a self-description: folding, shorthand, personal details removed, clauses, negation, durations.
The rules live in data/profile/extraction.yml."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from backoffice_career.knowledge.text import fold
from backoffice_career.profile.facts import Vocabulary, load_vocabulary
from backoffice_career.resources import DATA_DIR, load_yaml

EXTRACTION = DATA_DIR / "profile" / "extraction.yml"
MAX_TEXT = 4000  # longer messages are cut: the facts come first in practice
_TOKEN = re.compile(r"[a-z0-9+]+(?:\([a-z]+\))?'?")
_DIGITS = re.compile(r"^\d+(?:[.,]\d+)?$")



@dataclass(frozen=True)
class Rules:
    raw: dict[str, Any]
    vocab: Vocabulary

    @property
    def numbers(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.vocab.experience["numbers"].items()}


@lru_cache(maxsize=4)
def load_rules(path: Path = EXTRACTION) -> Rules:
    return Rules(load_yaml(path), load_vocabulary())


def tokens_of(text: str) -> list[str]:
    return _TOKEN.findall(text.replace("'", "' ").replace("-", " "))


@lru_cache(maxsize=4096)
def phrase_tokens(phrase: str) -> tuple[str, ...]:
    return tuple(tokens_of(fold(phrase)))


def find(tokens: list[str], phrase: str) -> list[int]:
    """Start indexes of a phrase (as whole tokens) in a clause."""
    wanted = phrase_tokens(phrase)
    n = len(wanted)
    if not n or wanted[0] not in tokens:
        return []
    return [i for i in range(len(tokens) - n + 1) if tuple(tokens[i:i + n]) == wanted]


def negated(tokens: list[str], start: int, length: int, rules: Rules) -> bool:
    neg = rules.raw["negation"]
    before = tokens[max(0, start - int(neg["window"])):start]
    after = tokens[start + length:start + length + 3]
    return any(t in neg["before"] for t in before) or any(t in neg["after"] for t in after)


def has(tokens: list[str], phrases: Iterable[str]) -> bool:
    return any(find(tokens, p) for p in phrases)


def _rewritten(text: str, rules: Rules) -> str:
    """Folded text, shorthand rewritten."""
    text = fold(text[:MAX_TEXT])
    text = re.sub(r"(\d)\s*\+\s*(\d)", r"\1+\2", text)  # "bac + 2" -> "bac+2"
    for short, full in rules.raw["rewrites"].items():
        text = re.sub(rf"(?<![a-z0-9'+]){re.escape(fold(str(short)))}(?![a-z0-9+'])", str(full), text)
    return text


def normalise(text: str, rules: Rules) -> str:
    """Folded text, shorthand rewritten, personal details removed."""
    text = _rewritten(text, rules)
    for pattern in rules.raw["ignore"]:
        text = re.sub(pattern, " , ", text)
    return text


def is_personal_detail(text: str | None, value: Any) -> bool:
    """True when value (an entity caught in text, e.g. "34 ans") is part of a personal detail such as an age."""
    if not text or not isinstance(text, str) or not isinstance(value, str) or not value.strip():
        return False
    rules = load_rules()
    wanted = re.compile(rf"(?<![a-z0-9]){re.escape(fold(value))}(?![a-z0-9])")
    return bool(wanted.search(_rewritten(text, rules))) and not wanted.search(normalise(text, rules))


def clauses(text: str, rules: Rules) -> list[list[str]]:
    """Token lists of the clauses that state something (questions are asked, not stated)."""
    pattern = "|".join(rules.raw["clause_breaks"])
    cues = rules.raw["question_cues"]
    result: list[list[str]] = []
    for sentence in re.findall(r"[^.!?\n]+[.!?\n]*", text):
        parts = [tokens for part in re.split(pattern, sentence) if (tokens := tokens_of(part))]
        if "?" in sentence:
            asked = [p for p in parts if has(p, cues)] or parts[-1:]
            parts = [p for p in parts if p not in asked]
        result.extend(parts)
    return result


def number_before(tokens: list[str], end: int, rules: Rules) -> tuple[float, int] | None:
    """The number ending just before index end ("5", "deux", "vingt cinq", "dix huit"), with its start."""
    i, total, found = end, 0.0, False
    if i > 0 and _DIGITS.match(tokens[i - 1]):
        return float(tokens[i - 1].replace(",", ".")), i - 1
    while i > 0 and tokens[i - 1] in rules.numbers:
        total += rules.numbers[tokens[i - 1]]
        i, found = i - 1, True
    if not found and i > 1 and tokens[i - 1] in ("d'", "de") and tokens[i - 2] in rules.raw["experience"]["fuzzy"]:
        return float(rules.raw["experience"]["fuzzy"][tokens[i - 2]]), i - 2
    return (total, i) if found else None


def durations(tokens: list[str], rules: Rules) -> list[tuple[float, int, int]]:
    """(years, start, end) of each duration in a clause: "5 ans", "un an et demi", "18 mois", "2 ans et 6 mois"."""
    units = rules.raw["experience"]["units"]
    spans: list[tuple[float, int, int]] = []
    for i, token in enumerate(tokens):
        if token not in units:
            continue
        number = number_before(tokens, i, rules)
        if number is None:
            continue
        years, start = number[0] * float(units[token]), number[1]
        end = i + 1
        if tokens[end:end + 2] == ["et", "demi"] or tokens[end:end + 2] == ["et", "demie"]:
            years, end = years + 0.5 * float(units[token]), end + 2
        elif tokens[end:end + 1] == ["et"] and "mois" in tokens[end + 2:end + 4] and token != "mois":
            k = tokens.index("mois", end + 2)
            extra = number_before(tokens, k, rules)
            if extra is not None and extra[1] == end + 1:
                years, end = years + extra[0] * float(units["mois"]), k + 1
        if spans and spans[-1][2] > start:
            continue
        spans.append((round(years, 2), start, end))
    return spans
