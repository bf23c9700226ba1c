"""Rasa's SQL tracker store, configured by one URL, that masks personal data and honours erasure.

endpoints.yml:  tracker_store: {type: rasa_server.stores.tracker_store.PrivacySQLTrackerStore}
The URL is `url:` in endpoints.yml, else TRACKER_DB_URL, else a SQLite file under var/.

Rasa rebuilds a conversation from its rows on every message (read, JSON, replay of every event).
This store keeps the last trackers it read or wrote in memory (TRACKER_CACHE_SIZE, default 500;
0 turns it off) and hands one back only while the database still holds exactly the rows it was
built from: one indexed COUNT/MAX per message instead of the rebuild, safe with several workers,
HR erasure and purges. A tracker whose new events had something masked is not kept, so what a
conversation reads back is always what the database holds.
"""
from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine.url import make_url

from backoffice_career.names import ACTION_ERASE_MY_DATA, UTTER_ERASURE_DONE
from backoffice_career.privacy.masking import mask_data
from backoffice_career.settings import load_settings

logger = logging.getLogger(__name__)

CACHE_IDLE_SECONDS = 1800  # a conversation idle this long is read again from the database


def _erasure_confirmed(events) -> bool:
    """True when the erasure action ran in these events and the bot confirmed it."""
    erased = False
    for event in events:
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_ERASE_MY_DATA:
            erased = True
        elif erased and isinstance(event, BotUttered) and event.metadata.get("utter_action") == UTTER_ERASURE_DONE:
            return True
    return False


def _sqlite_wal(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


Signature = tuple[int, int | None]  # rows of the sender, highest row id


@dataclass
class _Cached:
    tracker: DialogueStateTracker
    stored: int  # how many of tracker.events the database holds
    signature: Signature
    used_at: float


class PrivacySQLTrackerStore(SQLTrackerStore):
    """Stores conversations in SQL (SQLite or PostgreSQL) with e-mails and phone numbers masked."""

    engine: Any  # SQLTrackerStore's engine, replaced in __init__

    def __init__(self, domain=None, host: str | None = None, url: str | None = None, event_broker=None, **kwargs: Any):
        settings = load_settings()
        url = url or host or settings.tracker_db_url
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # SQLTrackerStore takes a full URL in `host`.
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        from rasa.core.tracker_store import create_engine_kwargs

        self.engine.dispose()
        if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
            # A pool (SQLAlchemy 1.4 opens a new SQLite connection per session by default) and
            # WAL: a commit costs ~0.02 ms instead of ~0.6 ms, and readers (HR tools, erasure
            # from the action server) do not block the bot.
            self.engine = sa.create_engine(
                self.engine.url, poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False}
            )
            sa.event.listen(self.engine, "connect", _sqlite_wal)
        else:
            # Test pooled connections before use, so that the store recovers by itself once a
            # database that went down is back.
            self.engine = sa.create_engine(self.engine.url, pool_pre_ping=True, **create_engine_kwargs(self.engine.url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._cache: OrderedDict[str, _Cached] = OrderedDict()
        self._cache_size = settings.tracker_cache_size
        table = self.SQLEvent.__table__
        self._signature_query = sa.select(sa.func.count(table.c.id), sa.func.max(table.c.id)).where(
            table.c.sender_id == sa.bindparam("sender_id")
        )

    def _signature(self, session, sender_id: str) -> Signature:
        count, highest = session.execute(self._signature_query, {"sender_id": sender_id}).one()
        return int(count), highest

    def _keep(self, tracker: DialogueStateTracker, stored: int, signature: Signature) -> None:
        self._cache[tracker.sender_id] = _Cached(tracker, stored, signature, time.monotonic())
        self._cache.move_to_end(tracker.sender_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session of the conversation, from memory while the database is unchanged."""
        if not self._cache_size:
            return await super().retrieve(sender_id)
        cached = self._cache.pop(sender_id, None)
        with self.session_scope() as session:
            # Read before the rows: a change in between makes the next check fail, never pass.
            signature = self._signature(session, sender_id)
            if (
                cached is not None
                and cached.signature == signature
                and len(cached.tracker.events) == cached.stored
                and time.monotonic() - cached.used_at < CACHE_IDLE_SECONDS
            ):
                self._keep(cached.tracker, cached.stored, signature)
                return cached.tracker
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self._keep(tracker, len(tracker.events), signature)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the new events, masked; after a confirmed erasure, deletes the whole conversation.

        No event broker is used: events would leave the machine unmasked.
        """
        cached = self._cache.pop(tracker.sender_id, None)
        with self.session_scope() as session:
            if cached is not None and cached.tracker is tracker and cached.stored <= len(tracker.events):
                new_events = list(tracker.events)[cached.stored:]
            else:
                new_events = list(self._additional_events(session, tracker))
            if _erasure_confirmed(new_events):
                # The action server already deleted the stored rows; the tracker still holds
                # them in memory, so nothing of this conversation is written back.
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == tracker.sender_id).delete()
                session.commit()
                logger.info("conversation erased at the user's request")
                return
            keep, rows = bool(self._cache_size), []
            for event in new_events:
                raw = event.as_dict()
                data = mask_data(raw)
                # Kept in memory only if it reads the same as the database.
                keep = keep and data == raw and not isinstance(event, SessionStarted)
                rows.append({
                    "sender_id": tracker.sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                })
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            signature = self._signature(session, tracker.sender_id) if keep else None
            session.commit()
        if signature is not None:
            self._keep(tracker, len(tracker.events), signature)
