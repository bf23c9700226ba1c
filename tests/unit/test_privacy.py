"""GDPR: masking on save, erasure (store, action, CLI) and retention, on SQLite and PostgreSQL."""
from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk.events import AllSlotsReset
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from actions.actions import ActionEraseMyData
from hr import cli
from backoffice_career.knowledge.db import ReviewItem, create_schema, make_engine, utcnow
from backoffice_career.knowledge.search import KnowledgeBase
from backoffice_career.privacy.masking import masks
from backoffice_career.privacy.erasure import ERASE_ACTION, ConversationStore
from backoffice_career.settings import ROOT
from rasa_server.stores.tracker_store import PrivacySQLTrackerStore
from tests.helpers.stores import rows_of, save, user
from tests.helpers.trackers import make_tracker, run

PERSONAL = re.compile(r"@|\b\d{2}( \d{2}){3}\b|\b0\d{9}\b")
DAY = 86400


@pytest.fixture
def stores(db_url, rasa_domain, normalizer, topic_specs):
    """The Rasa tracker store and the knowledge base, in one database."""
    store = PrivacySQLTrackerStore(domain=rasa_domain, url=db_url)
    engine = make_engine(db_url)
    create_schema(engine)
    kb = KnowledgeBase(engine, normalizer, topic_specs, normalizer.config)
    yield store, kb, ConversationStore(engine)
    store.engine.dispose()
    engine.dispose()


async def test_personal_data_is_masked_before_it_reaches_the_database(stores):
    store, kb, conversations = stores
    said = "je suis joignable au 06 12 34 56 78, au +33 7 11 22 33 44 ou à marie.durand@exemple.fr"
    await save(store, "marie", [user(said), BotUttered("ok"), SlotSet("last_topic", "courses")])
    with store.engine.connect() as connection:
        raw = [r[0] for r in connection.execute(text("SELECT data FROM events WHERE sender_id = 'marie'"))]
    assert raw and not any(PERSONAL.search(r) for r in raw)
    [user_event] = [e for e in conversations.events("marie") if e.type_name == "user"]
    expected = f"je suis joignable au {masks()['phone']}, au {masks()['phone']} ou à {masks()['email']}"
    assert user_event.data["text"] == expected
    assert user_event.data["parse_data"]["text"] == expected
    # The tracker read back is the masked one, and it keeps its slots.
    tracker = await store.retrieve("marie")
    assert tracker.latest_message.text == expected
    assert tracker.get_slot("last_topic") == "courses"


async def test_a_confirmed_erasure_leaves_no_row_of_the_conversation(stores):
    store, _, _ = stores
    await save(store, "paul", [user("mon mail paul@x.fr"), BotUttered("ok")])
    await save(store, "paul", [
        user("oui"),
        ActionExecuted(ERASE_ACTION),
        BotUttered("c'est fait", metadata={"utter_action": "utter_erasure_done"}),
        ActionExecuted("action_listen"),
    ])
    assert rows_of(store.engine, "paul")["events"] == 0
    assert await store.retrieve("paul") is None


async def test_a_failed_erasure_keeps_the_conversation(stores):
    store, _, _ = stores
    await save(store, "paul", [user("bonjour"), ActionExecuted(ERASE_ACTION),
                               BotUttered("désolé", metadata={"utter_action": "utter_erasure_failed"})])
    assert [e.type_name for e in ConversationStore(store.engine).events("paul")] == ["user", "action", "bot"]


async def test_hr_erases_a_sender_from_every_store(stores, db_url, capsys):
    store, kb, _ = stores
    for sender in ("alice", "bob"):
        await save(store, sender, [user("salaire ?"), BotUttered("je ne sais pas")])
        kb.record_unanswered("salaire ?", sender, "rest", "out_of_scope", 0.9)
    before = rows_of(kb.engine, "alice")
    assert before["events"] == 2 and before["kb_review_item"] == 1
    assert cli.main(["privacy", "erase", "alice", "--url", db_url, "--tracker-url", db_url]) == 0
    assert "erased 'alice'" in capsys.readouterr().out
    assert set(rows_of(kb.engine, "alice").values()) == {0}
    assert rows_of(kb.engine, "bob") == before


async def test_the_erase_action_deletes_everything_and_confirms(stores):
    store, kb, conversations = stores
    await save(store, "test-user", [user("salaire ?")])
    kb.record_unanswered("salaire ?", "test-user", "rest", "out_of_scope", 0.9)
    dispatcher, events = await run(ActionEraseMyData(lambda: kb, lambda: conversations), make_tracker("oui", "affirm"))
    assert [m["response"] for m in dispatcher.messages] == ["utter_erasure_done"]
    assert events == [AllSlotsReset()]
    assert set(rows_of(kb.engine, "test-user").values()) == {0}


async def test_the_erase_action_apologises_when_a_store_is_down(normalizer, topic_specs, tmp_path):
    down = KnowledgeBase(make_engine("postgresql://postgres@127.0.0.1:1/kb"), normalizer, topic_specs, normalizer.config)
    conversations = ConversationStore.from_url(f"sqlite:///{tmp_path / 't.sqlite'}")
    dispatcher, events = await run(ActionEraseMyData(lambda: down, lambda: conversations), make_tracker("oui", "affirm"))
    assert [m["response"] for m in dispatcher.messages] == ["utter_erasure_failed"]
    assert events == []


async def test_retention_purges_older_conversations_and_queue_items(stores, db_url, monkeypatch, capsys):
    store, kb, conversations = stores
    now = time.time()
    await save(store, "old", [user("vieux message 0611223344", timestamp=now - 40 * DAY)])
    await save(store, "recent", [user("nouveau message", timestamp=now - 2 * DAY)])
    old_item = kb.record_unanswered("vieux ?", "old", "rest", "nlu_fallback", 0.2)
    kb.record_unanswered("nouveau ?", "recent", "rest", "nlu_fallback", 0.2)
    with Session(kb.engine) as session, session.begin():
        session.get(ReviewItem, old_item).asked_at = utcnow() - timedelta(days=40)

    monkeypatch.setenv("RETENTION_DAYS", "30")
    assert cli.main(["privacy", "purge", "--url", db_url, "--tracker-url", db_url]) == 0
    assert "older than 30 days" in capsys.readouterr().out
    assert set(rows_of(kb.engine, "old").values()) == {0}
    assert rows_of(kb.engine, "recent") == {"events": 1, "kb_review_item": 1}
    assert [e.data["text"] for e in conversations.events()] == ["nouveau message"]
    assert cli.main(["privacy", "purge", "--days", "-1", "--url", db_url, "--tracker-url", db_url]) == 2
