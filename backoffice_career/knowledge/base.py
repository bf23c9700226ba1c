"""KnowledgeBase: the facade the adapters use (search, answers, plans, citations, review queue).

The work is done by index.py (in-memory index, BM25), ranking.py, citations.py,
profile/plan.py and review/queue.py.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from backoffice_career.knowledge import citations, ranking, revision
from backoffice_career.knowledge.db import ReviewItem, current_revision, read_revision
from backoffice_career.knowledge.errors import NO_PASSAGE, KnowledgeBaseUnavailable, database_errors
from backoffice_career.knowledge.index import Hit, Index, TopicInfo, load_index
from backoffice_career.knowledge.meaning import Embedder
from backoffice_career.knowledge.scope import OffGuide
from backoffice_career.knowledge.text import (
    KbConfig,
    Normalizer,
    TopicSpec,
    topic_weights,
)
from backoffice_career.knowledge.vocabulary import Concept, Vocabulary
from backoffice_career.profile import plan as plans
from backoffice_career.review.queue import ReviewQueue

LOAD_ATTEMPTS = 5
MIN_RIVAL_CONCEPTS = 3  # a short question is the topic's to answer
VOCABULARY = Path(__file__).resolve().parents[2] / "data" / "kb" / "vocabulary.yml"
WORKPLACE = Path(__file__).resolve().parents[2] / "data" / "kb" / "workplace.yml"  # HR documents' words


@dataclass(frozen=True)
class Query:
    terms: list[str]  # the question's lemmas and the vocabulary's expansion (BM25)
    concepts: list[Concept]  # what coverage counts: a specific lemma, or a family's forms
    text: str  # the question with the canonical forms added (meaning vector)
    texts: tuple[str, ...] = ()  # the canonical forms alone


class KnowledgeBase:
    """Reads passages from SQL once per revision into a BM25 index and ranks every document on it."""

    def __init__(
        self, engine: Engine, normalizer: Normalizer, topic_specs: list[TopicSpec], config: KbConfig,
        vocabulary_path: Path = VOCABULARY, workplace_path: Path = WORKPLACE,
    ):
        self.engine = engine
        self.vocabulary_path = vocabulary_path
        self.workplace_path = workplace_path
        self._vocabulary: Vocabulary | None = None
        self.normalizer = normalizer
        self._off_guide = OffGuide(normalizer)
        self.topic_specs = topic_specs
        self.config = config
        self.review = ReviewQueue(engine, normalizer)
        self._index: Index | None = None
        self._load_lock = threading.Lock()

    @property
    def vocabulary(self) -> Vocabulary:
        if self._vocabulary is None:  # the trade's words, then the workplace's (retrieval only)
            trade = Vocabulary.load(self.vocabulary_path, self.normalizer)
            workplace = Vocabulary.load(self.workplace_path, self.normalizer)
            self._vocabulary = Vocabulary(trade.families + workplace.families)
        return self._vocabulary

    def off_guide(self, text: str) -> bool:
        """Whether `text` asks what the guide never answers, whatever its wording (knowledge/scope.py)."""
        return self._off_guide(text, self.vocabulary)

    def query(self, text: str, index: Index | None = None) -> Query:
        """The lemmas of `text` with the vocabulary's expansion, its concepts, and the text with the canonical
        forms added (for the meaning vector)."""
        query = self.query_of(self.normalizer.lemmas(text), index)
        return Query(query.terms, query.concepts, " ".join([text, *query.texts]))

    def query_of(self, lemmas: Sequence[str], index: Index | None = None) -> Query:
        """The query of `lemmas` (already normalised: batches); its text holds the canonical forms only.
        With the `index`, a lone lemma's concept also holds the indexed words of its stem (derivation)."""
        expansion = self.vocabulary.expand(list(lemmas))
        generic = self.config.generic_words
        # A form made of generic words only ("travail") says nothing; a longer form stays whole.
        concepts = [frozenset(form for form in c if not set(form) <= generic) for c in expansion.concepts(lemmas)]
        concepts = [c for c in concepts if c]
        terms = list(lemmas) + self._specific(expansion.lemmas)
        if index is not None:
            concepts, related = index.derived(concepts)
            terms += related
        return Query(terms, concepts, "", tuple(expansion.texts))

    def _specific(self, lemmas: Sequence[str]) -> list[str]:
        return [lemma for lemma in lemmas if lemma not in self.config.generic_words]

    # -- loading

    def _current_index(self) -> Index:
        """The index of the current revision (inside one_revision(), the one read first)."""
        return revision.pinned(self, self._latest_index)

    def _latest_index(self) -> Index:
        """The index of the current revision. One thread loads a new revision while the others keep
        answering from the previous index: a rebuild never leaves the bot without a knowledge base."""
        with database_errors():
            revision = current_revision(self.engine)
        current = self._index
        if current is not None and current.revision == revision:
            return current
        if current is None:
            self._load_lock.acquire()
        elif not self._load_lock.acquire(blocking=False):
            return current
        try:
            if self._index is not None and self._index.revision == revision:
                return self._index
            self._index = self._load() or current
            if self._index is None:
                raise KnowledgeBaseUnavailable("the knowledge base kept changing while it was read")
            return self._index
        finally:
            self._load_lock.release()

    def _load(self) -> Index | None:
        """The index of one revision, read again when a build commits while it is read (its rows would
        mix two revisions)."""
        for _ in range(LOAD_ATTEMPTS):
            with database_errors(), Session(self.engine) as session:
                revision = read_revision(session)
                index = load_index(session, revision)
                if read_revision(session) == revision:
                    self._embed(index)
                    return index
        return None

    def _embed(self, index: Index) -> None:
        """Meaning vectors of every passage (its section heading included), idf fitted on this revision."""
        texts = [f"{p.section} {p.text}".strip() for p in index.passages]
        embedder = Embedder(self.normalizer.nlp, self.config.keep_words)
        embedder.fit(texts)
        index.vectors = embedder.matrix(texts)
        index.embedder = embedder

    def check(self) -> int:
        """Number of passages; raises KnowledgeBaseUnavailable when there are none."""
        index = self._current_index()
        if not index.size:
            raise KnowledgeBaseUnavailable(NO_PASSAGE)
        return index.size

    # -- queries

    def topics(self) -> list[TopicInfo]:
        return list(self._current_index().topics)

    def topic_for_intent(self, intent: str | None) -> str | None:
        info = self._current_index().by_intent.get(intent or "")
        return info.name if info else None

    def search(
        self,
        text: str | None = None,
        topic: str | None = None,
        limit: int = 3,
        lemmas: Sequence[str] | None = None,
    ) -> list[Hit]:
        """Best passages for a topic and/or wording (or its `lemmas`, already normalised), best first."""
        index = self._current_index()
        query = (self.query_of(lemmas, index) if lemmas is not None
                 else self.query(text, index) if text else Query([], [], ""))
        return self.rank(index, query, topic, limit)

    def rank(self, index: Index, query: Query, topic: str | None, limit: int) -> list[Hit]:
        """Ranks every passage; `topic` (the intent's), or else the topics the terms suggest, is a boost."""
        wanted = {topic: 1.0} if topic else topic_weights(query.terms, self.topic_specs)
        return ranking.rank(index, query.terms, wanted, query.concepts, limit)

    def extra_answer(self, text: str, min_score: float, min_coverage: float) -> Hit | None:
        """The passage of any document (an HR answer, a new document, the guide) that matches `text` well.

        Used when the NLU found no topic: the passage must score at least `min_score` (BM25, the vocabulary's
        expansion included) and hold at least `min_coverage` of the question's concepts (its specific lemmas, a
        family of the vocabulary counting once: "ticket resto" is held by "titre-restaurant"); a passage of the
        guide's topics, most of the question's own words.
        """
        index = self._current_index()
        lemmas = self.normalizer.lemmas(text or "")
        query = self.query_of(lemmas, index)
        own = set(self._specific(lemmas))
        hit = ranking.best_match(index, query.terms, query.concepts, own, min_score, min_coverage)
        return index.in_context(hit) if hit else None

    def _meaning_scores(self, index: Index, text: str, hint: str | None, lexical_weight: float, hint_weight: float,
                        stems: bool) -> NDArray[np.float64]:
        """ranking.meaning_scores of every passage for `text`; `stems`: derived words count as its concepts."""
        query = self.query(text or "", index if stems else None)
        return ranking.meaning_scores(index, index.vectors, index.embedder.vector(query.text), query.concepts,
                                      {hint: 1.0} if hint else {}, lexical_weight, hint_weight)

    def second_chance(
        self, text: str, hint: str | None, min_score: float, lexical_weight: float, hint_weight: float,
    ) -> Hit | None:
        """The passage of any document closest in meaning and words to `text`, the topic `hint` (the intent's)
        counting as a boost, when its score clears `min_score`; its score is the second-chance score."""
        index = self._current_index()
        # No stems: they tipped guide questions by meaning (docs/performance.md).
        scores = self._meaning_scores(index, text, hint, lexical_weight, hint_weight, stems=False)
        hit = ranking.second_chance(scores, index, min_score)
        return index.in_context(hit) if hit else None

    def document_answer(self, text: str, lexical_weight: float, min_score: float, min_margin: float) -> Hit | None:
        """The paragraph of an HR document (no topic covers it) that answers `text` by meaning and words, when
        its section clearly stands out (ranking.document_match; calibrated by scripts/calibrate_documents.py)."""
        index = self._current_index()
        scores = self._meaning_scores(index, text, None, lexical_weight, 0.0, stems=True)
        hit = ranking.document_match(scores, index, min_score, min_margin)
        return index.in_context(hit) if hit else None

    def section_suggestions(self, text: str, lexical_weight: float, min_score: float, limit: int) -> list[Hit]:
        """HR documents' sections near `text` (document_answer's scores), best first: offered, never an answer."""
        index = self._current_index()
        scores = self._meaning_scores(index, text, None, lexical_weight, 0.0, stems=True)
        return ranking.section_leaders(scores, index, min_score, limit)

    def document_passage(self, passage_id: int) -> Hit | None:
        """An HR document's passage by id, with its paragraph (Index.document_passage)."""
        return self._current_index().document_passage(passage_id)

    def rival(self, lemmas: Sequence[str], answer: Sequence[Hit]) -> Hit | None:
        """A passage of another document than the topic's `answer` that answers the question (its normalised
        `lemmas`) much better: it holds every concept of the question (three at least) and beats the BM25 of
        every passage of the answer's document, none of which holds them all. The intent's topic is a boost,
        never a cage ("une formation SAP pour les nouveaux arrivants ?" in an HR note)."""
        if not answer:
            return None
        index = self._current_index()
        query = self.query_of(lemmas, index)
        if len(query.concepts) < MIN_RIVAL_CONCEPTS:
            return None
        hit = ranking.rival(index, query.terms, query.concepts, answer[0].document)
        return index.in_context(hit) if hit else None

    def answer(
        self,
        text: str | None,
        topic: str | None,
        max_passages: int = 3,
        min_ratio: float = 0.5,
        lemmas: Sequence[str] | None = None,
    ) -> list[Hit]:
        """The passages worth showing together: the best one and close runners-up, in reading order."""
        hits = self.search(text, topic, limit=max_passages, lemmas=lemmas)
        return ranking.close_runners_up(hits, min_ratio)

    def plan(self, profile: dict[str, Any]) -> list[plans.PlanStep]:
        """The advice steps that apply to a profile, in rule order, each with its source passages."""
        return plans.plan(self._current_index(), profile)

    def render_plan(self, steps: Sequence[plans.PlanStep]) -> tuple[str, str]:
        """Numbered steps (format of the KB config) and the references of all their sources."""
        return plans.render_plan(self.config, steps)

    def cite(self, hits: Sequence[Hit]) -> str:
        """Source reference of the hits, from the citation format in the KB config."""
        return citations.cite(self.config, hits)

    # -- the HR review queue (review/queue.py)

    def record_unanswered(
        self,
        question: str,
        sender_id: str | None,
        channel: str | None,
        intent: str | None,
        confidence: float | None,
        reply_channel: str | None = None,
        reply_thread: str | None = None,
    ) -> int:
        return self.review.record_unanswered(
            question, sender_id, channel, intent, confidence, reply_channel, reply_thread
        )

    def open_review_items(self) -> list[ReviewItem]:
        return self.review.open_review_items()

    def review_items(self, status: str | None = None) -> list[ReviewItem]:
        return self.review.review_items(status)

    def answer_review_item(self, item_id: int, answer: str) -> int:
        return self.review.answer_review_item(item_id, answer)

    def dismiss_review_item(self, item_id: int) -> None:
        self.review.dismiss_review_item(item_id)
