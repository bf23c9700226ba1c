"""Erasure: everything kept about one user is deleted on request (the conversation store is
conversations.py, retention is retention.py).

The user's words are in the conversation, the review queue, the HR answers written for their
questions (indexed on the question) and the reports and exports written since their first message.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from backoffice_career.knowledge.db import Base, ReviewItem
from backoffice_career.knowledge.text import Normalizer
from backoffice_career.names import ACTION_ERASE_MY_DATA, UTTER_ERASURE_DONE
from backoffice_career.privacy.conversations import ConversationStore, events
from backoffice_career.privacy.outputs import delete_generated
from backoffice_career.review.queue import forget_questions

ERASE_ACTION = ACTION_ERASE_MY_DATA
# The store drops the whole conversation once the bot has confirmed the erasure with this response.
ERASURE_DONE_RESPONSE = UTTER_ERASURE_DONE
HR_ANSWERS = "hr_answers_detached"
FILES = "files"

NormalizerFactory = Callable[[], Normalizer]


def _first_seen(session: Session, sender_id: str, conversations: ConversationStore) -> datetime | None:
    dates = [conversations.first_seen(sender_id)]
    if inspect(session.connection()).has_table(ReviewItem.__tablename__):
        dates.append(session.scalar(select(func.min(ReviewItem.asked_at)).where(ReviewItem.sender_id == sender_id)))
    known = [d for d in dates if d is not None]
    return min(known) if known else None


def erase_sender(
    sender_id: str,
    kb_engine: Engine,
    conversations: ConversationStore,
    normalizer: NormalizerFactory,
    exports_dir: Path | None = None,
) -> dict[str, int]:
    """Deletes everything kept about `sender_id`: conversation, profile, queued questions, their words in
    HR answers, and the reports and exports written since the sender's first message.

    Every knowledge-base table with a `sender_id` column is cleared for that sender. `normalizer` is
    called only when an HR answer must be re-indexed. Returns the number of deleted rows per table.
    """
    counts = {}
    with Session(kb_engine) as session, session.begin():
        since = _first_seen(session, sender_id, conversations)
        if inspect(session.connection()).has_table(ReviewItem.__tablename__):
            answered = session.scalars(
                select(ReviewItem.document_id)
                .where(ReviewItem.sender_id == sender_id, ReviewItem.document_id.is_not(None))
            ).all()
            counts[HR_ANSWERS] = forget_questions(session, answered, normalizer()) if answered else 0
        for table in reversed(Base.metadata.sorted_tables):
            if "sender_id" in table.c and inspect(session.connection()).has_table(table.name):
                counts[table.name] = session.execute(delete(table).where(table.c.sender_id == sender_id)).rowcount
    counts[events.name] = conversations.erase(sender_id)
    if exports_dir is not None:
        counts[FILES] = delete_generated(exports_dir, since=since) if since else 0
    return counts
