"""The HR review queue: questions the bot could not answer, answered or dismissed by HR.

An answer becomes a passage of the knowledge base (a document of origin "hr"), with a neutral title.
Its passage is indexed on the question too, until the question's author is erased or the question
expires (forget_questions): then only the answer's words are left.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from backoffice_career.knowledge.db import (
    ORIGIN_HR,
    REVIEW_ANSWERED,
    REVIEW_DISMISSED,
    REVIEW_OPEN,
    Document,
    Passage,
    ReviewItem,
    bump_revision,
    upgrade_schema,
    utcnow,
)
from backoffice_career.knowledge.errors import database_errors
from backoffice_career.knowledge.text import KbConfig, Normalizer
from backoffice_career.privacy.masking import clean_text, mask_clean_text

LABEL_CHARS = 100  # channel and intent columns


class ReviewError(Exception):
    """A review-queue operation that cannot be done (unknown or already closed item, empty answer)."""


def hr_title(config: KbConfig, document_id: int) -> str:
    """The neutral title of an HR answer: its reference ("Réponse RH n° 12"), never the user's question."""
    return config.hr_citation_format.format(number=document_id).strip("«» ")


def forget_questions(session: Session, document_ids: Sequence[int], normalizer: Normalizer) -> int:
    """HR answers that no longer hold their question: indexed on the answer alone, neutral title.

    Bumps the revision, so that every in-memory index drops the question's words; returns the count.
    """
    documents = session.scalars(
        select(Document)
        .where(Document.id.in_(list(document_ids)), Document.origin == ORIGIN_HR)
        .options(selectinload(Document.passages))
    ).all()
    for document in documents:
        document.title = hr_title(normalizer.config, document.id)
        for passage in document.passages:
            passage.lemmas = " ".join(normalizer.lemmas(passage.text))
    if documents:
        bump_revision(session)
    return len(documents)


def _label(value: str | None) -> str | None:
    """A channel or intent name, cleaned like the question (it comes from the same request)."""
    cleaned = clean_text(value)[:LABEL_CHARS]
    return cleaned or None


def _confidence(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


class ReviewQueue:
    """Review items in the knowledge-base database; database errors become KnowledgeBaseUnavailable."""

    def __init__(self, engine: Engine, normalizer: Normalizer):
        self.engine = engine
        self.normalizer = normalizer
        upgrade_schema(engine)  # a database built before a new column still works

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
        """Queues a question for HR, cleaned and masked as on the chat path; returns the item id.

        `reply_channel`/`reply_thread`: the Slack channel id and thread ts where HR's answer is posted.
        """
        with database_errors(), Session(self.engine) as session, session.begin():
            item = ReviewItem(
                question=mask_clean_text(question),
                sender_id=sender_id,
                channel=_label(channel),
                intent=_label(intent),
                confidence=_confidence(confidence),
                reply_channel=_label(reply_channel),
                reply_thread=_label(reply_thread),
            )
            session.add(item)
            session.flush()
            item_id: int = item.id
            return item_id

    def open_review_items(self) -> list[ReviewItem]:
        return self.review_items(REVIEW_OPEN)

    def review_items(self, status: str | None = None) -> list[ReviewItem]:
        """Items of the review queue, oldest first; all of them when `status` is None."""
        query = select(ReviewItem).order_by(ReviewItem.id)
        if status:
            query = query.where(ReviewItem.status == status)
        with database_errors(), Session(self.engine) as session:
            return list(session.scalars(query))

    @staticmethod
    def _open_item(session: Session, item_id: int) -> ReviewItem:
        item = session.get(ReviewItem, item_id)
        if item is None:
            raise ReviewError(f"no review item #{item_id}")
        if item.status != REVIEW_OPEN:
            raise ReviewError(f"review item #{item_id} is already {item.status}")
        found: ReviewItem = item
        return found

    def answer_review_item(self, item_id: int, answer: str) -> int:
        """Stores HR's answer as a passage (document of origin "hr"); returns the document id.

        The passage is indexed on the question and the answer, so that the question and its
        paraphrases find it; running servers reload it (revision bump), with no retraining.
        An item answered before and reopened keeps its HR document (same id, same citation) with the new
        answer in place of the old one, and its delivery starts again (review/delivery.py).
        """
        answer = " ".join(clean_text(answer).split())
        if not answer:
            raise ReviewError("the answer is empty")
        with database_errors(), Session(self.engine) as session, session.begin():
            item = self._open_item(session, item_id)
            lemmas = self.normalizer.lemmas(f"{item.question}\n{answer}")
            passage = Passage(
                position=1, paragraph=1, sentence_start=1, sentence_end=1, text=answer, lemmas=" ".join(lemmas)
            )
            document = self._earlier_answer(session, item)
            if document is None:
                name = f"hr-review-{item.id}"
                document = Document(name=name, title=name, origin=ORIGIN_HR)
                session.add(document)
            document.passages = [passage]  # the old passage, if any, is deleted (delete-orphan)
            session.flush()
            document.title = hr_title(self.normalizer.config, document.id)
            item.status, item.resolved_at, item.document_id = REVIEW_ANSWERED, utcnow(), document.id
            item.delivery = item.delivered_at = item.delivery_error = None
            bump_revision(session)
            document_id: int = document.id
            return document_id

    @staticmethod
    def _earlier_answer(session: Session, item: ReviewItem) -> Document | None:
        """The HR document of an item answered before (then reopened), or left by an earlier answer of it."""
        if item.document_id is not None:
            document: Document | None = session.get(Document, item.document_id)
            if document is not None and document.origin == ORIGIN_HR:
                return document
        found: Document | None = session.scalar(
            select(Document).where(Document.name == f"hr-review-{item.id}", Document.origin == ORIGIN_HR)
        )
        return found

    def dismiss_review_item(self, item_id: int) -> None:
        with database_errors(), Session(self.engine) as session, session.begin():
            item = self._open_item(session, item_id)
            item.status, item.resolved_at = REVIEW_DISMISSED, utcnow()

    def share_answer(self, item_ids: Sequence[int], document_id: int) -> list[int]:
        """Closes the other open items of a group with the HR answer already written for one of them;
        returns the ids it closed."""
        closed = []
        with database_errors(), Session(self.engine) as session, session.begin():
            for item_id in item_ids:
                item = session.get(ReviewItem, item_id)
                if item is not None and item.status == REVIEW_OPEN:
                    item.status, item.resolved_at, item.document_id = REVIEW_ANSWERED, utcnow(), document_id
                    closed.append(item_id)
        return closed

    def reopen_review_item(self, item_id: int) -> None:
        """Puts an answered or dismissed item back in the queue.

        An HR answer it had stays a passage, and the item keeps its link to it (answering again replaces it)
        and to the asker (sender, Slack thread). A notice not yet taken by the asker is withdrawn: the next
        answer is delivered instead.
        """
        with database_errors(), Session(self.engine) as session, session.begin():
            item = session.get(ReviewItem, item_id)
            if item is None:
                raise ReviewError(f"no review item #{item_id}")
            if item.status == REVIEW_OPEN:
                raise ReviewError(f"review item #{item_id} is already open")
            item.status, item.resolved_at = REVIEW_OPEN, None
            item.delivery = item.delivered_at = item.delivery_error = None
