"""Rasa's SQL tracker store, configured by one URL, that masks personal data and honours erasure.

endpoints.yml:  tracker_store: {type: addons.tracker_store.PrivacySQLTrackerStore}
The URL is `url:` in endpoints.yml, else TRACKER_DB_URL, else a SQLite file under var/.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Optional, Text

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine.url import make_url

from actions.masking import mask_data
from actions.privacy import ERASE_ACTION, ERASURE_DONE_RESPONSE
from actions.settings import load_settings

logger = logging.getLogger(__name__)


def _erasure_confirmed(events) -> bool:
    """True when the erasure action ran in these events and the bot confirmed it."""
    erased = False
    for event in events:
        if isinstance(event, ActionExecuted) and event.action_name == ERASE_ACTION:
            erased = True
        elif erased and isinstance(event, BotUttered) and event.metadata.get("utter_action") == ERASURE_DONE_RESPONSE:
            return True
    return False


def _sqlite_wal(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class PrivacySQLTrackerStore(SQLTrackerStore):
    """Stores conversations in SQL (SQLite or PostgreSQL) with e-mails and phone numbers masked."""

    def __init__(self, domain=None, host: Optional[Text] = None, url: Optional[Text] = None, event_broker=None, **kwargs: Any):
        url = url or host or load_settings().tracker_db_url
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # SQLTrackerStore takes a full URL in `host`.
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        if parsed.get_backend_name() == "sqlite":
            # WAL: a commit costs ~0.02 ms instead of ~0.6 ms, and readers (HR tools, erasure
            # from the action server) do not block the bot.
            from sqlalchemy import event

            event.listen(self.engine, "connect", _sqlite_wal)
            self.engine.dispose()
        else:
            # Test pooled connections before use, so that the store recovers by itself once a
            # database that went down is back.
            import sqlalchemy as sa
            from rasa.core.tracker_store import create_engine_kwargs

            self.engine.dispose()
            self.engine = sa.create_engine(self.engine.url, pool_pre_ping=True, **create_engine_kwargs(self.engine.url))
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the new events, masked; after a confirmed erasure, deletes the whole conversation.

        No event broker is used: events would leave the machine unmasked.
        """
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            if _erasure_confirmed(new_events):
                # The action server already deleted the stored rows; the tracker still holds
                # them in memory, so nothing of this conversation is written back.
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == tracker.sender_id).delete()
                session.commit()
                logger.info("conversation erased at the user's request")
                return
            for event in new_events:
                data = mask_data(event.as_dict())
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
