"""Ranked retrieval: BM25 on normalised lemmas, boosted by topic tags."""
from __future__ import annotations

import json
import math
import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from backoffice_career.profile.advice import applies
from backoffice_career.knowledge.db import (
    ORIGIN_HR,
    REVIEW_ANSWERED,
    REVIEW_DISMISSED,
    REVIEW_OPEN,
    AdviceStep,
    Document,
    Passage,
    ReviewItem,
    Topic,
    bump_revision,
    read_revision,
    utcnow,
)
from backoffice_career.knowledge.text import KbConfig, Normalizer, TopicSpec, topic_weights
from backoffice_career.privacy.masking import mask_text

BM25_K1 = 1.2
BM25_B = 0.75
TOPIC_BOOST = 4.0


class KnowledgeBaseUnavailable(Exception):
    """The knowledge base is missing, empty or unreachable."""


class ReviewError(Exception):
    """A review-queue operation that cannot be done (unknown or already closed item, empty answer)."""


@contextmanager
def _database_errors():
    """Database errors become KnowledgeBaseUnavailable."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise KnowledgeBaseUnavailable(str(exc)) from exc


@dataclass(frozen=True)
class Hit:
    passage_id: int
    document: str
    title: str
    position: int
    paragraph: int
    text: str
    score: float
    topics: Dict[str, float]
    document_id: int = 0
    origin: str = "file"


@dataclass(frozen=True)
class TopicInfo:
    name: str
    intent: Optional[str]
    label: str


@dataclass(frozen=True)
class PlanStep:
    key: str
    text: str
    sources: List[Hit]


@dataclass(frozen=True)
class _Advice:
    key: str
    text: str
    conditions: Dict
    passage_ids: List[int]


@dataclass
class _Indexed:
    passage_id: int
    document: str
    title: str
    position: int
    paragraph: int
    text: str
    tf: Counter
    length: int
    topics: Dict[str, float]
    document_id: int
    origin: str


class _Index:
    def __init__(
        self, revision: Optional[str], passages: List[_Indexed], topics: List[TopicInfo], advice: List[_Advice]
    ):
        self.revision = revision
        self.passages = passages
        self.by_id = {p.passage_id: p for p in passages}
        self.topics = topics
        self.advice = advice
        self.by_intent = {t.intent: t for t in topics if t.intent}
        self.max_topic_weight: Dict[str, float] = {}
        for p in passages:
            for name, weight in p.topics.items():
                self.max_topic_weight[name] = max(weight, self.max_topic_weight.get(name, 0.0))
        n = len(passages)
        self.avg_length = (sum(p.length for p in passages) / n) if n else 0.0
        df: Counter = Counter()
        for p in passages:
            df.update(p.tf.keys())
        self.idf = {term: math.log(1 + (n - d + 0.5) / (d + 0.5)) for term, d in df.items()}

    def bm25(self, passage: _Indexed, terms: Sequence[str]) -> float:
        score = 0.0
        norm = BM25_K1 * (1 - BM25_B + BM25_B * passage.length / (self.avg_length or 1))
        for term in terms:
            freq = passage.tf.get(term)
            if freq:
                score += self.idf[term] * freq * (BM25_K1 + 1) / (freq + norm)
        return score


class KnowledgeBase:
    """Reads passages from SQL once per revision and ranks them in memory."""

    def __init__(self, engine: Engine, normalizer: Normalizer, topic_specs: List[TopicSpec], config: KbConfig):
        self.engine = engine
        self.normalizer = normalizer
        self.topic_specs = topic_specs
        self.config = config
        self._index: Optional[_Index] = None
        self._lock = threading.Lock()

    # -- loading

    def _current_index(self) -> _Index:
        with _database_errors(), Session(self.engine) as session:
            revision = read_revision(session)
            if self._index is not None and self._index.revision == revision:
                return self._index
            index = self._load(session, revision)
        with self._lock:
            self._index = index
        return index

    @staticmethod
    def _load(session: Session, revision: Optional[str]) -> _Index:
        rows = session.scalars(
            select(Passage).options(selectinload(Passage.topics), selectinload(Passage.document))
        ).all()
        topic_rows = session.scalars(select(Topic).order_by(Topic.id)).all()
        names = {t.id: t.name for t in topic_rows}
        passages = [
            _Indexed(
                passage_id=p.id,
                document=p.document.name,
                title=p.document.title,
                position=p.position,
                paragraph=p.paragraph,
                text=p.text,
                tf=Counter(p.lemmas.split()),
                length=len(p.lemmas.split()),
                topics={names[pt.topic_id]: pt.weight for pt in p.topics},
                document_id=p.document_id,
                origin=p.document.origin,
            )
            for p in rows
        ]
        topics = [TopicInfo(t.name, t.intent, t.label) for t in topic_rows]
        steps = session.scalars(
            select(AdviceStep).options(selectinload(AdviceStep.citations)).order_by(AdviceStep.position)
        ).all()
        advice = [
            _Advice(s.key, s.text, json.loads(s.conditions), sorted(c.passage_id for c in s.citations))
            for s in steps
        ]
        return _Index(revision, passages, topics, advice)

    def check(self) -> int:
        """Number of passages; raises KnowledgeBaseUnavailable when there are none."""
        index = self._current_index()
        if not index.passages:
            raise KnowledgeBaseUnavailable("the knowledge base has no passage; run the build first")
        return len(index.passages)

    # -- queries

    def topics(self) -> List[TopicInfo]:
        return list(self._current_index().topics)

    def topic_for_intent(self, intent: Optional[str]) -> Optional[str]:
        info = self._current_index().by_intent.get(intent or "")
        return info.name if info else None

    def search(
        self,
        text: Optional[str] = None,
        topic: Optional[str] = None,
        limit: int = 3,
        extra_terms: Sequence[str] = (),
    ) -> List[Hit]:
        """Best passages for a topic and/or wording, best first, each with its score."""
        index = self._current_index()
        terms = (self.normalizer.lemmas(text) if text else []) + list(extra_terms)
        return self.rank(index, terms, topic, limit)

    def rank(self, index: _Index, terms: Sequence[str], topic: Optional[str], limit: int) -> List[Hit]:
        if topic:
            wanted = {topic: 1.0}
        else:
            wanted = topic_weights(terms, self.topic_specs)
        specific = [t for t in terms if t not in self.config.generic_words]
        hits = []
        for p in index.passages:
            # Topic strength of the passage, relative to the topic's best passage (0..1).
            topical = sum(
                p.topics.get(name, 0.0) / index.max_topic_weight[name] * w
                for name, w in wanted.items()
                if name in index.max_topic_weight
            )
            if topic and not topical:
                continue
            if not topical and not any(t in p.tf for t in specific):
                continue
            score = index.bm25(p, terms) + TOPIC_BOOST * topical
            if score > 0:
                hits.append((score, p))
        hits.sort(key=lambda sp: (-sp[0], sp[1].document, sp[1].position))
        return [_hit(p, s) for s, p in hits[:limit]]

    def extra_answer(self, text: str, min_score: float, min_coverage: float) -> Optional[Hit]:
        """The best passage no topic covers (an HR answer, a new document) that matches `text` well.

        Used when the NLU found no topic: the passage must score at least `min_score` (BM25)
        and contain at least `min_coverage` of the specific (non-generic) lemmas of `text`.
        """
        index = self._current_index()
        terms = self.normalizer.lemmas(text or "")
        specific = {t for t in terms if t not in self.config.generic_words}
        if not specific:
            return None
        best = None
        for p in index.passages:
            if p.topics:
                continue
            coverage = sum(t in p.tf for t in specific) / len(specific)
            if coverage < min_coverage:
                continue
            score = index.bm25(p, terms)
            if score >= min_score and (best is None or score > best[0]):
                best = (score, p)
        return _hit(best[1], best[0]) if best else None

    def answer(
        self,
        text: Optional[str],
        topic: Optional[str],
        max_passages: int = 3,
        min_ratio: float = 0.5,
        extra_terms: Sequence[str] = (),
    ) -> List[Hit]:
        """The passages worth showing together: the best one and close runners-up, in reading order."""
        hits = self.search(text, topic, limit=max_passages, extra_terms=extra_terms)
        if not hits:
            return []
        best = hits[0].score
        chosen, seen = [], set()
        for hit in hits:
            if hit.score < best * min_ratio or hit.text in seen:
                continue
            seen.add(hit.text)
            chosen.append(hit)
        return sorted(chosen, key=lambda h: (h.document, h.position))

    def plan(self, profile: Dict) -> List[PlanStep]:
        """The advice steps that apply to a profile, in rule order, each with its source passages."""
        index = self._current_index()
        return [
            PlanStep(a.key, a.text, [_hit(index.by_id[pid], 0.0) for pid in a.passage_ids])
            for a in index.advice
            if applies(a.conditions, profile)
        ]

    def render_plan(self, steps: Sequence[PlanStep]) -> Tuple[str, str]:
        """Numbered steps (format of the KB config) and the references of all their sources."""
        lines = [
            self.config.plan_step_format.format(
                number=number,
                text=step.text,
                paragraphs=self.config.paragraph_separator.join(str(p) for p in sorted({h.paragraph for h in step.sources})),
            )
            for number, step in enumerate(steps, start=1)
        ]
        every_source = sorted({h.passage_id: h for s in steps for h in s.sources}.values(), key=lambda h: h.position)
        return self.config.plan_step_separator.join(lines), self.cite(every_source)

    def cite(self, hits: Sequence[Hit]) -> str:
        """Source reference of the hits, from the citation format in the KB config."""
        by_document: Dict[str, List[Hit]] = {}
        for hit in hits:
            by_document.setdefault(hit.document, []).append(hit)
        parts = []
        for doc_hits in by_document.values():
            if doc_hits[0].origin == ORIGIN_HR:
                parts.append(self.config.hr_citation_format.format(number=doc_hits[0].document_id))
                continue
            paragraphs = sorted({h.paragraph for h in doc_hits})
            parts.append(
                self.config.citation_format.format(
                    title=doc_hits[0].title,
                    paragraphs=self.config.paragraph_separator.join(str(p) for p in paragraphs),
                )
            )
        return self.config.document_separator.join(parts)

    # -- the HR review queue

    def record_unanswered(
        self,
        question: str,
        sender_id: Optional[str],
        channel: Optional[str],
        intent: Optional[str],
        confidence: Optional[float],
    ) -> int:
        with _database_errors(), Session(self.engine) as session, session.begin():
            item = ReviewItem(
                question=mask_text(question), sender_id=sender_id, channel=channel, intent=intent, confidence=confidence
            )
            session.add(item)
            session.flush()
            return item.id

    def open_review_items(self) -> List[ReviewItem]:
        return self.review_items(REVIEW_OPEN)

    def review_items(self, status: Optional[str] = None) -> List[ReviewItem]:
        """Items of the review queue, oldest first; all of them when `status` is None."""
        query = select(ReviewItem).order_by(ReviewItem.id)
        if status:
            query = query.where(ReviewItem.status == status)
        with _database_errors(), Session(self.engine) as session:
            return list(session.scalars(query))

    def _open_item(self, session: Session, item_id: int) -> ReviewItem:
        item = session.get(ReviewItem, item_id)
        if item is None:
            raise ReviewError(f"no review item #{item_id}")
        if item.status != REVIEW_OPEN:
            raise ReviewError(f"review item #{item_id} is already {item.status}")
        return item

    def answer_review_item(self, item_id: int, answer: str) -> int:
        """Stores HR's answer as a new passage (document of origin "hr"); returns the document id.

        The passage is indexed on the question and the answer, so that the question and its
        paraphrases find it; running servers reload it (revision bump), with no retraining.
        """
        answer = " ".join((answer or "").split())
        if not answer:
            raise ReviewError("the answer is empty")
        with _database_errors(), Session(self.engine) as session, session.begin():
            item = self._open_item(session, item_id)
            lemmas = self.normalizer.lemmas(f"{item.question}\n{answer}")
            document = Document(name=f"hr-review-{item.id}", title=item.question, origin=ORIGIN_HR)
            document.passages = [
                Passage(position=1, paragraph=1, sentence_start=1, sentence_end=1, text=answer, lemmas=" ".join(lemmas))
            ]
            session.add(document)
            session.flush()
            item.status, item.resolved_at, item.document_id = REVIEW_ANSWERED, utcnow(), document.id
            bump_revision(session)
            return document.id

    def dismiss_review_item(self, item_id: int) -> None:
        with _database_errors(), Session(self.engine) as session, session.begin():
            item = self._open_item(session, item_id)
            item.status, item.resolved_at = REVIEW_DISMISSED, utcnow()


def _hit(p: _Indexed, score: float) -> Hit:
    return Hit(
        p.passage_id, p.document, p.title, p.position, p.paragraph, p.text, round(score, 4), dict(p.topics),
        p.document_id, p.origin,
    )
