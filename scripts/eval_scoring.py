"""How the end-to-end evaluation (scripts/eval_e2e.py) reads the bot's replies, as the user sees them.

Pure functions on reply texts: no server, no Rasa. The responses come from domain.yml (the text of each
response becomes a pattern, its placeholders free), the passages and their citations from the knowledge base.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from backoffice_career import names

APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "\u00a0": " ", "\u202f": " "})
PLACEHOLDER = re.compile(r"\{(\w+)\}")
DIGIT = re.compile(r"\d")
FORM_QUESTION_PREFIX = "utter_ask_"  # Rasa's convention: a form asks for slot S with utter_ask_S
# The response a small-talk line of each kind must get (kinds of tests/eval/guide_questions.yml).
SMALL_TALK_RESPONSES = {
    "greet": ("utter_greet",),
    "thanks": ("utter_thanks",),
    "goodbye": ("utter_goodbye",),
    "bot_challenge": ("utter_iamabot",),
    "help": (names.UTTER_HELP,),
    "affirm": (names.UTTER_NOTHING_PENDING,),
    "deny": (names.UTTER_NOTHING_PENDING,),
}
ON_TOPIC, FALLBACK, WRONG = "on_topic", "fallback", "wrong_passage"
LABEL_CHARS = 60


def normalise(text: str) -> str:
    """Apostrophes made straight, spaces collapsed, case folded: how replies and fragments are compared."""
    return " ".join(text.translate(APOSTROPHES).split()).casefold()


def template_pattern(text: str) -> re.Pattern[str]:
    """A response's text as a pattern over a normalised reply; each {placeholder} is a named free group."""
    parts, last = [], 0
    text = normalise(text.replace("{{", "{").replace("}}", "}"))
    for match in PLACEHOLDER.finditer(text):
        parts.append(re.escape(text[last:match.start()]))
        parts.append(f"(?P<{match.group(1)}>.*?)")
        last = match.end()
    parts.append(re.escape(text[last:]))
    return re.compile("".join(parts), re.DOTALL)


class Responses:
    """The responses of domain.yml, matched against reply texts."""

    def __init__(self, domain: Mapping[str, Any]):
        self.patterns = {
            name: [template_pattern(v["text"]) for v in variants if v.get("text")]
            for name, variants in (domain.get("responses") or {}).items()
        }

    def match(self, name: str, text: str) -> re.Match[str] | None:
        """The match of the whole text with one variant of the response `name`."""
        if name not in self.patterns:
            raise KeyError(f"no response {name} in domain.yml")
        reply = normalise(text)
        return next((m for p in self.patterns[name] if (m := p.fullmatch(reply))), None)

    def names_of(self, text: str) -> list[str]:
        return [name for name in self.patterns if self.match(name, text)]


def form_slot(response: str) -> str | None:
    """The profile slot a form response asks about (its question, or "not understood, again")."""
    if response.startswith(FORM_QUESTION_PREFIX) and response[len(FORM_QUESTION_PREFIX):] in names.PROFILE_SLOTS:
        return response[len(FORM_QUESTION_PREFIX):]
    again = {utter: slot for slot, utter in names.UTTER_NOT_UNDERSTOOD.items()}
    again[names.UTTER_INVALID_EXPERIENCE_YEARS] = names.SLOT_EXPERIENCE_YEARS
    return again.get(response)


def asked_slots(texts: Iterable[str], responses: Responses) -> list[str]:
    """The profile slots the form asked about in these reply messages, in order."""
    return [slot for text in texts for name in responses.names_of(text) if (slot := form_slot(name))]


@dataclass(frozen=True)
class GuidePassage:
    title: str
    paragraph: int
    text: str


class Guide:
    """The passages of the knowledge base and the citation format of kb.yml."""

    def __init__(self, passages: Sequence[GuidePassage], citation_format: str, paragraph_separator: str,
                 document_separator: str):
        self.passages = list(passages)
        self.document_separator = document_separator
        self.paragraph_separator = paragraph_separator
        paragraphs = rf"\d+(?:{re.escape(paragraph_separator.strip())}\s*\d+)*"
        fmt = re.escape(normalise(citation_format))
        fmt = fmt.replace(r"\{title\}", "(?P<title>.+?)").replace(r"\{paragraphs\}", f"(?P<paragraphs>{paragraphs})")
        self.citation = re.compile(fmt)
        texts: dict[tuple[str, int], list[str]] = {}
        for passage in self.passages:
            texts.setdefault((passage.title, passage.paragraph), []).append(normalise(passage.text))
        self.paragraph_texts = {key: " ".join(parts) for key, parts in texts.items()}

    def where(self, fragment: str) -> tuple[str, int] | None:
        """(document title, paragraph) of the paragraph holding the fragment."""
        wanted = normalise(fragment)
        return next((key for key, text in self.paragraph_texts.items() if wanted in text), None)

    def cited(self, source: str) -> set[tuple[str, int]]:
        """The (title, paragraph) pairs of a source reference."""
        cited = set()
        for part in normalise(source).split(normalise(self.document_separator)):
            match = self.citation.fullmatch(part.strip())
            if match:
                numbers = re.findall(r"\d+", match.group("paragraphs"))
                cited |= {(match.group("title"), int(n)) for n in numbers}
        return cited

    def holds_passage(self, text: str) -> bool:
        """Whether the text quotes a passage (its first LABEL_CHARS characters)."""
        reply = normalise(text)
        return any(normalise(p.text)[:LABEL_CHARS] in reply for p in self.passages)

    def label(self, key: tuple[str, int] | None, fragment: str) -> str:
        where = f"§ {key[1]}" if key else "§ ?"
        return f"{where} « {fragment[:LABEL_CHARS].strip()}… »"


