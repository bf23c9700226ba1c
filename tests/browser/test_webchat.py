"""The chat page in a real browser (Debian's chromium driven by Playwright) against the real servers."""
from __future__ import annotations

import json
import re

import pytest
import requests
from playwright.sync_api import expect

from backoffice_career.settings import ROOT

SOURCE = "Source : « Comment devenir gestionnaire de back office ? », §"
WIDGET = json.loads((ROOT / "web" / "widget.json").read_text("utf-8"))


def greeting(domain) -> str:
    return domain["responses"]["utter_greet"][0]["text"]


def test_french_page_greets_answers_with_source_and_keeps_the_conversation_on_reload(open_page, domain):
    chat = open_page()
    page = chat.page
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(chat.bot_messages().first).to_have_text(greeting(domain))
    expect(page.locator(".rw-new-message")).to_have_attribute("placeholder", "Posez votre question…")
    expect(page.locator(".rw-title")).to_have_text(WIDGET["title"])
    expect(page.locator(".rw-title")).to_be_visible()

    chat.ask("faut il maitriser excel pour bosser en back office ?")
    answer = chat.bot_messages().last
    expect(answer).to_contain_text("traitement de texte et en tableur")
    expect(answer).to_contain_text(SOURCE)

    session_id = chat.session_id()
    page.reload()
    expect(chat.user_messages().first).to_have_text("faut il maitriser excel pour bosser en back office ?")
    expect(chat.bot_messages().nth(1)).to_contain_text("traitement de texte et en tableur")
    assert chat.session_id() == session_id

    chat.ask("ou est ce que je peux suivre des cours de compta ?")
    expect(chat.bot_messages().last).to_contain_text("écoles professionnelles")
    expect(chat.bot_messages().last).to_contain_text(SOURCE)
    expect(chat.bot_messages()).to_have_count(3)  # the greeting was not sent again after the reload
    chat.screenshot("webchat-desktop.png")
    # Everything comes from the page server and the Rasa server: no CDN.
    assert chat.hosts <= {"127.0.0.1"}, chat.hosts
    assert chat.dialogs == []


def test_greeting_buttons_render_and_answer(open_page, domain):
    chat = open_page()
    buttons = domain["responses"]["utter_greet"][0]["buttons"]
    replies = chat.page.locator(".rw-reply")
    expect(replies).to_have_text([b["title"] for b in buttons])
    chat.screenshot("webchat-buttons.png")
    replies.filter(has_text="C'est quoi le back-office ?").click()
    expect(chat.user_messages().last).to_have_text("C'est quoi le back-office ?")
    expect(chat.bot_messages()).to_have_count(2)
    expect(chat.bot_messages().last).to_contain_text("cadres du front-office")
    expect(chat.bot_messages().last).to_contain_text(SOURCE)


@pytest.mark.parametrize(
    "typed",
    [
        "<img src=x onerror=alert(1)>",
        "<script>alert('xss')</script>",
        "<b>gras</b> <a href=javascript:alert(1)>lien</a>",
    ],
)
def test_html_typed_by_the_user_is_shown_as_text_and_never_run(open_page, typed):
    chat = open_page()
    expect(chat.bot_messages().first).to_be_visible()
    chat.ask(typed)
    expect(chat.user_messages().last).to_have_text(typed)
    bubble = chat.page.locator(".rw-client").last
    assert bubble.locator("img, script, b, a").count() == 0
    chat.page.wait_for_timeout(500)
    assert chat.dialogs == []
    assert (
        chat.page.evaluate("() => document.querySelectorAll('img[src=x], .rw-messages-container script').length") == 0
    )


def test_phone_sized_screen(open_page, domain):
    chat = open_page(390, 844)
    page = chat.page
    expect(chat.bot_messages().first).to_have_text(greeting(domain))
    chat.ask("Combien d'années d'expérience faut-il pour devenir gestionnaire ?")
    expect(chat.bot_messages().last).to_contain_text(SOURCE)
    # No horizontal scrolling; the input box and the last answer fit in the screen width.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    for selector in (".rw-new-message", ".rw-response >> nth=-1"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (selector, box)
    chat.screenshot("webchat-phone.png")


def test_page_server(chat_page, bot):
    response = requests.get(f"{chat_page}config.json", timeout=10)
    assert response.status_code == 200
    config = response.json()
    assert config["socketUrl"] == f"http://127.0.0.1:{bot.port}"
    assert config["inputTextFieldHint"] == "Posez votre question…"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and f"http://127.0.0.1:{bot.port}" in csp
    bundle = requests.get(f"{chat_page}widget/webchat.js", timeout=10)
    assert bundle.status_code == 200 and "WebChat" in bundle.text
    assert "fonts.googleapis.com/css" not in bundle.text
    assert requests.get(f"{chat_page}../actions/settings.py", timeout=10).status_code == 404
    assert requests.get(f"{chat_page}node_modules/rasa-webchat/package.json", timeout=10).status_code == 404
    assert re.search(r"<html lang=\"fr\">", requests.get(chat_page, timeout=10).text)


@pytest.fixture
def with_hr_note(bot, tmp_path, settings, normalizer, topic_specs):
    """The session bot's knowledge base with the suggestion tests' HR note, rebuilt without it afterwards (the
    running bot follows each build, no restart)."""
    import shutil

    from backoffice_career.knowledge.ingest import build
    from tests.unit.test_section_suggestions import NOTE

    knowledge = tmp_path / "knowledge"
    shutil.copytree(settings.knowledge_dir, knowledge)
    (knowledge / "regles-equipe.md").write_text(NOTE, "utf-8")
    build(bot.kb.engine, knowledge, normalizer, topic_specs, ROOT / "data" / "advice")
    try:
        yield
    finally:
        build(bot.kb.engine, settings.knowledge_dir, normalizer, topic_specs, ROOT / "data" / "advice")


def test_sections_offered_with_the_no_answer_are_buttons_that_read_the_section(open_page, domain, with_hr_note):
    from tests.unit.test_section_suggestions import UNCLEAR

    chat = open_page()
    expect(chat.bot_messages().first).to_have_text(greeting(domain))
    chat.page.locator(".rw-new-message").fill(UNCLEAR)
    chat.page.locator(".rw-new-message").press("Enter")
    offered = domain["responses"]["utter_section_suggestions"][0]["text"]
    expect(chat.bot_messages().last).to_have_text(offered)
    expect(chat.bot_messages().nth(1)).to_contain_text("Je n'ai pas d'information fiable")
    replies = chat.page.locator(".rw-reply")
    expect(replies.filter(has_text="Enfant malade")).to_have_count(1)
    expect(replies.filter(has_text="Congés d'été")).to_have_count(1)
    chat.screenshot("webchat-suggestions.png")
    replies.filter(has_text="Enfant malade").click()
    expect(chat.user_messages().last).to_have_text("Enfant malade")
    expect(chat.bot_messages().last).to_contain_text("moins de seize ans")
    expect(chat.bot_messages().last).to_contain_text("section « Enfant malade »")
