"""GDPR: masking on save, erasure (store, action, CLI) and retention, on SQLite and PostgreSQL."""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet
from rasa_sdk.events import AllSlotsReset
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from actions.actions import ActionEraseMyData
from backoffice_career.knowledge.base import KnowledgeBase
from backoffice_career.knowledge.db import ReviewItem, create_schema, make_engine, utcnow
from backoffice_career.privacy.conversations import ConversationStore
from backoffice_career.privacy.erasure import ERASE_ACTION
from backoffice_career.privacy.masking import masks
from backoffice_career.privacy.outputs import dated_path, file_date
from backoffice_career.privacy.retention import purge_older_than
from hr import cli
from rasa_server.stores.tracker_store import PrivacySQLTrackerStore
from tests.helpers.stores import rows_of, save, user
from tests.helpers.trackers import make_tracker, run

PERSONAL = re.compile(r"@|\b\d{2}( \d{2}){3}\b|\b0\d{9}\b")
DAY = 86400
# Words only this user wrote: no table, index, report or export may keep them after erasure.
CLAIRE_SAYS = "Mon manager Grégoire refuse le télétravail au siège de Quimper, est-ce légal ?"
CLAIRE_WORDS = ("grégoire", "quimper")
HR_SAYS = "Le télétravail se demande par écrit ; un refus doit être motivé selon l'accord d'entreprise."


@pytest.fixture(autouse=True)
def exports_dir(tmp_path, monkeypatch):
    """Reports and exports of these tests go to a folder of their own."""
    folder = tmp_path / "exports"
    monkeypatch.setenv("EXPORTS_DIR", str(folder))
    return folder


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
    down_engine = make_engine("postgresql://postgres@127.0.0.1:1/kb")
    down = KnowledgeBase(down_engine, normalizer, topic_specs, normalizer.config)
    conversations = ConversationStore.from_url(f"sqlite:///{tmp_path / 't.sqlite'}")
    action = ActionEraseMyData(lambda: down, lambda: conversations)
    dispatcher, events = await run(action, make_tracker("oui", "affirm"))
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


async def test_hidden_characters_cannot_smuggle_a_number_into_the_store(stores):
    store, _, conversations = stores
    await save(store, "zoe", [user("rappel au 06\u200b12\u00a034 56\u206078 ou jo\u200b@exemple.fr\x1b[0m")])
    with store.engine.connect() as connection:
        [raw] = [r[0] for r in connection.execute(text("SELECT data FROM events WHERE sender_id = 'zoe'"))]
    assert "34 56" not in raw and "exemple" not in raw and "\\u001b" not in raw and "\\u200b" not in raw
    [event] = conversations.events("zoe")
    assert event.data["text"] == f"rappel au {masks()['phone']} ou {masks()['email']}[0m"


def _words_left(engine, words) -> list:
    """(table, row) pairs of every table that still hold one of `words`."""
    found = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                if any(word in str(tuple(row)).lower() for word in words):
                    found.append((table, row))
    return found


def _files_holding(folder, words) -> list:
    return [p.name for p in folder.iterdir() if any(w in p.read_text(encoding="utf-8").lower() for w in words)]


async def test_erasure_after_an_hr_answer_an_export_and_a_report_leaves_no_word(stores, db_url, exports_dir, capsys):
    store, kb, _ = stores
    url = ["--url", db_url, "--tracker-url", db_url]
    exports_dir.mkdir()
    older = dated_path(exports_dir, "review-export", "csv", utcnow() - timedelta(days=3))
    older.write_text("id,question\n1,une question d'avant\n", encoding="utf-8")
    await save(store, "claire", [user(CLAIRE_SAYS), BotUttered("je ne sais pas")])
    await save(store, "bob", [user("quel salaire ?"), BotUttered("je ne sais pas")])
    item = kb.record_unanswered(CLAIRE_SAYS, "claire", "rest", "out_of_scope", 0.9)
    kb.record_unanswered("quel salaire ?", "bob", "rest", "out_of_scope", 0.9)
    assert cli.main(["review", "answer", str(item), HR_SAYS, "--url", db_url]) == 0
    assert cli.main(["review", "export", "--status", "answered", "--url", db_url]) == 0
    assert cli.main(["report", *url]) == 0
    # Before erasure her words are everywhere: in the tables, the index, the export (the report
    # lists open items only, its charts are built from them).
    assert _words_left(kb.engine, CLAIRE_WORDS)
    assert [h.origin for h in kb.search("Grégoire Quimper")][:1] == ["hr"]
    assert len(_files_holding(exports_dir, CLAIRE_WORDS)) == 1 and len(list(exports_dir.iterdir())) == 3

    assert cli.main(["privacy", "erase", "claire", *url]) == 0
    assert "files 2" in capsys.readouterr().out

    assert _words_left(kb.engine, CLAIRE_WORDS) == []
    assert set(rows_of(kb.engine, "claire").values()) == {0}
    assert all(h.origin != "hr" for h in kb.search("Grégoire Quimper"))
    assert [p.name for p in exports_dir.iterdir()] == [older.name]
    # HR's answer stays in the knowledge base, under a neutral title.
    hr = [p for p in kb._current_index().passages if p.origin == "hr"]
    assert [(p.text, p.title) for p in hr] == [(HR_SAYS, f"Réponse RH n° {hr[0].document_id}")]
    assert rows_of(kb.engine, "bob") == {"events": 2, "kb_review_item": 1}


def test_retention_deletes_old_reports_and_exports_and_old_questions_in_hr_answers(stores, exports_dir):
    _, kb, conversations = stores
    now = utcnow()
    item = kb.record_unanswered(CLAIRE_SAYS, "claire", "rest", "out_of_scope", 0.9)
    kb.answer_review_item(item, HR_SAYS)
    with Session(kb.engine) as session, session.begin():
        session.get(ReviewItem, item).asked_at = now - timedelta(days=40)
    exports_dir.mkdir()
    kinds = (("report", "html"), ("review-export", "csv"))
    old = [dated_path(exports_dir, kind, suffix, now - timedelta(days=31)) for kind, suffix in kinds]
    recent = dated_path(exports_dir, "report", "html", now - timedelta(days=29))
    other = exports_dir / "notes.txt"  # not a generated file: left alone
    for path in (*old, recent, other):
        path.write_text("x", encoding="utf-8")
    counts = purge_older_than(30, kb.engine, conversations, lambda: kb.normalizer, exports_dir, now=now)
    assert counts["files"] == 2 and counts["hr_answers_detached"] == 1 and counts["kb_review_item"] == 1
    assert sorted(p.name for p in exports_dir.iterdir()) == sorted([recent.name, other.name])
    assert _words_left(kb.engine, CLAIRE_WORDS) == []


def test_generated_file_names_carry_their_date(tmp_path):
    when = datetime(2024, 3, 5, 14, 7, 9, 123456)
    path = dated_path(tmp_path, "report", "html", when)
    assert path.name == "report-20240305T140709123456Z.html"
    assert file_date(path) == when
    assert file_date(tmp_path / "report.html") is None and file_date(tmp_path / "notes-2024.txt") is None
