"""rasa_server/patches/tracker_store_faults.py: a database that is down is an error, not an empty conversation."""
from __future__ import annotations

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import OperationalError

from rasa_server.patches import tracker_store_faults


async def test_a_database_down_reaches_the_message_handling(unreachable_sql_store):
    tracker_store_faults.install()
    store = FailSafeTrackerStore(unreachable_sql_store)  # as Rasa wraps every tracker store
    with pytest.raises(OperationalError):
        await store.get_or_create_tracker("u1", append_action_listen=False)  # as the processor asks
    with pytest.raises(OperationalError):
        await store.retrieve_full_tracker("u1")
    with pytest.raises(OperationalError):
        await store.save(DialogueStateTracker("u1", []))
    assert list(await store.fallback_tracker_store.keys()) == []  # nothing went to memory


async def test_a_working_database_is_used_as_before(tmp_path, rasa_domain):
    tracker_store_faults.install()
    store = FailSafeTrackerStore(SQLTrackerStore(rasa_domain, dialect="sqlite", db=str(tmp_path / "t.sqlite")))
    tracker = DialogueStateTracker("u1", rasa_domain.slots)
    tracker.update(SlotSet("x", 1))
    await store.save(tracker)
    assert [e for e in (await store.retrieve("u1")).events if isinstance(e, SlotSet)] == [SlotSet("x", 1)]
    assert (await store.retrieve_full_tracker("u1")).sender_id == "u1"
