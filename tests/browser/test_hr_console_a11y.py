"""The HR console in Debian's chromium, on a laptop and a tablet: every page passes axe-core (from npm, pinned in
tests/browser/package-lock.json) with no serious or critical violation, and HR can log in and answer a question
with the keyboard alone, the focus always visible."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from backoffice_career.knowledge.factory import build_knowledge_base
from tests.helpers.bot_fixtures import require_model
from tests.helpers.browser import TIMEOUT, axe_violations, describe, screenshot
from tests.helpers.hr_console import (
    NAME,
    PASSWORD,
    copy_of_the_documents,
    create_account_with_the_cli,
    served_console,
)

VISITOR = "web:a11y-visiteur"
QUESTIONS = (
    "Le restaurant d'entreprise accepte-t-il les titres-restaurant des intérimaires ?",
    "le restaurant d entreprise accepte t il les titres restaurant des interimaires",
    "Peut-on garer une moto dans la cour du bâtiment B ?",
)
KEYBOARD_QUESTION = "La salle de repos du deuxième étage est-elle ouverte le samedi ?"
KEYBOARD_ANSWER = "Oui : la salle de repos du deuxième étage est ouverte le samedi de 8 h à 13 h."
SCREENS = {"laptop": (1280, 860), "tablet": (820, 1180)}


@pytest.fixture(scope="module")
def console(tmp_path_factory, settings, normalizer, topic_specs):
    """A console served by the launcher on a knowledge base of its own, with queued questions and an HR account."""
    work = tmp_path_factory.mktemp("console-a11y")
    knowledge = copy_of_the_documents(work / "knowledge")
    kb_url = f"sqlite:///{work / 'kb.sqlite'}"
    kb = build_knowledge_base(kb_url, knowledge, normalizer, topic_specs)
    for question in QUESTIONS:
        kb.record_unanswered(question, VISITOR, "socketio", "out_of_scope", 0.31)
    kb.record_unanswered(QUESTIONS[2] + " (Slack)", "slack:U0A11Y", "slack", "nlu_fallback", 0.12, "C0A11Y", "1.2")
    dismissed = kb.record_unanswered("Une question écartée sur la météo ?", "rest:a11y", "rest", None, None)
    kb.dismiss_review_item(dismissed)
    create_account_with_the_cli(kb_url)
    with served_console(work, kb_url, f"sqlite:///{work / 'tracker.sqlite'}", knowledge) as base:
        yield base, kb
    kb.engine.dispose()


def _context(browser, screen: str):
    width, height = SCREENS[screen]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
    context.set_default_timeout(TIMEOUT)
    return context


def _log_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#name", NAME)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page).to_have_url(f"{base}/")


def _check(page, name: str, problems: dict) -> None:
    """axe-core on the page as it is; its screenshot; no horizontal scrolling."""
    expect(page.locator("h1")).to_be_visible()
    violations = axe_violations(page)
    if violations:
        problems[f"{name} ({page.url})"] = describe(violations)
    width = page.viewport_size["width"]
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    if scroll > width:
        problems[f"{name} ({page.url})"] = f"scrolls sideways: {scroll} px wide for a {width} px screen"
    screenshot(page, f"hr-console-a11y-{name}.png")


@pytest.mark.parametrize("screen", SCREENS)
def test_every_console_page_passes_axe_core(browser, console, screen, tmp_path):
    require_model()  # the FAQ batch reads the questions with the trained model
    base, kb = console
    context = _context(browser, screen)
    page = context.new_page()
    problems: dict[str, str] = {}
    try:
        page.goto(f"{base}/")  # no session: the login page
        expect(page).to_have_url(f"{base}/login")
        _check(page, f"{screen}-login", problems)
        page.fill("#name", NAME)
        page.fill("#password", "pas le bon mot de passe")
        page.click("main button[type=submit]")
        expect(page.locator(".message.error")).to_be_visible()
        _check(page, f"{screen}-login-failed", problems)
        _log_in(page, base)
        _check(page, f"{screen}-queue", problems)
        page.goto(f"{base}/?status=all")
        expect(page.locator("details").first).to_be_attached()  # a group of near-identical questions
        _check(page, f"{screen}-queue-all", problems)
        item = kb.open_review_items()[-1]
        page.goto(f"{base}/queue/{item.id}/answer")
        _check(page, f"{screen}-answer", problems)
        page.click("main form button[type=submit]")  # empty answer: the browser's own check keeps it here
        page.goto(f"{base}/documents")
        _check(page, f"{screen}-documents", problems)
        page.locator("main h2 a").first.click()
        expect(page).to_have_url(re.compile(r"/documents/\d+$"))
        _check(page, f"{screen}-document", problems)
        page.goto(f"{base}/faq")
        _check(page, f"{screen}-faq", problems)
        questions = tmp_path / "questions.csv"
        questions.write_text("question\nfaut il maitriser excel pour bosser en back office ?\n", encoding="utf-8")
        page.set_input_files("#questions", str(questions))
        page.click("main form button[type=submit]")
        expect(page).to_have_url(re.compile(r"/faq/[0-9a-f]+$"))
        _check(page, f"{screen}-faq-job", problems)
        # The progress is updated in place (faq_job.js), with no reload that would lose the keyboard focus.
        page.evaluate("() => { window.sameDocument = true; }")
        expect(page.locator("#job-status")).to_contain_text("Terminé", timeout=300_000)
        assert page.evaluate("() => window.sameDocument === true")
        expect(page.locator("#job-status a.button")).to_be_visible()
        _check(page, f"{screen}-faq-job-done", problems)
        page.goto(f"{base}/report")
        expect(page.frame_locator("iframe.report").locator("body")).not_to_be_empty()
        _check(page, f"{screen}-report", problems)
        page.goto(f"{base}/privacy")
        _check(page, f"{screen}-privacy", problems)
        page.fill("#sender", VISITOR)
        page.click("main form button[type=submit]")
        expect(page.locator("#confirm")).to_be_visible()
        _check(page, f"{screen}-privacy-result", problems)
        page.goto(f"{base}/audit")
        _check(page, f"{screen}-audit", problems)
        page.goto(f"{base}/queue/999999/answer")
        _check(page, f"{screen}-error", problems)
    finally:
        context.close()
    assert not problems, "axe-core (serious, critical) and layout:\n" + "\n".join(
        f"{where}:\n{what}" for where, what in problems.items()
    )


def _tab_to(page, selector: str, backwards: bool = False, limit: int = 60) -> None:
    """Presses Tab (Shift+Tab backwards) until the focus is on `selector`."""
    target = page.locator(selector)
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{selector} never got the focus with the keyboard")


def _focus_is_visible(page) -> None:
    """The focused element has a visible outline of at least 2 px that is not the page's background."""
    style = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor}; }"""
    )
    assert style["style"] not in ("none", "") and style["width"] >= 2, style
    assert style["color"] not in ("rgba(0, 0, 0, 0)", "transparent", "rgb(255, 255, 255)"), style


def test_log_in_and_answer_a_question_with_the_keyboard_alone(browser, console):
    base, kb = console
    item_id = kb.record_unanswered(KEYBOARD_QUESTION, "web:clavier", "socketio", "out_of_scope", 0.2)
    context = _context(browser, "laptop")
    page = context.new_page()
    try:
        page.goto(f"{base}/login")
        # The first Tab reaches the skip link, shown when focused; Enter moves the focus to the main content.
        page.keyboard.press("Tab")
        skip = page.locator("a.skip")
        expect(skip).to_be_focused()
        expect(skip).to_be_in_viewport()
        _focus_is_visible(page)
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()
        _tab_to(page, "#name")
        _focus_is_visible(page)
        page.keyboard.type(NAME)
        page.keyboard.press("Tab")
        expect(page.locator("#password")).to_be_focused()
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Tab")
        expect(page.locator("main button[type=submit]")).to_be_focused()
        _focus_is_visible(page)
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{base}/")

        answer_link = f"#item-{item_id} a.button"
        _tab_to(page, answer_link)
        _focus_is_visible(page)
        page.keyboard.press("Shift+Tab")  # back and forth: Shift+Tab goes back
        expect(page.locator(answer_link)).not_to_be_focused()
        _tab_to(page, answer_link)
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{base}/queue/{item_id}/answer")
        _tab_to(page, "#answer-text")
        _focus_is_visible(page)
        page.keyboard.type(KEYBOARD_ANSWER)
        page.keyboard.press("Tab")
        submit = page.locator("main form button[type=submit]")
        expect(submit).to_be_focused()
        screenshot(page, "hr-console-keyboard-answer.png")
        page.keyboard.press("Space")  # a button is pressed with Space as well as Enter
        expect(page).to_have_url(f"{base}/")
        expect(page.locator(".message[role=status]")).to_contain_text("Réponse enregistrée")
        screenshot(page, "hr-console-keyboard-answered.png")
    finally:
        context.close()
    [answered] = [i for i in kb.review_items("answered") if i.id == item_id]
    assert answered.document_id is not None
    assert [h.text for h in kb.search(KEYBOARD_QUESTION)][:1] == [KEYBOARD_ANSWER]
