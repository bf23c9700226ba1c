"""The retrieval index of one knowledge-base revision: passages read from SQL, BM25 by `bm25s`.

The index is built from the stored lemmas (spaCy, at ingestion), so SQLite and PostgreSQL give the
same scores. Scoring is vectorised over every passage: its cost grows with the postings of the query's
lemmas, not with a Python loop over the passages.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from typing import Any

import bm25s
import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice_career.knowledge import db
from backoffice_career.knowledge.db import AdviceCitation, AdviceStep, Document, Passage, PassageTopic, Topic
from backoffice_career.knowledge.text import stem
from backoffice_career.knowledge.vocabulary import Concept

# Lucene's idf with the (k1 + 1) term-frequency factor ("atire"): the scores of the former hand-made BM25.
BM25_K1 = 1.2
BM25_B = 0.75
# A stem shorter than this says too little ("form" of "formé" would also be "forme", a shape).
MIN_STEM_LENGTH = 5


@dataclass(frozen=True)
class Hit:
    passage_id: int
    document: str
    title: str
    position: int
    paragraph: int
    text: str
    score: float
    topics: dict[str, float]
    document_id: int = 0
    origin: str = "file"
    section: str = ""


@dataclass(frozen=True)
class TopicInfo:
    name: str
    intent: str | None
    label: str


@dataclass(frozen=True)
class IndexedAdvice:
    key: str
    text: str
    conditions: dict[str, Any]
    passage_ids: list[int]


@dataclass(frozen=True)
class IndexedPassage:
    passage_id: int
    document: str
    title: str
    position: int
    paragraph: int
    text: str
    topics: dict[str, float]
    document_id: int
    origin: str
    section: str = ""

    def hit(self, score: float) -> Hit:
        return Hit(
            self.passage_id, self.document, self.title, self.position, self.paragraph, self.text,
            round(float(score), 4), dict(self.topics), self.document_id, self.origin, self.section,
        )


class Index:
    """Passages, topics and advice of one revision, with their BM25 index (one row per passage)."""

    def __init__(
        self,
        revision: str | None,
        passages: list[IndexedPassage],
        lemmas: list[list[str]],
        topics: list[TopicInfo],
        advice: list[IndexedAdvice],
    ):
        self.revision = revision
        self.passages = passages
        self.by_id = {p.passage_id: p for p in passages}
        self.row_of = {p.passage_id: row for row, p in enumerate(passages)}
        self.topics = topics
        self.advice = advice
        self.by_intent = {t.intent: t for t in topics if t.intent}
        self.size = len(passages)
        self.documents = np.array([p.document for p in passages], dtype=object)  # each row's document
        # Set on load by KnowledgeBase._embed: the passages' meaning vectors and the embedder fitted on them.
        self.vectors: NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
        self.embedder: Any = None
        self._vocab: dict[str, int] = {}
        self._data = self._indices = self._indptr = np.zeros(0)
        if passages:
            retriever = bm25s.BM25(k1=BM25_K1, b=BM25_B, method="atire", idf_method="lucene", dtype="float64")
            retriever.index(lemmas, create_empty_token=False, show_progress=False)
            self._vocab = retriever.vocab_dict
            # CSC by lemma: the passages holding lemma t are indices[indptr[t]:indptr[t + 1]].
            self._data, self._indices, self._indptr = (retriever.scores[k] for k in ("data", "indices", "indptr"))
        self._topic_rows = self._topic_arrays(passages)
        self._tagged = self._tagged_rows()
        # Rows of the same paragraph of a document: a passage no topic covers (an HR note) is read with its
        # paragraph, whose sentences answer together ("au moins trois semaines avant… ; cinq jours pour valider").
        keys: dict[tuple[str, int], int] = {}
        self._paragraph = np.array([keys.setdefault((p.document, p.paragraph), len(keys)) for p in passages],
                                   dtype=np.int64)
        self._paragraph_count = len(keys)
        # Each row's section in its document (its paragraph when the document has no headings): ranking's margin.
        sections: dict[tuple[str, str | int], int] = {}
        self.section_ids = np.array([sections.setdefault((p.document, p.section or p.paragraph), len(sections))
                                     for p in passages], dtype=np.int64)
        self.section_count = len(sections)
        self._by_stem: dict[str, list[str]] = {}
        for term in self._vocab:
            self._by_stem.setdefault(stem(term), []).append(term)

    def siblings(self, lemma: str) -> list[str]:
        """The indexed lemmas of the same (Snowball) stem as `lemma`, other than it: "obligatoire" for
        "obligatoirement", "remboursement" for "rembourser". Derivation, which the lemmas do not undo."""
        root = stem(lemma)
        if len(root) < MIN_STEM_LENGTH:
            return []
        return [term for term in self._by_stem.get(root, ()) if term != lemma]

    def derived(self, concepts: Sequence[Concept]) -> tuple[list[Concept], list[str]]:
        """`concepts` where a lone lemma gets its indexed siblings as other forms, and the siblings of the lemmas
        no passage holds (extra BM25 terms)."""
        out, related = [], []
        for concept in concepts:
            form = next(iter(concept)) if len(concept) == 1 else ()
            siblings = self.siblings(form[0]) if len(form) == 1 else []
            out.append(concept | {(sibling,) for sibling in siblings})
            if siblings and form[0] not in self._vocab:
                related.extend(siblings)
        return out, related

    @staticmethod
    def _topic_arrays(passages: list[IndexedPassage]) -> dict[str, tuple[NDArray[np.int64], NDArray[np.float64]]]:
        """Per topic: its passages (rows) and their weight relative to the topic's best passage (0..1]."""
        rows: dict[str, tuple[list[int], list[float]]] = {}
        for row, p in enumerate(passages):
            for name, weight in p.topics.items():
                rows.setdefault(name, ([], []))[0].append(row)
                rows[name][1].append(weight)
        out = {}
        for name, (ids, weights) in rows.items():
            w = np.asarray(weights, dtype=np.float64)
            out[name] = (np.asarray(ids, dtype=np.int64), w / w.max())
        return out

    @property
    def vocabulary_size(self) -> int:
        return len(self._vocab)

    def _postings(self, term: str) -> tuple[NDArray[Any], NDArray[np.float64]]:  # rows, BM25 values
        t = self._vocab.get(term)
        if t is None:
            return self._indices[:0], self._data[:0]
        start, end = self._indptr[t], self._indptr[t + 1]
        return self._indices[start:end], self._data[start:end]

    def bm25(self, terms: Sequence[str]) -> NDArray[np.float64]:
        """BM25 score of every passage for the lemmas `terms` (a repeated lemma counts again)."""
        scores = np.zeros(self.size, dtype=np.float64)
        for term in terms:
            rows, values = self._postings(term)
            scores[rows] += values  # a lemma's postings hold each passage once
        return scores

    def coverage(self, terms: Iterable[str]) -> NDArray[np.float64]:
        """Share of the distinct lemmas `terms` that each passage holds (0..1)."""
        distinct = set(terms)
        return self.matches(distinct) / len(distinct) if distinct else np.zeros(self.size, dtype=np.float64)

    def concept_coverage(self, concepts: Sequence[AbstractSet[tuple[str, ...]]]) -> NDArray[np.float64]:
        """Share of the `concepts` each passage holds (0..1). A concept is a set of forms (lemma sequences); a
        passage holds it when it holds every lemma of one of its forms. A passage no topic covers holds what
        its paragraph holds."""
        distinct = list(dict.fromkeys(frozenset(c) for c in concepts if c))
        counts = np.zeros(self.size, dtype=np.float64)
        for concept in distinct:
            held = np.zeros(self.size, dtype=bool)
            for form in concept:
                held |= self.matches(form) == len(set(form))
            counts += held if self._tagged.all() else np.where(self._tagged, held, self.in_paragraph(held))
        return counts / len(distinct) if distinct else counts

    def in_paragraph(self, held: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """True for every row of a paragraph where some row is True."""
        by_paragraph = np.bincount(self._paragraph, weights=held, minlength=self._paragraph_count) > 0
        widened: NDArray[np.bool_] = by_paragraph[self._paragraph]
        return widened

    def paragraph_rows(self, passage_id: int) -> list[int]:
        """Rows of the paragraph of a passage no topic covers, in reading order; only its own row otherwise."""
        row = self.row_of[passage_id]
        if self._tagged[row]:
            return [row]
        return [int(r) for r in np.flatnonzero(self._paragraph == self._paragraph[row])]

    def in_context(self, hit: Hit) -> Hit:
        """The hit with the text of its whole paragraph when no topic covers it (an HR note's paragraph is
        its unit of meaning), else unchanged."""
        rows = self.paragraph_rows(hit.passage_id)
        if len(rows) == 1:
            return hit
        return replace(hit, text=" ".join(self.passages[r].text for r in rows))

    def document_passage(self, passage_id: int) -> Hit | None:
        """A passage of a document file that no topic covers (an HR document), with its paragraph; None for a
        guide passage, an HR answer or an id this revision does not hold."""
        row = self.row_of.get(passage_id)
        if row is None or self._tagged[row] or self.passages[row].origin != db.ORIGIN_FILE:
            return None
        return self.in_context(self.passages[row].hit(1.0))

    def matches(self, terms: Iterable[str]) -> NDArray[np.int32]:
        """How many of the distinct lemmas `terms` each passage holds."""
        counts = np.zeros(self.size, dtype=np.int32)
        for term in set(terms):
            counts[self._postings(term)[0]] += 1
        return counts

    def topical(self, wanted: dict[str, float]) -> NDArray[np.float64]:
        """Topic strength of every passage for the topic weights `wanted`."""
        strength = np.zeros(self.size, dtype=np.float64)
        for name, weight in wanted.items():
            if name in self._topic_rows:
                rows, relative = self._topic_rows[name]
                strength[rows] += relative * weight
        return strength

    def tagged(self) -> NDArray[np.bool_]:
        """True for the passages some topic covers (computed once per index; callers only read it)."""
        return self._tagged

    def _tagged_rows(self) -> NDArray[np.bool_]:
        mask = np.zeros(self.size, dtype=bool)
        for rows, _ in self._topic_rows.values():
            mask[rows] = True
        return mask


def _read_passages(session: Session) -> tuple[list[IndexedPassage], list[list[str]]]:
    """Every passage with its document, in one statement (one consistent read), ordered for stable rows."""
    topic_rows = session.execute(
        select(PassageTopic.passage_id, Topic.name, PassageTopic.weight).join(Topic, Topic.id == PassageTopic.topic_id)
    ).all()
    topics: dict[int, dict[str, float]] = {}
    for passage_id, name, weight in topic_rows:
        topics.setdefault(passage_id, {})[name] = weight
    rows = session.execute(
        select(Passage.id, Document.name, Document.title, Passage.position, Passage.paragraph, Passage.text,
               Passage.document_id, Document.origin, Passage.section, Passage.lemmas)
        .join(Document, Document.id == Passage.document_id)
        .order_by(Document.name, Passage.position, Passage.id)
    ).all()
    passages = [
        IndexedPassage(r[0], r[1], r[2], r[3], r[4], r[5], topics.get(r[0], {}), r[6], r[7], r[8] or "")
        for r in rows
    ]
    return passages, [r[9].split() for r in rows]


def _read_advice(session: Session) -> list[IndexedAdvice]:
    citations: dict[int, list[int]] = {}
    for step_id, passage_id in session.execute(select(AdviceCitation.step_id, AdviceCitation.passage_id)):
        citations.setdefault(step_id, []).append(passage_id)
    steps = session.execute(
        select(AdviceStep.id, AdviceStep.key, AdviceStep.text, AdviceStep.conditions).order_by(AdviceStep.position)
    ).all()
    return [
        IndexedAdvice(key, text, json.loads(conditions), sorted(citations.get(i, [])))
        for i, key, text, conditions in steps
    ]


def load_index(session: Session, revision: str | None) -> Index:
    """Reads the whole knowledge base of `revision` into an Index."""
    topic_rows = session.scalars(select(Topic).order_by(Topic.id)).all()
    topics = [TopicInfo(t.name, t.intent, t.label) for t in topic_rows]
    passages, lemmas = _read_passages(session)
    return Index(revision, passages, lemmas, topics, _read_advice(session))
