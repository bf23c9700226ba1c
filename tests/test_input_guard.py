"""The NLU components that make bad input safe (addons/input_guard.py)."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from addons.input_guard import InputGuard, InputSanitizer, clean_text, foreign_language, load_rules

RULES = load_rules(None)


def run_pipeline(text):
    message = Message(data={TEXT: text})
    InputSanitizer({"rules_file": None}).process([message])
    InputGuard({"rules_file": None}).process([message])
    return message


@pytest.mark.parametrize(
    "raw, clean",
    [
        (None, ""),
        ("", ""),
        ("  bonjour\x00\x07 ", "bonjour"),
        ("ligne 1\nligne 2\ttab", "ligne 1 ligne 2 tab"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("l’intérim 😊", "l’intérim 😊"),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    "text, language",
    [
        ("How do I become a back office manager?", "en"),
        ("what skills do you need for this job", "en"),
        ("¿Cómo puedo ser gerente de back office? Necesito trabajo", "es"),
        ("Wie kann ich Backoffice Manager werden? Ich habe keine Erfahrung", "de"),
        ("come posso diventare office manager? grazie", "it"),
        ("comment devenir office manager ?", None),
        ("hello", None),
        ("jsuis assistante, c koi les compétences pr le back office stp", None),
        ("est-ce que le job de back office manager demande des soft skills ?", None),
        ("merci, top !", None),
    ],
)
def test_foreign_language(text, language):
    assert foreign_language(text, RULES) == language


@pytest.mark.parametrize(
    "text, intent",
    [
        ("", "empty_message"),
        ("   \n\t ", "empty_message"),
        ("😊😊😊", "empty_message"),
        ("?!...", "empty_message"),
        ("\x00\x01", "empty_message"),
        ("a" * 100_000, "message_too_long"),
        ("How can I become a back office manager?", "foreign_language"),
    ],
)
def test_guard_overrides_the_intent(text, intent):
    message = run_pipeline(text)
    assert message.get(INTENT) == {"name": intent, "confidence": 1.0}


def test_long_text_is_capped_before_the_other_components():
    message = run_pipeline("formation " * 50_000)
    assert len(message.get(TEXT)) == RULES["max_chars"]


def test_a_normal_question_is_left_to_the_classifier():
    message = run_pipeline("Comment devenir gestionnaire de back-office ?")
    assert message.get(INTENT) is None
    assert message.get(TEXT) == "Comment devenir gestionnaire de back-office ?"
