"""End to end over REST: real Rasa server, real action server, real knowledge base."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from backoffice_career.settings import ROOT
from tests.helpers.responses import response_text, static_part


@pytest.mark.parametrize(
    "question, fragment",
    [
        ("Bonjour, comment on devient gestionnaire de back office ?", "Pour devenir gestionnaire de back-office"),
        ("faut il savoir se servir d'excel pour bosser en backoffice", "traitement de texte et en tableur"),
        ("c quoi la difference entre back office et front office ?", "cadres du front-office"),
        ("ou est ce que je peux suivre des cours de compta ?", "écoles professionnelles"),
    ],
)
def test_french_question_gets_the_right_passage_with_its_source(bot, question, fragment):
    texts = bot.texts(question)
    assert len(texts) == 1
    assert fragment in texts[0]
    assert "Source : « Comment devenir gestionnaire de back office ? », §" in texts[0]


def test_off_topic_question_gets_the_honest_fallback_and_is_queued(bot, domain):
    question = "c'est quoi le salaire d'un gestionnaire back office ?"
    texts = bot.texts(question, sender="e2e-salary")
    assert len(texts) == 1
    assert texts[0].startswith(static_part(domain, "utter_no_answer"))
    assert "Source" not in texts[0]
    queued = [i for i in bot.kb.open_review_items() if i.sender_id == "rest:e2e-salary"]
    assert [(i.question, i.channel) for i in queued] == [(question, "rest")]


@pytest.mark.parametrize(
    "message, intent_response",
    [
        ("salut", "utter_greet"),
        ("merci beaucoup", "utter_thanks"),
        ("t'es un robot ?", "utter_iamabot"),
        ("au revoir", "utter_goodbye"),
    ],
)
def test_small_talk(bot, domain, message, intent_response):
    assert bot.texts(message) == [response_text(domain, intent_response)]


def test_help_lists_topics(bot, domain):
    [text] = bot.texts("tu peux m'aider sur quoi ?")
    assert text.startswith(static_part(domain, "utter_help"))
    assert "la conception web et la PAO" in text


@pytest.mark.parametrize(
    "message, response",
    [
        ("", "utter_empty_message"),
        ("   \n  ", "utter_empty_message"),
        ("😀😀😀", "utter_empty_message"),
        ("x" * 100_000, "utter_message_too_long"),
        ("How do I become a back office manager?", "utter_foreign_language"),
    ],
)
def test_bad_input_gets_a_clear_french_reply(bot, domain, message, response):
    assert bot.texts(message, sender="e2e-bad-input") == [response_text(domain, response)]


def test_missing_message_field_does_not_crash_the_server(bot, domain):
    response = bot.send(None)
    assert response.status_code in (200, 400)
    # The server still answers afterwards.
    assert bot.texts("bonjour") == [response_text(domain, "utter_greet")]


def test_empty_knowledge_base_stops_start_up_with_a_clear_error(tmp_path):
    env = dict(os.environ, KB_DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite'}")
    result = subprocess.run(
        [sys.executable, "-m", "launcher", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "knowledge base unavailable" in result.stderr


def test_yes_or_no_out_of_context_gets_one_reply_and_the_conversation_goes_on(bot, domain):
    sender = "e2e-out-of-context"
    assert bot.texts("bonjour", sender)
    for text in ("oui", "non", "/skip"):
        assert bot.texts(text, sender) == [response_text(domain, "utter_nothing_pending")]
    [answer] = bot.texts("faut il savoir utiliser un tableur pour travailler en back office ?", sender)
    assert "Source :" in answer
    assert [i for i in bot.kb.open_review_items() if i.sender_id == f"rest:{sender}"] == []
