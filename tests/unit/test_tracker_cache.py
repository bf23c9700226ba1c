"""rasa_server/stores/tracker_store.py keeps trackers in memory only while the database holds exactly their rows."""
from __future__ import annotations

from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text

from hr import cli
from rasa_server.stores.tracker_store import PrivacySQLTrackerStore
from tests.helpers.stores import rows_of, save, user

TURN = [user("comment devenir gestionnaire ?"), ActionExecuted("action_answer_topic"),
        BotUttered("voici"), SlotSet("last_topic", "devenir"), ActionExecuted("action_listen")]


def new_store(domain, url, monkeypatch, size="500"):
    monkeypatch.setenv("TRACKER_CACHE_SIZE", size)
    return PrivacySQLTrackerStore(domain=domain, url=url)


def stored_rows(store, sender):
    with store.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(
            text("SELECT type_name, intent_name, action_name, data FROM events WHERE sender_id = :s ORDER BY id"),
            {"s": sender})]


async def test_the_next_message_gets_the_kept_tracker_and_the_same_rows_are_written(db_url, rasa_domain, monkeypatch):
    cached, plain = new_store(rasa_domain, db_url, monkeypatch), new_store(rasa_domain, db_url, monkeypatch, "0")
    first = {}
    for store, sender in ((cached, "with-cache"), (plain, "without-cache")):
        first[sender] = await save(store, sender, TURN)
        second = await save(store, sender, TURN)
        assert (second is first[sender]) == (store is cached)
    assert len(cached._cache) == 1 and not plain._cache
    # Same rows, and a tracker rebuilt from the database reads the same as the kept one.
    strip = [(t, i, a) for t, i, a, _ in stored_rows(cached, "with-cache")]
    assert strip == [(t, i, a) for t, i, a, _ in stored_rows(plain, "without-cache")]
    kept = await cached.retrieve("with-cache")
    rebuilt = await plain.retrieve("with-cache")
    assert kept is first["with-cache"] and rebuilt is not kept
    assert kept.current_state() == {**rebuilt.current_state(), "sender_id": "with-cache"}
    for store in (cached, plain):
        store.engine.dispose()


async def test_rows_written_by_another_worker_are_read(db_url, rasa_domain, monkeypatch):
    worker_a, worker_b = new_store(rasa_domain, db_url, monkeypatch), new_store(rasa_domain, db_url, monkeypatch)
    await save(worker_a, "shared", TURN)
    await save(worker_b, "shared", [user("et le salaire ?"), BotUttered("je ne sais pas")])
    tracker = await worker_a.retrieve("shared")
    assert [e.text for e in tracker.events if e.type_name == "user"] == [
        "comment devenir gestionnaire ?",
        "et le salaire ?",
    ]
    for store in (worker_a, worker_b):
        store.engine.dispose()


async def test_a_conversation_erased_by_hr_is_gone_from_memory_too(db_url, rasa_domain, monkeypatch, capsys):
    store = new_store(rasa_domain, db_url, monkeypatch)
    await save(store, "alice", TURN)
    assert cli.main(["privacy", "erase", "alice", "--url", db_url, "--tracker-url", db_url]) == 0
    assert await store.retrieve("alice") is None
    assert rows_of(store.engine, "alice")["events"] == 0
    store.engine.dispose()


async def test_events_of_a_message_that_was_not_saved_are_dropped(db_url, rasa_domain, monkeypatch):
    store = new_store(rasa_domain, db_url, monkeypatch)
    kept = await save(store, "crash", TURN)
    kept.update(user("message whose handling failed"))  # never saved
    tracker = await store.retrieve("crash")
    assert tracker is not kept and len(tracker.events) == len(TURN)
    store.engine.dispose()


async def test_masked_or_new_session_trackers_are_read_back_from_the_database(db_url, rasa_domain, monkeypatch):
    store = new_store(rasa_domain, db_url, monkeypatch)
    masked = await save(store, "masked", [user("mon mail est a.b@exemple.fr")])
    assert await store.retrieve("masked") is not masked
    renewed = await save(store, "renewed", TURN + [ActionExecuted("action_session_start"), SessionStarted()])
    reread = await store.retrieve("renewed")
    assert reread is not renewed and [e.type_name for e in reread.events] == ["session_started"]
    store.engine.dispose()


async def test_memory_is_bounded(db_url, rasa_domain, monkeypatch):
    store = new_store(rasa_domain, db_url, monkeypatch, "2")
    for sender in ("s1", "s2", "s3"):
        await save(store, sender, TURN)
    assert list(store._cache) == ["s2", "s3"]
    assert isinstance(await store.retrieve("s1"), DialogueStateTracker)
    assert list(store._cache) == ["s3", "s1"]
    store.engine.dispose()
