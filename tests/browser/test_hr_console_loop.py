"""The HR loop in Debian's chromium, on the real servers (Rasa, actions, chat page) and the HR console served as
`make run` serves it, on the same databases:

HR logs in; a visitor's question the bot cannot answer shows up in the queue; HR answers it in the console; the
same question on the widget now gets HR's answer with its citation; the visitor's earlier question gets its
answer notice when the chat is reopened with the same session; a document uploaded in the console is answered
from at once; an erasure in the console leaves nothing of the visitor. Screenshots: tests/artifacts/hr-console-*.png.
"""
from __future__ import annotations

import re
import uuid
from urllib.parse import quote

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backoffice_career.knowledge.db import ORIGIN_HR, Document, bump_revision
from backoffice_career.knowledge.ingest import build
from backoffice_career.review.delivery import notice_text
from tests.helpers.browser import TIMEOUT, screenshot
from tests.helpers.databases import rows_holding
from tests.helpers.hr_console import PASSWORD, copy_of_the_documents, create_account_with_the_cli, served_console
from tests.helpers.responses import static_part

# A question no other test asks, that neither the guide nor a trained intent answers.
QUESTION = "les visiteurs peuvent-ils garer leur camping-car sur le parking de la tour ?"
ANSWER = "Non : le parking de la tour n'accueille que les voitures ; l'accueil indique un parking public voisin."
NOTE_NAME = "navette-du-personnel.md"
NOTE_TITLE = "Note RH : la navette du personnel"
NOTE_FACT = "La navette du personnel relie la gare de Pontoise au bâtiment B toutes les vingt minutes"
NOTE = f"# {NOTE_TITLE}\n\n## Les horaires de la navette\n\n{NOTE_FACT}, de 7 h 10 à 9 h 30.\n"
NOTE_QUESTION = "la navette du personnel relie-t-elle la gare de Pontoise au bâtiment B ?"


@pytest.fixture
def console(bot, settings, normalizer, topic_specs, tmp_path):
    """The console on the bot's databases (uploads go to a copy of data/knowledge) and an HR account made by the
    CLI. Afterwards, what the test added to the shared knowledge base goes: HR answers, the uploaded note."""
    knowledge = copy_of_the_documents(tmp_path / "knowledge")
    name = f"rh.boucle-{uuid.uuid4().hex[:8]}"  # the bot's database is shared by the session's tests
    create_account_with_the_cli(bot.kb_url, name)
    try:
        with served_console(tmp_path, bot.kb_url, bot.servers.settings.tracker_db_url, knowledge) as base:
            yield base, name
    finally:
        with Session(bot.kb.engine) as session, session.begin():
            answers = session.scalars(select(Document).where(Document.origin == ORIGIN_HR)).all()
            mine = [d.id for d in answers if any(ANSWER in p.text for p in d.passages)]
            session.execute(delete(Document).where(Document.id.in_(mine)))
            bump_revision(session)
        if (knowledge / NOTE_NAME).exists():  # the test stopped before removing it in the console
            (knowledge / NOTE_NAME).unlink()
            build(bot.kb.engine, settings.knowledge_dir, normalizer, topic_specs, settings.advice_dir)


def _log_in(page, base: str, name: str) -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/login")
    screenshot(page, "hr-console-login.png")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page).to_have_url(f"{base}/")


def _status(page, words: str) -> None:
    expect(page.locator(".messages [role=status]")).to_contain_text(words)


