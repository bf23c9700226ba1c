"""HR console pages on real databases: queue (answer, group, dismiss, reopen), documents (upload, remove),
privacy (read masked, erase), FAQ batch errors, report, audit log and its retention."""
from __future__ import annotations

import io
from datetime import timedelta
from html import unescape

import pytest
from rasa.shared.core.events import BotUttered
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backoffice_career.knowledge.db import Document, utcnow
from hr import cli
from hr_console.audit import entries, purge_audit, sender_reference
from hr_console.models import AuditEntry
from rasa_server.stores.tracker_store import PrivacySQLTrackerStore
from tests.helpers.hr_console import NAME, make_console
from tests.helpers.stores import rows_of, save, user

QUESTION = "Est-ce que le vélo de fonction est proposé aux salariés du back-office ?"
SAME = "est ce que le vélo de fonction est proposé aux salariés du back office"
ANSWER = "Oui : un vélo de fonction est proposé après la période d'essai, sur demande au service RH."
GUIDE_QUESTION = "Quel diplôme faut-il pour devenir gestionnaire de back-office ?"
NOTE = "# Note RH : la cantine\n\nLa cantine d'entreprise ouvre à midi ; le repas coûte quatre euros aux stagiaires.\n"


@pytest.fixture
def console(tmp_path, normalizer, topic_specs):
    console = make_console(tmp_path, f"sqlite:///{tmp_path / 'kb.sqlite'}", normalizer, topic_specs)
    assert console.login().status_code == 302
    return console


def _actions(console) -> list[tuple[str, str, str]]:
    return [(e.account, e.action, e.target) for e in entries(console.kb.engine)]


def test_answer_closes_the_group_and_is_searchable_at_once(tmp_path, db_url, normalizer, topic_specs):
    console = make_console(tmp_path, db_url, normalizer, topic_specs)
    console.login()
    kb = console.kb
    first = kb.record_unanswered(QUESTION, "web:aaa", "socketio", "out_of_scope", 0.41)
    second = kb.record_unanswered(SAME, "web:bbb", "socketio", "out_of_scope", 0.38)
    other = kb.record_unanswered(GUIDE_QUESTION, "rest:c", "rest", None, None)
    page = console.client.get("/").get_data(as_text=True)
    assert "2 questions proches" in page and page.count('class="item"') == 2
    assert unescape(page).index(SAME) < unescape(page).index(QUESTION)  # newest first
    form = console.client.get(f"/queue/{other}/answer").get_data(as_text=True)
    best = kb.search(GUIDE_QUESTION)[0]
    assert "Passages que le bot aurait utilisés" in form and best.text in unescape(form) and "score" in form
    assert kb.search("vélo de fonction") == []
    response = console.post(f"/queue/{first}/answer", {"answer": ANSWER}, page=f"/queue/{first}/answer")
    assert response.status_code == 302
    assert kb.search("vélo de fonction")[0].text == ANSWER  # the bot uses it now, no retraining
    items = {i.id: i for i in kb.review_items()}
    assert items[first].status == items[second].status == "answered"
    assert items[first].document_id == items[second].document_id is not None
    assert items[other].status == "open"
    assert {items[first].delivery, items[second].delivery} == {"pending"}  # the widget shows it on return
    assert (NAME, "answer", f"#{first}, #{second} → document {items[first].document_id}") in _actions(console)
    assert console.client.get(f"/queue/{first}/answer").status_code == 404  # no longer open


def test_an_empty_answer_is_refused_in_french(console):
    item_id = console.kb.record_unanswered(QUESTION, "web:a", "socketio", "out_of_scope", 0.4)
    response = console.post(f"/queue/{item_id}/answer", {"answer": "   "}, page=f"/queue/{item_id}/answer")
    assert response.status_code == 400
    assert "Écrivez une réponse" in response.get_data(as_text=True)
    assert console.kb.review_items()[0].status == "open"


def test_dismiss_reopen_and_filters(console):
    kb = console.kb
    slack = kb.record_unanswered("Question venue de Slack sur la mutuelle ?", "slack:U1", "slack", None, 0.2)
    web = kb.record_unanswered("Question du site sur les horaires décalés ?", "web:x", "socketio", None, 0.3)
    assert console.post(f"/queue/{slack}/dismiss").status_code == 302
    assert [i.id for i in kb.review_items("open")] == [web]
    page = console.client.get("/?status=dismissed").get_data(as_text=True)
    assert "mutuelle" in page and "horaires" not in page
    page = console.client.get("/?status=all&channel=socketio").get_data(as_text=True)
    assert "horaires" in page and "mutuelle" not in page
    assert console.post(f"/queue/{slack}/reopen").status_code == 302
    assert {i.id for i in kb.review_items("open")} == {slack, web}
    assert console.post(f"/queue/{slack}/reopen").status_code == 302  # already open: refused, explained
    assert "plus à traiter" in console.client.get("/").get_data(as_text=True)
    assert [a for _, a, _ in _actions(console)][:2] == ["reopen", "dismiss"]


