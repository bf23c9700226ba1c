"""Personal data: the conversation store (Rasa's SQL tracker store), erasure and retention.

The Rasa server writes conversations to the `events` table of TRACKER_DB_URL
(rasa_server/stores/tracker_store.py); the action server and the CLI read and delete them here.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Dict, List, Optional

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from backoffice_career.knowledge.db import Base, ReviewItem, make_engine, utcnow

ERASE_ACTION = "action_erase_my_data"
# The store drops the whole conversation once the bot has confirmed the erasure with this response.
ERASURE_DONE_RESPONSE = "utter_erasure_done"

# Rasa's SQLTrackerStore table (rasa/core/tracker_store.py, SQLEvent).
_metadata = MetaData()
events = Table(
    "events",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


@dataclass(frozen=True)
class StoredEvent:
    sender_id: str
    type_name: str
    timestamp: float
    intent_name: Optional[str]
    action_name: Optional[str]
    data: dict


class ConversationStore:
    """Reads and deletes conversations in the tracker database."""

    def __init__(self, engine: Engine):
        self.engine = engine

    @classmethod
    def from_url(cls, url: str) -> "ConversationStore":
        return cls(make_engine(url))

    def exists(self) -> bool:
        return inspect(self.engine).has_table(events.name)

    def events(self, sender_id: Optional[str] = None) -> List[StoredEvent]:
        """Stored events, in order (all senders, or one)."""
        if not self.exists():
            return []
        query = select(events).order_by(events.c.id)
        if sender_id is not None:
            query = query.where(events.c.sender_id == sender_id)
        with Session(self.engine) as session:
            return [
                StoredEvent(r.sender_id, r.type_name, r.timestamp or 0.0, r.intent_name, r.action_name, json.loads(r.data or "{}"))
                for r in session.execute(query)
            ]

    def erase(self, sender_id: str) -> int:
        if not self.exists():
            return 0
        with Session(self.engine) as session, session.begin():
            return session.execute(delete(events).where(events.c.sender_id == sender_id)).rowcount

    def purge(self, before: datetime) -> int:
        """Deletes every event older than `before` (naive UTC)."""
        if not self.exists():
            return 0
        cutoff = (before - datetime(1970, 1, 1)).total_seconds()
        with Session(self.engine) as session, session.begin():
            return session.execute(delete(events).where(events.c.timestamp < cutoff)).rowcount


def erase_sender(sender_id: str, kb_engine: Engine, conversations: ConversationStore) -> Dict[str, int]:
    """Deletes everything kept about `sender_id`: conversation, profile, queued questions.

    Every knowledge-base table with a `sender_id` column is cleared for that sender.
    Returns the number of deleted rows per table.
    """
    counts = {}
    with Session(kb_engine) as session, session.begin():
        for table in reversed(Base.metadata.sorted_tables):
            if "sender_id" in table.c and inspect(session.connection()).has_table(table.name):
                counts[table.name] = session.execute(delete(table).where(table.c.sender_id == sender_id)).rowcount
    counts[events.name] = conversations.erase(sender_id)
    return counts


def purge_older_than(days: int, kb_engine: Engine, conversations: ConversationStore, now: Optional[datetime] = None) -> Dict[str, int]:
    """Retention: deletes conversations and review-queue items older than `days` days."""
    before = (now or utcnow()) - timedelta(days=days)
    counts = {events.name: conversations.purge(before)}
    with Session(kb_engine) as session, session.begin():
        counts[ReviewItem.__tablename__] = session.execute(
            delete(ReviewItem).where(ReviewItem.asked_at < before)
        ).rowcount
    return counts
