"""The NLU components that make bad input safe (rasa_server/nlu/input_guard.py)."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from rasa_server.channels.checks import RequestError, parse_rest_body
from rasa_server.channels.checks import rules as channel_rules
from rasa_server.nlu.input_guard import InputGuard, InputSanitizer, clean_text, foreign_language, load_rules

RULES = load_rules(None)


def classifier_text(raw):
    """What the classifier sees of `raw`; the last component gives the rest of Rasa back what the user wrote."""
    message = Message(data={TEXT: raw})
    InputSanitizer({"rules_file": None}).process([message])
    seen = message.get(TEXT)
    InputGuard({"rules_file": None}).process([message])
    assert message.get(TEXT) == raw
    return seen


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


@pytest.mark.parametrize(
    "raw, expanded",
    [
        ("mrc", "merci"),
        ("ok thx bcp", "ok merci beaucoup"),
        ("a+", "à plus"),
        ("Jsp", "je sais pas"),
        ("combien d'exp pr etre manager", "combien d'expérience pour etre manager"),
        # Whole words only: no expansion inside other words or addresses.
        ("pkoi pas, ui2", "pkoi pas, ui2"),
        ("mon adresse a+b", "mon adresse a+b"),
    ],
)
def test_chat_shorthand_is_expanded_for_the_classifier(raw, expanded):
    assert classifier_text(raw) == expanded


def test_entity_offsets_follow_the_expansion_in_training_examples():
    text = "jsuis assistante ds une pme depuis 4 ans"
    entities = [
        {"start": text.index("pme"), "end": text.index("pme") + 3, "value": "petite", "entity": "company_size"},
        {"start": text.index("4 ans"), "end": len(text), "value": "4 ans", "entity": "experience_duration"},
    ]
    message = Message(data={TEXT: text, "entities": entities})
    InputSanitizer({"rules_file": None}).process([message])
    new_text = message.get(TEXT)
    assert new_text == "je suis assistante dans une pme depuis 4 ans"
    assert [new_text[e["start"] : e["end"]] for e in message.get("entities")] == ["pme", "4 ans"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=3000))
def test_any_text_comes_out_clean_and_bounded(text):
    message = run_pipeline(text)
    out = message.get(TEXT)
    assert len(out) <= RULES["max_chars"]
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in out)
    intent = message.get(INTENT)
    assert intent is None or intent["name"] in ("empty_message", "message_too_long", "foreign_language")


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=2000),
    st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain", None]),
)
def test_any_rest_body_is_parsed_or_refused_with_a_known_error(body, content_type):
    try:
        sender, message, metadata = parse_rest_body(content_type, body)
    except RequestError as error:
        assert error.status in (400, 413, 415)
        assert error.code in channel_rules()["errors"]
    else:
        assert isinstance(sender, str) and sender.strip() and isinstance(message, str)
        assert metadata is None or isinstance(metadata, dict)


@pytest.mark.parametrize(
    "raw, seen",
    [
        ("D'après votre expérience, le back-office voit-il des clients ?", ", le back-office voit-il des clients ?"),
        ("Selon votre vécu, quel logiciel compte le plus ?", ", quel logiciel compte le plus ?"),
        ("et d’après ton expérience c'est dur ?", "et  c'est dur ?"),
        # The word alone is a subject: "combien d'expérience" is not a frame.
        ("Quelle expérience faut-il ?", "Quelle expérience faut-il ?"),
    ],
)
def test_an_interview_frame_is_dropped_for_the_classifier(raw, seen):
    """data/input_guard.yml interview_frames: "D'après votre expérience, …" asks about its own subject, not about
    experience; the classifier sees the question without the frame, the rest of Rasa what the user wrote."""
    assert classifier_text(raw) == seen


def test_a_frame_alone_is_not_an_empty_message():
    message = run_pipeline("D'après votre expérience ?")
    assert message.get(INTENT) is None or message.get(INTENT)["name"] != "empty_message"