def test_upload_is_answered_from_and_remove_forgets_it(console):
    data = {"document": (io.BytesIO(NOTE.encode()), "../../note cantine.md")}
    response = console.post("/documents/upload", data, page="/documents", content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = console.settings.knowledge_dir / "note_cantine.md"  # sanitised name, inside the folder
    assert stored.is_file()
    assert "cantine" in console.kb.search("repas à la cantine")[0].text
    page = console.client.get("/documents").get_data(as_text=True)
    assert "Note RH : la cantine" in page and "quatre euros" in page
    with Session(console.kb.engine) as session:
        document_id = session.scalar(select(Document.id).where(Document.title == "Note RH : la cantine"))
    assert console.post(f"/documents/{document_id}/remove", page="/documents").status_code == 302
    assert not stored.exists()
    assert all("cantine" not in hit.text for hit in console.kb.search("repas à la cantine"))
    actions = _actions(console)
    assert actions[0][1:] == ("remove", f"Note RH : la cantine (#{document_id})")
    assert actions[1][1:] == ("upload", "note_cantine.md")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ....", "format n'est pas pris en charge"),
        ("faux.pdf", b"ceci n'est pas un PDF", "illisible"),
        ("vide.txt", b"", "vide"),
    ],
)
def test_a_bad_upload_is_refused_in_french(console, name, content, message):
    before = sorted(p.name for p in console.settings.knowledge_dir.iterdir())
    data = {"document": (io.BytesIO(content), name)}
    response = console.post("/documents/upload", data, page="/documents", content_type="multipart/form-data")
    assert response.status_code in (302, 400)
    assert message in unescape(response.get_data(as_text=True))
    assert sorted(p.name for p in console.settings.knowledge_dir.iterdir()) == before


def test_a_file_over_20_mb_is_refused(console):
    data = {"document": (io.BytesIO(b"a" * (21 * 1024 * 1024 + 10)), "gros.txt")}
    response = console.post("/documents/upload", data, page="/documents", content_type="multipart/form-data")
    assert response.status_code == 413
    assert "20 Mo" in response.get_data(as_text=True)


async def test_privacy_reads_masked_then_erases_everything_of_the_sender(console, rasa_domain):
    store = PrivacySQLTrackerStore(domain=rasa_domain, url=str(console.kb.engine.url))
    sender = "web:claire"
    said = user("Mon numéro est 06 12 34 56 78, puis-je avoir un vélo ?")
    await save(store, sender, [said, BotUttered("Je ne sais pas")])
    await save(store, "web:other", [user("bonjour")])
    item_id = console.kb.record_unanswered("puis-je avoir un vélo Quimperlé ?", sender, "socketio", None, 0.2)
    console.post(f"/queue/{item_id}/answer", {"answer": ANSWER}, page=f"/queue/{item_id}/answer")
    assert console.kb.search("vélo Quimperlé")  # the HR answer is indexed on the question too
    page = console.client.get(f"/privacy?sender={sender}").get_data(as_text=True)
    assert "vélo" in page and "06 12 34 56 78" not in page
    response = console.post("/privacy/erase", {"sender": sender}, page=f"/privacy?sender={sender}")
    assert response.status_code == 302  # no confirmation: nothing erased
    assert rows_of(console.kb.engine, sender)["events"] > 0
    response = console.post("/privacy/erase", {"sender": sender, "confirm": "y"}, page=f"/privacy?sender={sender}")
    assert response.status_code == 302
    assert set(rows_of(console.kb.engine, sender).values()) == {0}
    assert rows_of(console.kb.engine, "web:other")["events"] > 0
    assert console.kb.search("vélo Quimperlé") == []  # the sender's words left the index
    assert "Rien n&#39;est conservé" in console.client.get(f"/privacy?sender={sender}").get_data(as_text=True)
    account, action, target = _actions(console)[0]
    assert (account, action, target) == (NAME, "erase", sender_reference(sender))
    with Session(console.kb.engine) as session:
        assert not any(sender in (e.target or "") for e in session.scalars(select(AuditEntry)))
    store.engine.dispose()


def test_faq_batch_errors_are_french(console):
    bad = {"questions": (io.BytesIO(b"nom;age\nx;1\n"), "liste.csv")}
    response = console.post("/faq", bad, page="/faq", content_type="multipart/form-data")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "pas de colonne « question »" in text and "liste.csv" in text and "/tmp" not in text
    good = {"questions": (io.BytesIO(b"question\nQuel salaire ?\n"), "faq.csv")}
    response = console.post("/faq", good, page="/faq", content_type="multipart/form-data")
    assert response.status_code == 400 and "modèle introuvable" in response.get_data(as_text=True)
    assert console.client.get("/faq/inconnu").status_code == 404
    assert console.client.get("/faq/inconnu/download").status_code == 404


def test_report_for_a_period_with_its_plots(console):
    console.kb.record_unanswered("Une question sur les tickets restaurant ?", "web:r", "socketio", None, 0.2)
    page = console.client.get("/report?from=2026-01-01&to=2026-12-31").get_data(as_text=True)
    assert "<iframe" in page and "from=2026-01-01" in page
    today = utcnow().date().isoformat()
    report = console.client.get(f"/report/view?from={today}&to={today}").get_data(as_text=True)
    assert report.count("data:image/png;base64,") >= 4 and "tickets restaurant" in report
    old = console.client.get("/report/view?from=2001-01-01&to=2001-01-31").get_data(as_text=True)
    assert "tickets restaurant" not in old
    assert console.client.get("/report/view?from=n'importe&to=quoi").status_code == 200


def test_audit_log_page_and_its_retention(console, capsys):
    page = console.client.get("/audit").get_data(as_text=True)
    assert "Connexion" in page and NAME in page
    with Session(console.kb.engine) as session, session.begin():
        session.execute(update(AuditEntry).values(at=utcnow() - timedelta(days=800)))
    console.post("/logout", page="/audit")
    url = str(console.kb.engine.url)
    assert cli.main(["privacy", "purge", "--url", url, "--tracker-url", url]) == 0  # `make purge`
    assert "purged audit entries older than 730 days: 1" in capsys.readouterr().out  # the login, 800 days ago
    assert [e.action for e in entries(console.kb.engine)] == ["logout"]
    assert purge_audit(console.kb.engine, 0, now=utcnow() + timedelta(seconds=1)) == 1
