"""The second chance (issue 12): when the NLU is unsure, every passage is read, by meaning and words."""
from __future__ import annotations

import pytest

from actions.actions import ActionAnswerTopic, ActionAnswerUnknown
from tests.helpers.trackers import make_tracker, run


async def test_unsure_nlu_gets_the_passage_that_means_the_same(fresh_kb):
    # Worded unlike the guide ("logiciels de mise en page" ~ PAO, "mieux payé" ~ "mieux rémunérés").
    tracker = make_tracker(
        "les logiciels de mise en page et de publication, ça aide à trouver un poste mieux payé ?",
        "nlu_fallback", 0.3, ranking=[("nlu_fallback", 0.5), ("ask_web_design_dtp", 0.3)],
    )
    dispatcher, _ = await run(ActionAnswerUnknown(lambda: fresh_kb), tracker)
    [message] = dispatcher.messages
    assert message["response"] == "utter_kb_answer"
    assert "publication assistée par ordinateur" in message["answer"]
    assert message["source"].startswith("« Comment devenir gestionnaire de back office ? »")
    # An answer given with low confidence goes to HR for a check.
    assert [i.question for i in fresh_kb.open_review_items()] == [tracker.latest_message["text"]]


async def test_unsure_nlu_on_a_question_the_guide_cannot_answer_stays_honest(fresh_kb):
    tracker = make_tracker("le parking de l'entreprise est-il gratuit pour les visiteurs ?", "nlu_fallback", 0.3,
                           ranking=[("nlu_fallback", 0.5), ("ask_company_size", 0.2)])
    dispatcher, _ = await run(ActionAnswerUnknown(lambda: fresh_kb), tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_answer"]
    assert len(fresh_kb.open_review_items()) == 1


async def test_a_confident_out_of_scope_gets_no_second_chance(fresh_kb):
    tracker = make_tracker("quel logiciel de publication assistée par ordinateur est le mieux payé en intérim ?",
                           "out_of_scope", 0.9)
    dispatcher, _ = await run(ActionAnswerUnknown(lambda: fresh_kb), tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_answer"]


async def test_an_unsure_intent_is_a_hint_not_a_cage(fresh_kb):
    # The NLU hesitates on on-the-job training; the words are about a small company's job.
    tracker = make_tracker("dans une petite boîte, on supervise peu de monde, voire on travaille seul ?",
                           "ask_on_the_job_training", 0.45)
    dispatcher, events = await run(ActionAnswerTopic(lambda: fresh_kb), tracker)
    [message] = dispatcher.messages
    assert "peut même travailler seul" in message["answer"]
    assert ("last_topic", "company_size") in [(e["name"], e["value"]) for e in events]


@pytest.mark.parametrize("text, guess", [("bonjoue", "greet"), ("merci bcp Jean, bonne journée", "thanks"),
                                         ("a+ ciao", "goodbye")])
async def test_misspelt_small_talk_is_not_queued_for_hr(fresh_kb, text, guess):
    tracker = make_tracker(text, "nlu_fallback", 0.4, ranking=[("nlu_fallback", 0.5), (guess, 0.4)])
    dispatcher, _ = await run(ActionAnswerUnknown(lambda: fresh_kb), tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_answer"]
    assert fresh_kb.open_review_items() == []
