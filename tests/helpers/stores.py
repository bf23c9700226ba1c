"""Rasa tracker-store helpers shared by the privacy and cache tests."""
from __future__ import annotations

from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import inspect, text


def user(text, timestamp=None):
    return UserUttered(
        text, {"name": "out_of_scope", "confidence": 0.9}, parse_data={"text": text}, timestamp=timestamp
    )


async def save(store, sender, events):
    tracker = await store.retrieve(sender) or DialogueStateTracker(sender, store.domain.slots)
    for event in events:
        tracker.update(event)
    await store.save(tracker)
    return tracker


def rows_of(engine, sender):
    """Rows of `sender` in every table that has a sender_id column."""
    found = {}
    for table in inspect(engine).get_table_names():
        if "sender_id" in {c["name"] for c in inspect(engine).get_columns(table)}:
            with engine.connect() as connection:
                n = connection.execute(
                    text(f"SELECT COUNT(*) FROM {table} WHERE sender_id = :s"), {"s": sender}
                ).scalar()
            found[table] = n
    return found
