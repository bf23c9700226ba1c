"""The honest "no answer" offers the HR documents' sections nearest to the question as buttons; a click reads the
section. The buttons are never an answer, and their payload, which anyone can forge, reads only an HR passage."""
from __future__ import annotations

import json

import pytest

from actions.actions import ActionAnswerSection, ActionAnswerUnknown
from backoffice_career import replies
from backoffice_career.knowledge.errors import KnowledgeBaseUnavailable
from backoffice_career.names import UTTER_KB_ANSWER, UTTER_NO_ANSWER, UTTER_SECTION_GONE
from backoffice_career.replies import Turn
from tests.helpers.documents import guide_and_note
from tests.helpers.trackers import make_tracker, run
from tests.unit.test_review import ANSWER, QUESTION, hr_answer

NOTE = """# Règles pratiques de l'équipe comptable

## Congés d'été

Les congés d'été se demandent dans l'outil Kalendo avant le 31 mars. Le responsable répond sous cinq jours ouvrés.

## Enfant malade

Quand un enfant de moins de seize ans est malade, un parent peut s'absenter cinq jours par an, payés, sur
présentation d'un certificat médical.

## Restaurant d'entreprise

Le restaurant d'entreprise est ouvert de 11 h 45 à 14 h. Un repas complet coûte 4,20 euros, prélevés sur la paie.
"""
# Two sections speak of days off: neither clearly answers, both are offered.
UNCLEAR = "Combien de jours je peux prendre ?"


@pytest.fixture(scope="module")
def kb(tmp_path_factory, settings, normalizer, topic_specs):
    yield from guide_and_note(tmp_path_factory, settings, normalizer, topic_specs, "regles-equipe.md", NOTE)


def turn(text, intent="nlu_fallback", guess=None):
    return Turn(text=text, sender_id="suggest-user", intent=intent, confidence=0.5, guess=guess)


def payload_id(button):
    intent, _, entities = button["payload"].partition("{")
    assert intent == "/ask_section"
    return json.loads("{" + entities)["passage_id"]


def test_an_unclear_question_gets_no_answer_and_the_nearby_sections_as_buttons(kb, settings):
    reply = replies.unknown_reply(kb, turn(UNCLEAR), settings)
    assert reply.response == UTTER_NO_ANSWER  # still the honest "no answer", queued for HR
    assert {b["title"] for b in reply.suggestions} >= {"Congés d'été", "Enfant malade"}
    assert len(reply.suggestions) <= settings.max_suggestions
    clicked = replies.section_reply(lambda: kb, payload_id(reply.suggestions[0]))
    assert clicked.response == UTTER_KB_ANSWER
    assert "section « " in clicked.values["source"] and "Règles pratiques" in clicked.values["source"]


def test_a_click_reads_the_sections_paragraph_with_its_source(kb, settings):
    reply = replies.unknown_reply(kb, turn(UNCLEAR), settings)
    summer = next(b for b in reply.suggestions if b["title"] == "Congés d'été")
    clicked = replies.section_reply(lambda: kb, payload_id(summer))
    assert "avant le 31 mars" in clicked.values["answer"] and "cinq jours ouvrés" in clicked.values["answer"]
    assert clicked.values["source"].endswith("section « Congés d'été »")


def test_no_buttons_for_small_talk_when_turned_off_or_without_a_near_section(kb, settings):
    assert replies.unknown_reply(kb, turn(UNCLEAR, guess="greet"), settings).suggestions == ()
    assert replies.unknown_reply(kb, turn(UNCLEAR), settings.copy(update={"max_suggestions": 0})).suggestions == ()
    assert replies.unknown_reply(kb, turn("Quelle est la capitale du Pérou ?"), settings).suggestions == ()


@pytest.mark.parametrize("forged", [None, "", "abc", "-3", -3, 2**40, "9" * 30, True, 3.5, ["17"], {"id": 1}])
def test_a_forged_payload_reads_nothing(kb, forged):
    assert replies.section_reply(lambda: kb, forged).response == UTTER_SECTION_GONE


def test_a_guide_passage_is_not_read_through_a_button(kb):
    guide_ids = [p.passage_id for p, tagged in zip(kb._current_index().passages, kb._current_index().tagged(),
                                                  strict=True) if tagged]
    assert guide_ids and all(replies.section_reply(lambda: kb, i).response == UTTER_SECTION_GONE for i in guide_ids)


def test_without_a_knowledge_base_a_click_says_so():
    def unavailable():
        raise KnowledgeBaseUnavailable("down")

    assert replies.section_reply(unavailable, 12) == replies.UNAVAILABLE


async def test_the_actions_send_the_buttons_and_read_the_clicked_section(kb):
    dispatcher, _ = await run(ActionAnswerUnknown(lambda: kb), make_tracker(UNCLEAR, "nlu_fallback", 0.5))
    no_answer, suggestions = dispatcher.messages
    assert no_answer["response"] == UTTER_NO_ANSWER and suggestions["response"] == "utter_section_suggestions"
    button = suggestions["buttons"][0]
    tracker = make_tracker(button["payload"], "ask_section", 1.0)
    tracker.latest_message["entities"] = [{"entity": "passage_id", "value": payload_id(button)}]
    dispatcher, _ = await run(ActionAnswerSection(lambda: kb), tracker)
    [message] = dispatcher.messages
    assert message["response"] == UTTER_KB_ANSWER and "section « " in message["source"]
    # Two ids in one payload: neither is read.
    tracker.latest_message["entities"] *= 2
    dispatcher, _ = await run(ActionAnswerSection(lambda: kb), tracker)
    assert [m["response"] for m in dispatcher.messages] == [UTTER_SECTION_GONE]


def test_hrs_answers_to_queued_questions_are_neither_offered_nor_read_through_a_button(fresh_kb, settings):
    """HR's answers are passages no topic covers too, matched by the question they answer (test_review.py)."""
    hr_answer(fresh_kb, QUESTION, ANSWER)
    index = fresh_kb._current_index()
    [hr_passage] = [p for p in index.passages if p.origin != "file"]
    anything = settings.copy(update={"suggestion_min_score": -10.0})  # every section would be offered
    reply = replies.unknown_reply(fresh_kb, turn("Quelle est la capitale du Pérou ?"), anything)
    assert reply.response == UTTER_NO_ANSWER and reply.suggestions == ()
    assert replies.section_reply(lambda: fresh_kb, hr_passage.passage_id).response == UTTER_SECTION_GONE
