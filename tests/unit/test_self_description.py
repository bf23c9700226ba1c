"""A statement about oneself is read as one (backoffice_career/profile/extract.py, is_self_description) and, when
the intent classifier is unsure, becomes inform_profile (rasa_server/nlu/self_description.py)."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from backoffice_career.profile.extract import is_self_description
from rasa_server.nlu.self_description import DETECTED_KEY, SelfDescriptionDetector

pytestmark = pytest.mark.unit

STATEMENTS = [
    "Je bosse à l'accueil d'un cabinet d'avocats depuis quatre ans et j'aimerais une grosse structure.",
    "Comptable en reconversion, jamais encadré personne pour l'instant.",
    "jsuis en bts compta, jai jamais bossé en bureau",
    "Bonsoir ! Moi c'est Léa, 29 ans. Je suis au chômage et j'ai deux ans de secrétariat derrière moi.",
    "Assistant RH depuis 6 ans, je manage un apprenti, bac+3 en gestion.",
    "Je vous explique ma situation : au chômage depuis l'été, j'ai été standardiste pendant cinq ans.",
]
NOT_STATEMENTS = [
    # questions, with or without "?"
    "Je suis comptable depuis dix ans, est-ce que je peux devenir gestionnaire de back-office ?",
    "Je suis étudiant et sans expérience, comment faire pour commencer",
    "Assistante depuis trois ans, quelles formations me conseillez-vous",
    "j'ai un bac pro et deux ans en agence, dites-moi par où commencer",
    # one fact only
    "Je suis en reconversion.",
    # two facts, nobody speaking: a search, not a person
    "salaire gestionnaire back office débutant en PME",
    "",
    None,
]


@pytest.mark.parametrize("text", STATEMENTS)
def test_a_statement_about_oneself_is_recognised(text):
    assert is_self_description(text)


@pytest.mark.parametrize("text", NOT_STATEMENTS)
def test_questions_single_facts_and_searches_are_not(text):
    assert not is_self_description(text)


TWO_FACTS = "Je suis au chômage et je vise une PME."


def test_a_statement_of_three_facts_overrides_even_a_sure_topic():
    assert is_self_description(TWO_FACTS) and not is_self_description(TWO_FACTS, min_facts=3)
    msg = detected(STATEMENTS[0], "ask_company_size", 0.92)
    assert msg.get(INTENT)["name"] == "inform_profile"
    assert msg.get(DETECTED_KEY) == {"classifier_intent": "ask_company_size"}


def message(text, intent, confidence, others=()):
    ranking = [{"name": intent, "confidence": confidence}, *({"name": n, "confidence": 0.1} for n in others)]
    return Message(data={TEXT: text, INTENT: dict(ranking[0]), INTENT_RANKING_KEY: ranking})


def detected(text, intent, confidence, others=()):
    msg = message(text, intent, confidence, others)
    SelfDescriptionDetector().process([msg])
    return msg


@pytest.mark.parametrize(
    "intent, confidence",
    [("nlu_fallback", 0.5), ("out_of_scope", 0.9), ("greet", 0.95), ("ask_business_studies", 0.6)],
)
def test_an_unsure_or_off_topic_reading_of_a_statement_becomes_inform_profile(intent, confidence):
    msg = detected(STATEMENTS[0], intent, confidence, others=["ask_company_size"])
    assert msg.get(INTENT)["name"] == "inform_profile"
    kept = [] if intent == "nlu_fallback" else [intent]  # the classifier's ranking follows, without its fallback
    assert [e["name"] for e in msg.get(INTENT_RANKING_KEY)] == ["inform_profile", *kept, "ask_company_size"]
    assert msg.get(DETECTED_KEY) == {"classifier_intent": intent}


@pytest.mark.parametrize(
    "text, intent, confidence",
    [
        (TWO_FACTS, "ask_company_size", 0.92),  # a sure topic keeps a short statement
        (STATEMENTS[1], "deny", 0.5),  # an answer to a question of the form
        (STATEMENTS[1], "stop", 0.4),
        (STATEMENTS[2], "request_erasure", 0.6),
        (NOT_STATEMENTS[0], "nlu_fallback", 0.5),  # a question stays a question
        (NOT_STATEMENTS[4], "out_of_scope", 0.8),
    ],
)
def test_other_readings_are_kept(text, intent, confidence):
    msg = detected(text, intent, confidence)
    assert msg.get(INTENT) == {"name": intent, "confidence": confidence}
    assert msg.get(DETECTED_KEY) is None
