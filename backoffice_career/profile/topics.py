"""The guide's topic for the facts a person states about themselves (data/profile/fact_topics.yml, issue 12)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backoffice_career.profile.extract import asks, extract_facts
from backoffice_career.profile.extract_text import Rules, load_rules
from backoffice_career.resources import load_yaml

FACT_TOPICS = Path(__file__).resolve().parents[2] / "data" / "profile" / "fact_topics.yml"


@dataclass(frozen=True)
class StatedTopics:
    topics: tuple[str, ...]  # the topics of the stated facts, in the order of fact_topics.yml, each once
    question: bool  # the message asks something: "?" or a request cue ("comment", "est-ce que"…)
    facts: int = 0  # how many profile slots the message states
    advise_up_to: int = 0  # fact_topics.yml's before_form_up_to: a statement of at most this many facts that
    # starts the profile form gets its topic's passage first
    words: tuple[tuple[str, str], ...] = ()  # (topic, the guide's words for its fact: "expérience de supervision")

    def query(self, topic: str, text: str) -> str:
        """`text` with the guide's words for the fact of `topic`: they choose the topic's passage for that fact."""
        words = dict(self.words).get(topic)
        return f"{text} {words}" if words else text


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _matches(stated: Any, value: Any) -> bool:
    return value in stated if isinstance(stated, list) else bool(stated == value)


def stated_topics(text: str | None, rules: Rules | None = None, path: Path = FACT_TOPICS) -> StatedTopics:
    """The topics of the facts `text` states about the person, and whether it asks something."""
    if not text or not isinstance(text, str):
        return StatedTopics((), False)
    rules = rules or load_rules()
    facts = extract_facts(text, rules)
    data = load_yaml(path) if path.exists() else {}  # HR's file: a missing or malformed line maps nothing
    topics: list[str] = []
    words: list[tuple[str, str]] = []
    for line in (data.get("facts") if isinstance(data, dict) else None) or []:
        if not isinstance(line, dict) or not isinstance(line.get("topic"), str):
            continue
        slot, topic = line.get("slot"), line["topic"]
        if slot in facts and topic not in topics and _matches(facts[slot], line.get("value")):
            topics.append(topic)
            if isinstance(line.get("words"), str):
                words.append((topic, line["words"]))
    return StatedTopics(tuple(topics), asks(text, rules), len(facts),
                        _count(data.get("before_form_up_to") if isinstance(data, dict) else None), tuple(words))
