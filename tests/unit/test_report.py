"""The HR report on a known set of stored conversations and review items."""
from __future__ import annotations

import base64
import re
from datetime import date, datetime, timezone
from html import unescape

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import Session

from backoffice_career.knowledge.db import ReviewItem
from backoffice_career.privacy.conversations import ConversationStore
from backoffice_career.settings import ROOT
from hr import cli
from hr.report import collect, render
from rasa_server.stores.tracker_store import PrivacySQLTrackerStore

DAY1, DAY2 = date(2026, 1, 5), date(2026, 1, 6)


def at(day: date, hour: int) -> float:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc).timestamp()


def turn(day, hour, text, intent, topic=None, no_answer=False):
    events = [
        UserUttered(text, {"name": intent, "confidence": 0.9}, parse_data={"text": text}, timestamp=at(day, hour))
    ]
    if topic:
        events.append(SlotSet("last_topic", topic, timestamp=at(day, hour)))
    metadata = {"utter_action": "utter_no_answer" if no_answer else "utter_kb_answer"}
    events.append(BotUttered("…", metadata=metadata, timestamp=at(day, hour)))
    return events


CONVERSATIONS = {
    "alice": turn(DAY1, 9, "faut il excel ?", "ask_office_software", "office_software")
    + turn(DAY2, 10, "où suivre des cours ?", "ask_courses", "courses"),
    "bob": turn(DAY1, 11, "quel salaire ?", "out_of_scope", no_answer=True),
    "carol": turn(DAY2, 14, "excel c'est utile ?", "ask_office_software", "office_software")
    + turn(DAY2, 15, "et le télétravail ?", "nlu_fallback", no_answer=True),
    "dave": turn(DAY2, 16, "bonjour", "greet"),
}


@pytest.fixture
def stored(tmp_path, fresh_kb):
    url = f"sqlite:///{tmp_path / 'tracker.sqlite'}"
    store = PrivacySQLTrackerStore(domain=Domain.load(str(ROOT / "domain.yml")), url=url)
    return store, ConversationStore.from_url(url), url


async def fill(store, kb):
    for sender, events in CONVERSATIONS.items():
        tracker = DialogueStateTracker(sender, store.domain.slots)
        for event in events:
            tracker.update(event)
        await store.save(tracker)
    kb.record_unanswered("quel salaire pour un débutant ?", "bob", "rest", "out_of_scope", 0.9)
    kb.record_unanswered("le salaire en back office ?", "erin", "rest", "out_of_scope", 0.8)
    kb.record_unanswered("et le télétravail ?", "carol", "rest", "nlu_fallback", 0.3)
    kb.dismiss_review_item(kb.record_unanswered("salaire salaire ?", "x", "rest", "out_of_scope", 0.9))
    with Session(kb.engine) as session, session.begin():  # a question stored before masking existed
        session.add(ReviewItem(question="appelez-moi au 06 12 34 56 78", channel="rest", intent="nlu_fallback"))


async def test_figures(stored, fresh_kb, normalizer):
    store, conversations, _ = stored
    await fill(store, fresh_kb)
    data = collect(fresh_kb.engine, conversations, normalizer)
    assert (data.total_conversations, data.total_messages) == (4, 6)
    assert data.messages_per_day == {DAY1: 2, DAY2: 4}
    assert data.conversations_per_day == {DAY1: 2, DAY2: 3}
    assert data.fallback_rate_per_day == {DAY1: 0.5, DAY2: 0.25}
    assert data.top_intents[0] == ("ask_office_software", 2)
    assert sorted(data.top_intents[1:]) == [("ask_courses", 1), ("greet", 1), ("nlu_fallback", 1), ("out_of_scope", 1)]
    assert data.top_topics == [
        ("le traitement de texte et le tableur", 2),
        ("les cours de rédaction commerciale et de comptabilité", 1),
    ]
    assert data.uncovered_terms[0] == ("salaire", 2)
    assert ("teletravail", 1) in data.uncovered_terms
    assert not {"masquer", "masque", "telephone"} & {term for term, _ in data.uncovered_terms}  # masks are no topic
    assert [i.question for i in data.open_items][-1] == "appelez-moi au [téléphone masqué]"
    assert len(data.open_items) == 4


async def test_html_is_self_contained_with_plots(stored, fresh_kb, tmp_path, capsys, monkeypatch):
    store, _, url = stored
    await fill(store, fresh_kb)
    monkeypatch.setenv("EXPORTS_DIR", str(tmp_path / "exports"))
    assert cli.main(["report", "--url", str(fresh_kb.engine.url), "--tracker-url", url]) == 0
    assert "4 conversation(s), 6 message(s)" in capsys.readouterr().out
    [out] = (tmp_path / "exports").iterdir()  # a dated name, that erasure and the purge can find
    assert re.fullmatch(r"report-\d{8}T\d{12}Z\.html", out.name)
    html = out.read_text(encoding="utf-8")
    plots = re.findall(r'<img id="plot-(\w+)" alt="[^"]+" src="data:image/png;base64,([^"]+)"', html)
    assert [name for name, _ in plots] == ["activity", "intents", "topics", "fallback", "uncovered"]
    for _, png in plots:
        assert base64.b64decode(png).startswith(b"\x89PNG")
    assert "4 conversation(s), 6 message(s) d'utilisateurs, 4 question(s) en attente" in unescape(html)
    assert "quel salaire pour un débutant ?" in html
    assert "06 12 34 56 78" not in html and "[téléphone masqué]" in html
    assert "http" not in html.replace('lang="fr"', "")  # nothing loaded from elsewhere


def test_an_empty_store_gives_a_report_too(tmp_path, fresh_kb, normalizer):
    data = collect(fresh_kb.engine, ConversationStore.from_url(f"sqlite:///{tmp_path / 'none.sqlite'}"), normalizer)
    assert data.total_messages == 0 and data.messages_per_day == {}
    html = render(data)
    assert html.count("data:image/png;base64,") == 5 and "0 conversation(s)" in html
