"""Facts a person states about themselves in free text, negations included; the rules live in
data/profile/extraction.yml. Name, age, gender and origin are removed first and change nothing."""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from backoffice_career.names import (
    PROFILE_SLOTS,
    SLOT_EDUCATION,
    SLOT_EXPERIENCE_YEARS,
    SLOT_SITUATION,
    SLOT_SKILLS,
    SLOT_SUPERVISED,
    SLOT_TARGET_COMPANY,
)
from backoffice_career.profile.extract_text import (
    Rules,
    clauses,
    durations,
    find,
    has,
    is_personal_detail,
    load_rules,
    negated,
    normalise,
    phrase_tokens,
    tokens_of,
)
from backoffice_career.profile.facts import UNKNOWN

__all__ = ["extract_facts", "facts_to_fill", "is_personal_detail", "is_self_description"]

Facts = dict[str, Any]


def _experience(clause_list: list[list[str]], rules: Rules) -> float | None:
    config = rules.raw["experience"]
    found: float | None = None
    for tokens in clause_list:
        for years, start, end in durations(tokens, rules):
            after = tokens[end:end + 6]
            before = tokens[:start]
            linked = [f"{link} {job}" for link in config["job_links"] for job in config["office_jobs"]]
            if has(after, config["after_cues"]) or has(tokens[end:end + 8], linked) or (
                has(before, config["before_cues"]) and has(tokens, config["job_cues"])
            ):
                found = max(found or 0.0, years)
        since = _since_year(tokens, config)
        if since is not None:
            found = max(found or 0.0, since)
        if found is None:
            if has(tokens, config["none"]):
                found = 0.0
            for phrase in config["negatable"]:
                if any(negated(tokens, i, len(phrase_tokens(phrase)), rules) for i in find(tokens, phrase)):
                    found = 0.0
    return found


def _since_year(tokens: list[str], config: dict[str, Any]) -> float | None:
    """Years since "depuis 2019" in a clause about a job."""
    this_year = date.today().year
    for cue in config["since_year"]:
        for i in find(tokens, cue):
            end = i + len(phrase_tokens(cue))
            year = tokens[end] if end < len(tokens) else ""
            if re.fullmatch(r"(19|20)\d\d", year) and int(year) <= this_year and has(tokens, config["job_cues"]):
                return float(max(this_year - int(year), 0))
    return None


def _supervised(clause_list: list[list[str]], rules: Rules) -> str | None:
    config = rules.raw["supervised"]
    answer: str | None = None
    for tokens in clause_list:
        if has(tokens, config["negative"]):
            answer = answer or "non"
            continue
        said = [(p, i) for p in config["positive"] for i in find(tokens, p)] + _leading_people(tokens, config)
        for phrase, i in said:
            if _wished(tokens, i, config["wish"]):
                continue
            if negated(tokens, i, len(phrase_tokens(phrase)), rules):
                answer = answer or "non"
            else:
                return "oui"
    return answer


def _wished(tokens: list[str], start: int, wish: dict[str, Any]) -> bool:
    """A wish cue shortly before the phrase at `start`: "je voudrais encadrer", not experience."""
    return has(tokens[max(0, start - int(wish["window"])):start], wish["cues"])


def _leading_people(tokens: list[str], config: dict[str, Any]) -> list[tuple[str, int]]:
    """(verb, index) of each verb of leading followed closely by people ("j'ai dirigé une petite équipe")."""
    people = config["people"]
    words = set(people["words"])
    window = int(people["window"])
    found: list[tuple[str, int]] = []
    for verb in people["verbs"]:
        for i in find(tokens, verb):
            after = i + len(phrase_tokens(verb))
            if words & set(tokens[after:after + window]):
                found.append((verb, i))
    return found


def _stated(tokens: list[str], phrases: Iterable[str], rules: Rules) -> bool:
    """A phrase occurs in the clause, not negated."""
    return any(
        not negated(tokens, i, len(phrase_tokens(p)), rules) for p in phrases for i in find(tokens, p)
    )


