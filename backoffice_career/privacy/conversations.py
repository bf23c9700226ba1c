"""The conversation store: Rasa's SQL tracker store, read and deleted outside Rasa.

The Rasa server writes conversations to the `events` table of TRACKER_DB_URL
(rasa_server/stores/tracker_store.py); the action server and the CLI read and delete them here.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from backoffice_career.knowledge.db import make_engine

EPOCH = datetime(1970, 1, 1)

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
    intent_name: str | None
    action_name: str | None
    data: dict[str, Any]


class ConversationStore:
    """Reads and deletes conversations in the tracker database."""

    def __init__(self, engine: Engine):
        self.engine = engine

    @classmethod
    def from_url(cls, url: str) -> ConversationStore:
        return cls(make_engine(url))

    def exists(self) -> bool:
        return bool(inspect(self.engine).has_table(events.name))

    def events(self, sender_id: str | None = None) -> list[StoredEvent]:
        """Stored events, in order (all senders, or one)."""
        if not self.exists():
            return []
        query = select(events).order_by(events.c.id)
        if sender_id is not None:
            query = query.where(events.c.sender_id == sender_id)
        with Session(self.engine) as session:
            return [
                StoredEvent(
                    r.sender_id, r.type_name, r.timestamp or 0.0, r.intent_name, r.action_name,
                    json.loads(r.data or "{}"),
                )
                for r in session.execute(query)
            ]

    def first_seen(self, sender_id: str) -> datetime | None:
        """When the sender's oldest stored event happened (naive UTC), None without events."""
        if not self.exists():
            return None
        with Session(self.engine) as session:
            oldest = session.scalar(select(func.min(events.c.timestamp)).where(events.c.sender_id == sender_id))
        return None if oldest is None else EPOCH + timedelta(seconds=oldest)

    def erase(self, sender_id: str) -> int:
        if not self.exists():
            return 0
        with Session(self.engine) as session, session.begin():
            deleted: int = session.execute(delete(events).where(events.c.sender_id == sender_id)).rowcount
            return deleted

    def purge(self, before: datetime) -> int:
        """Deletes every event older than `before` (naive UTC)."""
        if not self.exists():
            return 0
        cutoff = (before - EPOCH).total_seconds()
        with Session(self.engine) as session, session.begin():
            deleted: int = session.execute(delete(events).where(events.c.timestamp < cutoff)).rowcount
            return deleted
