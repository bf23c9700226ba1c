"""French text processing shared by ingestion and search: one spaCy model, one normaliser."""
from __future__ import annotations

import functools
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backoffice_career.resources import load_yaml

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

_NLP: dict[tuple[str, frozenset[str]], Language] = {}
_NLP_LOCK = threading.Lock()

# The lemmas need tok2vec -> morphologizer (POS) -> attribute_ruler -> lemmatizer (rule mode); the sentences
# of ingestion need the parser too; nothing uses ner or senter (scripts/bench_spacy.py, docs/performance.md).
QUERY_EXCLUDED = frozenset({"parser", "ner", "senter"})
INGEST_EXCLUDED = frozenset({"ner", "senter"})
# Pipes not needed to lemmatise a query (when the pipeline has the parser).
QUERY_DISABLED_PIPES = ("parser", "ner")
QUERY_CACHE = 64  # analyses of the last queries kept (Normalizer.query_doc)
STEM_CACHE = 65536  # words whose stem is kept
_STEMMERS = threading.local()  # a Snowball stemmer keeps state while it stems: one per thread


def get_nlp(model: str, exclude: frozenset[str] = INGEST_EXCLUDED, lean_cache: Path | None = None) -> Language:
    """Load the spaCy model once, on first use, without the `exclude`d components; a pipeline already
    loaded with more components serves too. With `lean_cache`, the model loads lean (knowledge/lean_spacy.py:
    the same analyses in less than half the memory; its copy is kept in that directory)."""
    with _NLP_LOCK:
        for (name, excluded), nlp in _NLP.items():
            if name == model and excluded <= exclude:
                return nlp
        if lean_cache is not None:
            from backoffice_career.knowledge import lean_spacy

            nlp = lean_spacy.load(model, sorted(exclude), lean_cache)
        else:
            import spacy

            nlp = spacy.load(model, exclude=sorted(exclude))
        _NLP[(model, exclude)] = nlp
        return nlp


@functools.lru_cache(maxsize=STEM_CACHE)
def stem(word: str) -> str:
    """The French Snowball stem of a (folded) lemma (cached: 0.2 ms each in pure Python)."""
    stemmer = getattr(_STEMMERS, "french", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = _STEMMERS.french = snowballstemmer.stemmer("french")
    return str(stemmer.stemWord(word))


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower case, no accents, typographic apostrophes made plain."""
    return strip_accents(text.replace("’", "'").lower()).strip()


@dataclass(frozen=True)
class Cue:
    lemmas: tuple[str, ...]
    weight: float


@dataclass
class TopicSpec:
    name: str
    intent: str
    label: str
    cues: list[Cue] = field(default_factory=list)


@dataclass
class KbConfig:
    keep_words: frozenset[str]
    generic_words: frozenset[str]
    continuation_markers: tuple[str, ...]
    synonyms: dict[str, tuple[str, ...]]
    citation_format: str
    paragraph_separator: str
    document_separator: str
    plan_step_format: str
    plan_step_separator: str
    hr_citation_format: str
    # Documents with headings (readers/): citation by section, list layout, limits, error texts.
    section_format: str = "{title}, {section}"
    sections_format: str = "{title}, {sections}"
    section_separator: str = ", "
    section_path_separator: str = " > "
    documents: dict[str, Any] = field(default_factory=dict)


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
        section_format=citation["section_format"],
        sections_format=citation["sections_format"],
        section_separator=citation.get("section_separator", ", "),
        section_path_separator=citation.get("section_path_separator", " > "),
        documents=raw.get("documents", {}),
    )


class Normalizer:
    """Turns French text into the normalised lemmas used for indexing and queries."""

    def __init__(self, nlp: Language, config: KbConfig) -> None:
        self.nlp = nlp
        self.config = config
        # One message is read several times (out-of-scope check, answer, rival): the last texts' analyses.
        self.query_doc = functools.lru_cache(maxsize=QUERY_CACHE)(self._query_doc)

    def _query_doc(self, text: str) -> Doc:
        """spaCy's analysis of a query (no parser): read only, so shared by its callers."""
        return self.nlp(text, disable=list(QUERY_DISABLED_PIPES))

    def lemmas_of_doc(self, doc: Doc | Span) -> list[str]:
        out: list[str] = []
        for token in doc:
            if token.is_punct or token.is_space:
                continue
            lemma = fold(token.lemma_ or token.text)
            text = fold(token.text)
            if not any(ch.isalnum() for ch in lemma) or self._is_clitic(text):
                continue
            if token.is_stop and lemma not in self.config.keep_words and text not in self.config.keep_words:
                continue
            out.extend(self.config.synonyms.get(text) or self.config.synonyms.get(lemma) or (lemma,))
        return out

    def _is_clitic(self, text: str) -> bool:
        """The pronoun or "-t-" of an inverted question ("est-ce", "a-t-il", "peut-on"): not a word to match."""
        rest = text.lstrip("-")
        return rest != text and (len(rest) <= 1 or rest in self.nlp.Defaults.stop_words)

    def lemmas(self, text: str) -> list[str]:
        return self.lemmas_of_doc(self.query_doc(text))

    def lemmas_many(self, texts: Iterable[str]) -> list[list[str]]:
        return [self.lemmas_of_doc(d) for d in self.nlp.pipe(texts, disable=list(QUERY_DISABLED_PIPES))]


def load_topics(path: Path, normalizer: Normalizer) -> list[TopicSpec]:
    raw = load_yaml(path).get("topics", {})
    specs = []
    for name, body in raw.items():
        cue_items = [c if isinstance(c, dict) else {"text": c} for c in body.get("cues", [])]
        lemma_lists = normalizer.lemmas_many(c["text"] for c in cue_items)
        cues = [
            Cue(tuple(lemmas), float(item.get("weight", 1)))
            for item, lemmas in zip(cue_items, lemma_lists, strict=True)
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


def topic_weights(lemmas: Sequence[str], topics: Iterable[TopicSpec]) -> dict[str, float]:
    """The topics a lemma sequence covers, each with the summed weight of its matched cues."""
    weights: dict[str, float] = {}
    for spec in topics:
        total = sum(c.weight for c in spec.cues if contains_sequence(lemmas, c.lemmas))
        if total > 0:
            weights[spec.name] = total
    return weights