def _situation(clause_list: list[list[str]], rules: Rules) -> str | None:
    config = rules.raw["situation"]
    seen: set[str] = set()
    for tokens in clause_list:
        wishful = has(tokens, config["aspiration"])
        for value, phrases in config["values"].items():
            if wishful and value in config["aspiration_only"]:
                continue
            if _stated(tokens, phrases, rules):
                seen.add(value)
        office = [*rules.raw["experience"]["office_jobs"], *config["ongoing_places"]]
        if not wishful and has(tokens, config["ongoing_cues"]) and _stated(tokens, office, rules):
            seen.add("employe_bureau")
    return next((v for v in config["priority"] if v in seen), None)


def _target(clause_list: list[list[str]], rules: Rules) -> str | None:
    config = rules.raw["target_company"]
    found: str | None = None
    for tokens in clause_list:
        if not has(tokens, config["cues"]):
            continue
        for value, phrases in config["values"].items():
            if _stated(tokens, phrases, rules):
                found = value
    return found


def _skills(clause_list: list[list[str]], rules: Rules) -> list[str] | None:
    config = rules.raw["skills"]
    found: list[str] = []
    none = False
    for tokens in clause_list:
        if has(tokens, config["none"]):
            none = True
            continue
        for value, phrases in config["values"].items():
            if value not in found and _stated(tokens, phrases, rules):
                found.append(value)
    if found:
        return found
    return ["aucune"] if none else None


def _education(clause_list: list[list[str]], rules: Rules) -> str | None:
    config = rules.raw["education"]
    rank = config["rank"]
    best: str | None = None
    for tokens in clause_list:
        for value, phrases in config["values"].items():
            for phrase in phrases:
                for i in find(tokens, phrase):
                    immune = phrase in config["negation_immune"]
                    is_negated = not immune and negated(tokens, i, len(phrase_tokens(phrase)), rules)
                    level = config["negated_value"] if is_negated else value
                    if best is None or rank.index(level) > rank.index(best):
                        best = level
    return best


def extract_facts(text: str | None, rules: Rules | None = None) -> Facts:
    """Every profile fact the message states, as canonical slot values; absent slots are not stated."""
    if not text or not isinstance(text, str):
        return {}
    rules = rules or load_rules()
    return _facts(normalise(text, rules), rules)


def _facts(normalised: str, rules: Rules) -> Facts:
    clause_list = clauses(normalised, rules)
    found: Facts = {
        SLOT_EXPERIENCE_YEARS: _experience(clause_list, rules),
        SLOT_SUPERVISED: _supervised(clause_list, rules),
        SLOT_SITUATION: _situation(clause_list, rules),
        SLOT_TARGET_COMPANY: _target(clause_list, rules),
        SLOT_SKILLS: _skills(clause_list, rules),
        SLOT_EDUCATION: _education(clause_list, rules),
    }
    return {slot: value for slot, value in found.items() if value is not None}


def asks_something(text: str, tokens: list[str], rules: Rules) -> bool:
    """A question or a request: "?", or a request cue of data/profile/extraction.yml in its `tokens`."""
    return "?" in text or has(tokens, rules.raw["self_description"]["request_cues"])


def asks(text: str, rules: Rules) -> bool:
    """asks_something of the raw `text` (its normalised tokens computed here)."""
    return asks_something(text, tokens_of(normalise(text, rules)), rules)


def is_self_description(text: str | None, rules: Rules | None = None, min_facts: int = 0) -> bool:
    """A statement about oneself: no question, and enough facts (data/profile/extraction.yml, self_description),
    at least `min_facts`."""
    if not text or not isinstance(text, str):
        return False
    rules = rules or load_rules()
    config = rules.raw["self_description"]
    normalised = normalise(text, rules)
    tokens = tokens_of(normalised)
    if asks_something(text, tokens, rules):
        return False
    needed = int(config["min_facts"] if has(tokens, config["first_person"]) else config["min_facts_impersonal"])
    return len(_facts(normalised, rules)) >= max(needed, min_facts)


def facts_to_fill(messages: list[str], current: dict[str, Any]) -> Facts:
    """Slot values from the person's messages (oldest first): the latest message may correct a slot,
    earlier ones only fill what is still empty."""
    result: Facts = {}
    for text in messages[:-1]:
        for slot, value in extract_facts(text).items():
            if current.get(slot) is None:
                result[slot] = value
    if messages:
        result.update(extract_facts(messages[-1]))
    # Never overwrite an answer with the same value, nor a skipped slot with nothing new.
    return {
        slot: value for slot, value in result.items()
        if slot in PROFILE_SLOTS and current.get(slot) != value and value != UNKNOWN
    }