def test_the_hr_loop_from_the_widget_to_the_console_and_back(browser, bot, open_page, console, domain, tmp_path):
    base, name = console
    hr_context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="fr-FR")
    hr_context.set_default_timeout(TIMEOUT)
    hr = hr_context.new_page()
    try:
        # 1. HR logs in.
        _log_in(hr, base, name)

        # 2. A visitor asks a question the bot cannot answer: it is queued for HR, with the visitor's session.
        visitor = open_page()
        expect(visitor.bot_messages().first).to_be_visible()
        visitor.ask(QUESTION)
        expect(visitor.bot_messages().last).to_contain_text(static_part(domain, "utter_no_answer"))
        sender = visitor.sender_id()
        [item] = [i for i in bot.kb.open_review_items() if i.sender_id == sender]
        assert (item.question, item.channel) == (QUESTION, "socketio")

        # 3. HR sees it in the queue, newest first, with its channel.
        hr.goto(f"{base}/")
        row = hr.locator(f"#item-{item.id}")
        expect(row).to_contain_text(QUESTION)
        expect(row).to_contain_text("socketio")
        assert hr.locator("tr.item").first.get_attribute("id") == f"item-{item.id}"
        screenshot(hr, "hr-console-queue.png")

        # 4. HR answers it in the form, which shows what the knowledge base already has.
        row.locator("a.button").click()
        expect(hr).to_have_url(f"{base}/queue/{item.id}/answer")
        expect(hr.locator("blockquote.question")).to_have_text(QUESTION)
        hr.fill("#answer-text", ANSWER)
        screenshot(hr, "hr-console-answer.png")
        hr.click("main form button[type=submit]")
        expect(hr).to_have_url(f"{base}/")
        _status(hr, "Réponse enregistrée")
        [answered] = [i for i in bot.kb.review_items("answered") if i.id == item.id]
        citation = f"« Réponse RH n° {answered.document_id} »"

        # 5. The same question on the widget (another visitor) now gets HR's answer and its citation.
        other = open_page()
        expect(other.bot_messages().first).to_be_visible()
        other.ask(QUESTION)
        expect(other.bot_messages().last).to_contain_text(ANSWER)
        expect(other.bot_messages().last).to_contain_text(f"Source : {citation}")
        other.screenshot("hr-console-widget-hr-answer.png")

        # 6. The first visitor reopens the chat with the same session: their question's answer is shown.
        session_id = visitor.session_id()
        visitor.page.reload()
        notice = notice_text(QUESTION, ANSWER, citation)
        first_line = notice.split("\n", 1)[0]
        expect(visitor.bot_messages().last).to_contain_text(first_line)
        expect(visitor.bot_messages().last).to_contain_text(ANSWER)
        expect(visitor.bot_messages().last).to_contain_text(citation)
        assert visitor.session_id() == session_id
        visitor.screenshot("hr-console-widget-notice.png")

        # 7. A document uploaded in the console is answered from at once.
        note = tmp_path / NOTE_NAME
        note.write_text(NOTE, encoding="utf-8")
        hr.goto(f"{base}/documents")
        hr.set_input_files("#document", str(note))
        hr.click("main form[enctype='multipart/form-data'] button[type=submit]")
        _status(hr, NOTE_NAME)
        expect(hr.locator("main h2", has_text=NOTE_TITLE)).to_be_visible()
        screenshot(hr, "hr-console-documents.png")
        other.ask(NOTE_QUESTION)
        expect(other.bot_messages().last).to_contain_text(NOTE_FACT)
        expect(other.bot_messages().last).to_contain_text(NOTE_TITLE)
        other.screenshot("hr-console-widget-document.png")

        # The other pages of the console, for the record.
        hr.goto(f"{base}/faq")
        screenshot(hr, "hr-console-faq.png")
        hr.goto(f"{base}/report")
        expect(hr.frame_locator("iframe.report").locator("body")).not_to_be_empty()
        screenshot(hr, "hr-console-report.png")

        # 8. HR finds the first visitor's conversation (masked), and erases it after confirming.
        hr.goto(f"{base}/privacy")
        hr.fill("#sender", sender)
        hr.click("main form button[type=submit]")
        expect(hr).to_have_url(re.compile(re.escape(f"{base}/privacy?sender={quote(sender, safe='')}")))
        expect(hr.locator("ol.conversation")).to_contain_text(QUESTION)
        screenshot(hr, "hr-console-privacy.png")
        hr.check("#confirm")
        hr.click("main button.danger")
        _status(hr, "Effacement fait")
        assert bot.conversations.events(sender) == []
        assert [i for i in bot.kb.review_items() if i.sender_id == sender] == []
        assert rows_holding(bot.kb_url, sender) == []
        assert rows_holding(bot.servers.settings.tracker_db_url, sender) == []
        stored = bot.tracker(sender.removeprefix("web:"), channel="web")  # what the Rasa server has now
        assert not [e for e in stored["events"] if e.get("event") == "user"], stored["events"]
        # HR's answer stays, without the erased visitor's question.
        expect(hr.locator("main")).not_to_contain_text(QUESTION)

        # 9. Every action is in the audit log; the uploaded note is removed again in the console.
        hr.goto(f"{base}/audit")
        for action in ("Connexion", "Réponse", "Document ajouté", "Effacement"):
            expect(hr.locator("tbody")).to_contain_text(action)
        expect(hr.locator("tbody")).not_to_contain_text(sender)
        screenshot(hr, "hr-console-audit.png")
        hr.goto(f"{base}/documents")
        hr.locator("main section.document", has_text=NOTE_TITLE).locator("button.danger").click()
        _status(hr, NOTE_TITLE)
        assert NOTE_TITLE not in [h.title for h in bot.kb.search(NOTE_QUESTION)]
    finally:
        hr_context.close()
