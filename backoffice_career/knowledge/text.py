"""French text processing shared by ingestion and search: one spaCy model, one normaliser."""
from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

import yaml

_NLP = {}
_NLP_LOCK = threading.Lock()

# Pipes not needed to lemmatise a query.
QUERY_DISABLED_PIPES = ("parser", "ner")


def get_nlp(model: str):
    """Load the spaCy model once, on first use."""
    with _NLP_LOCK:
        if model not in _NLP:
            import spacy

            _NLP[model] = spacy.load(model, exclude=["ner"])
        return _NLP[model]


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower case, no accents, typographic apostrophes made plain."""
    return strip_accents(text.replace("’", "'").lower()).strip()


@dataclass(frozen=True)
class Cue:
    lemmas: Tuple[str, ...]
    weight: float


@dataclass
class TopicSpec:
    name: str
    intent: str
    label: str
    cues: List[Cue] = field(default_factory=list)


@dataclass
class KbConfig:
    keep_words: frozenset
    generic_words: frozenset
    continuation_markers: Tuple[str, ...]
    synonyms: Dict[str, Tuple[str, ...]]
    citation_format: str
    paragraph_separator: str
    document_separator: str
    plan_step_format: str
    plan_step_separator: str
    hr_citation_format: str


@lru_cache(maxsize=8)
def _load_yaml(path: str, mtime: float) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def load_yaml(path: Path) -> dict:
    return _load_yaml(str(path), path.stat().st_mtime)


def load_kb_config(path: Path) -> KbConfig:
    raw = load_yaml(path)
    citation = raw.get("citation", {})
    return KbConfig(
        keep_words=frozenset(fold(w) for w in raw.get("keep_words", [])),
        generic_words=frozenset(fold(w) for w in raw.get("generic_words", [])),
        continuation_markers=tuple(fold(m) for m in raw.get("continuation_markers", [])),
        synonyms={fold(k): tuple(fold(v) for v in vals) for k, vals in raw.get("synonyms", {}).items()},
        citation_format=citation["format"],
        paragraph_separator=citation.get("paragraph_separator", ", "),
        document_separator=citation.get("document_separator", "; "),
        plan_step_format=raw["plan"]["step_format"],
        plan_step_separator=raw["plan"].get("step_separator", "\n"),
        hr_citation_format=citation["hr_format"],
    )


class Normalizer:
    """Turns French text into the normalised lemmas used for indexing and queries."""

    def __init__(self, nlp, config: KbConfig):
        self.nlp = nlp
        self.config = config

    def lemmas_of_doc(self, doc) -> List[str]:
        out: List[str] = []
        for token in doc:
            if token.is_punct or token.is_space:
                continue
            lemma = fold(token.lemma_ or token.text)
            text = fold(token.text)
            if not any(ch.isalnum() for ch in lemma):
                continue
            if token.is_stop and lemma not in self.config.keep_words and text not in self.config.keep_words:
                continue
            out.extend(self.config.synonyms.get(lemma) or self.config.synonyms.get(text) or (lemma,))
        return out

    def lemmas(self, text: str) -> List[str]:
        return self.lemmas_of_doc(self.nlp(text, disable=list(QUERY_DISABLED_PIPES)))

    def lemmas_many(self, texts: Iterable[str]) -> List[List[str]]:
        return [self.lemmas_of_doc(d) for d in self.nlp.pipe(texts, disable=list(QUERY_DISABLED_PIPES))]


def load_topics(path: Path, normalizer: Normalizer) -> List[TopicSpec]:
    raw = load_yaml(path).get("topics", {})
    specs = []
    for name, body in raw.items():
        cue_items = [c if isinstance(c, dict) else {"text": c} for c in body.get("cues", [])]
        lemma_lists = normalizer.lemmas_many(c["text"] for c in cue_items)
        cues = [
            Cue(tuple(lemmas), float(item.get("weight", 1)))
            for item, lemmas in zip(cue_items, lemma_lists)
            if lemmas
        ]
        specs.append(TopicSpec(name=name, intent=body.get("intent"), label=body["label"], cues=cues))
    return specs


def contains_sequence(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    n = len(needle)
    if n == 0:
        return False
    if n == 1:
        return needle[0] in haystack
    return any(tuple(haystack[i : i + n]) == tuple(needle) for i in range(len(haystack) - n + 1))


def topic_weights(lemmas: Sequence[str], topics: Iterable[TopicSpec]) -> Dict[str, float]:
    """The topics a lemma sequence covers, each with the summed weight of its matched cues."""
    weights: Dict[str, float] = {}
    for spec in topics:
        total = sum(c.weight for c in spec.cues if contains_sequence(lemmas, c.lemmas))
        if total > 0:
            weights[spec.name] = total
    return weights