@dataclass
class Outcome:
    kind: str  # ON_TOPIC, FALLBACK, WRONG; or honest/not for out-of-scope and small talk
    expected: str = ""
    got: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def answered_label(texts: Sequence[str], responses: Responses) -> str:
    """What the user got: the cited passage (source and first words), else the response or the text."""
    for text in texts:
        match = responses.match(names.UTTER_KB_ANSWER, text)
        if match:
            answer = match.group("answer").strip()
            return f"{match.group('source').strip()} « {answer[:LABEL_CHARS]}… »"
    known = [name for text in texts for name in responses.names_of(text)]
    return ", ".join(known) if known else f"(other) {' / '.join(texts)[:LABEL_CHARS]}"


def cites_fragment(text: str, fragment: str, guide: Guide, responses: Responses) -> bool:
    """The message holds the fragment and ends with a source that cites the fragment's paragraph."""
    match = responses.match(names.UTTER_KB_ANSWER, text)
    if not match or normalise(fragment) not in normalise(match.group("answer")):
        return False
    where = guide.where(fragment)
    return where is None or (normalise(where[0]), where[1]) in guide.cited(match.group("source"))


def is_no_answer(texts: Sequence[str], responses: Responses) -> bool:
    return responses.match(names.UTTER_NO_ANSWER, "\n".join(texts)) is not None


def classify_topic(texts: Sequence[str], accept: Sequence[str], guide: Guide, responses: Responses) -> Outcome:
    """On topic (an accepted fragment with its citation), honest fallback, or a wrong passage."""
    expected = guide.label(guide.where(accept[0]), accept[0]) if accept else "?"
    if any(cites_fragment(t, f, guide, responses) for t in texts for f in accept):
        return Outcome(ON_TOPIC, expected, expected)
    if is_no_answer(texts, responses):
        return Outcome(FALLBACK, expected, names.UTTER_NO_ANSWER)
    return Outcome(WRONG, expected, answered_label(texts, responses))


def classify_document(texts: Sequence[str], accept: Sequence[str], section: str, responses: Responses) -> Outcome:
    """A question on an HR document: on topic when an answer holds an accepted fragment and its source names
    the section; honest fallback; or a wrong passage (another section, document or the guide)."""
    for text in texts:
        match = responses.match(names.UTTER_KB_ANSWER, text)
        if (match and any(normalise(f) in normalise(match.group("answer")) for f in accept)
                and normalise(f"« {section} »") in normalise(match.group("source"))):
            return Outcome(ON_TOPIC, section, section)
    if is_no_answer(texts, responses):
        return Outcome(FALLBACK, section, names.UTTER_NO_ANSWER)
    return Outcome(WRONG, section, answered_label(texts, responses))


def classify_out_of_scope(texts: Sequence[str], guide: Guide, responses: Responses) -> Outcome:
    """Honest: the no-answer response, no passage quoted and no figure in what fills it."""
    match = responses.match(names.UTTER_NO_ANSWER, "\n".join(texts))
    filled = " ".join(v or "" for v in match.groupdict().values()) if match else ""
    honest = bool(match) and not guide.holds_passage(filled) and not DIGIT.search(filled)
    return Outcome("honest" if honest else "not_honest", names.UTTER_NO_ANSWER, answered_label(texts, responses))


def classify_small_talk(texts: Sequence[str], kind: str, responses: Responses, queued: bool) -> Outcome:
    """Small talk: the response of its kind, and nothing queued for HR."""
    if kind not in SMALL_TALK_RESPONSES:
        raise ValueError(f"unknown small-talk kind {kind!r}: known kinds are {sorted(SMALL_TALK_RESPONSES)}")
    expected = SMALL_TALK_RESPONSES[kind]
    right = any(responses.match(name, "\n".join(texts)) for name in expected)
    kind_got = "small_talk" if right and not queued else "not_small_talk"
    return Outcome(kind_got, "/".join(expected), answered_label(texts, responses))


def fact_understood(stated: Any, value: Any) -> bool:
    """A stated profile fact against the slot's value (lists: every stated item is in the slot)."""
    if value is None:
        return False
    if isinstance(stated, list):
        values = value if isinstance(value, list) else [value]
        return {str(s).casefold() for s in stated} <= {str(v).casefold() for v in values}
    try:
        return abs(float(stated) - float(value)) < 0.01
    except (TypeError, ValueError):
        return str(stated).casefold() == str(value).casefold()


def share(outcomes: Sequence[Outcome], kind: str) -> float:
    return sum(o.kind == kind for o in outcomes) / len(outcomes) if outcomes else 0.0


def confusions(outcomes: Sequence[Outcome]) -> list[tuple[str, str, int]]:
    """(expected passage, passage given, count) of the misses, most frequent first."""
    counted = Counter((o.expected, o.got) for o in outcomes if o.kind != ON_TOPIC)
    return [(expected, got, n) for (expected, got), n in counted.most_common()]
