"""Retention: personal data older than the retention period is deleted.

Conversations, review-queue items (and their words in HR answers) and generated reports and exports.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from backoffice_career.knowledge.db import ReviewItem, utcnow
from backoffice_career.privacy.conversations import ConversationStore, events
from backoffice_career.privacy.erasure import FILES, HR_ANSWERS, NormalizerFactory
from backoffice_career.privacy.outputs import delete_generated
from backoffice_career.review.queue import forget_questions


def purge_older_than(
    days: int,
    kb_engine: Engine,
    conversations: ConversationStore,
    normalizer: NormalizerFactory,
    exports_dir: Path | None = None,
    now: datetime | None = None,
) -> dict[str, int]:
    """Deletes conversations, review-queue items and generated files older than `days` days."""
    before = (now or utcnow()) - timedelta(days=days)
    counts = {events.name: conversations.purge(before)}
    with Session(kb_engine) as session, session.begin():
        answered = session.scalars(
            select(ReviewItem.document_id).where(ReviewItem.asked_at < before, ReviewItem.document_id.is_not(None))
        ).all()
        counts[HR_ANSWERS] = forget_questions(session, answered, normalizer()) if answered else 0
        counts[ReviewItem.__tablename__] = session.execute(
            delete(ReviewItem).where(ReviewItem.asked_at < before)
        ).rowcount
    if exports_dir is not None:
        counts[FILES] = delete_generated(exports_dir, before=before)
    return counts
