"""Issue 12: a message stating a fact about the person that the NLU is unsure of ("Pas encore eu d'équipe à
gérer.") gets the guide's advice for that fact (data/profile/fact_topics.yml), not "no answer"."""
from __future__ import annotations

import pytest

from actions.actions import ActionAnswerUnknown
from backoffice_career.profile.topics import stated_topics
from tests.helpers.trackers import make_tracker, run

SUPERVISION = "expérience de supervision substantielle"
TEMP_WORK = "services temporaires"


@pytest.mark.parametrize(("text", "topics", "question"), [
    ("Pas encore eu d'équipe à gérer.", ("experience_needed",), False),
    ("jamais managé personne moi", ("experience_needed",), False),
    ("slt jsuis interimaire en compta, ca peut m'aider pr plus tard ?", ("temp_work_entry",), True),
    ("Est-ce que je peux devenir chef de bureau ?", (), True),
    ("Bonjour", (), False),
    ("", (), False),
])
def test_the_topics_of_the_facts_a_message_states(text, topics, question):
    stated = stated_topics(text)
    assert stated.topics == topics and stated.question is question


async def answer(kb, text, guess, intent="nlu_fallback"):
    tracker = make_tracker(text, intent, 0.5 if intent == "nlu_fallback" else 0.95,
                           ranking=[(intent, 0.5), (guess, 0.3)])
    dispatcher, _ = await run(ActionAnswerUnknown(lambda: kb), tracker)
    [message] = dispatcher.messages
    return message


async def test_an_unsure_statement_gets_the_advice_for_the_fact_it_states_and_goes_to_hr(fresh_kb):
    # The NLU's guess is another topic: a statement is answered by its fact's topic all the same.
    message = await answer(fresh_kb, "Pas encore eu d'équipe à gérer.", "ask_training_new_workers")
    assert message["response"] == "utter_kb_answer" and SUPERVISION in message["answer"]
    assert message["source"].startswith("« Comment devenir gestionnaire de back office ? »")
    assert [i.question for i in fresh_kb.open_review_items()] == ["Pas encore eu d'équipe à gérer."]


async def test_an_unsure_question_needs_the_guess_to_agree_with_the_fact(fresh_kb):
    text = "je bosse en intérim comme secrétaire, ça peut m'aider pour la suite ?"
    agreed = await answer(fresh_kb, text, "ask_temp_work_entry")
    assert agreed["response"] == "utter_kb_answer" and TEMP_WORK in agreed["answer"]
    # Asking something else in the same words as a fact: the fact's topic does not answer it.
    other = await answer(fresh_kb, "je fais de l'intérim, et le back office ça désigne quoi au juste ?",
                         "ask_back_office_definition")
    assert TEMP_WORK not in other.get("answer", "")


async def test_a_sure_intent_or_small_talk_is_not_read_as_a_statement(fresh_kb):
    sure = await answer(fresh_kb, "Pas encore eu d'équipe à gérer, quel temps fera-t-il demain", "ask_duties",
                        intent="out_of_scope")
    assert sure["response"] == "utter_no_answer"
    greeting = await answer(fresh_kb, "slt, jamais encadré personne", "greet")
    assert SUPERVISION not in greeting.get("answer", "")


@pytest.mark.parametrize("body", ["", "facts: oops\n", "facts:\n  - just a line\n  - {slot: supervised}\n",
                                  "- a list\n"])
def test_a_broken_fact_topics_file_maps_nothing_and_breaks_nothing(tmp_path, body):
    path = tmp_path / "fact_topics.yml"
    path.write_text(body, "utf-8")
    assert stated_topics("Pas encore eu d'équipe à gérer.", path=path).topics == ()
    assert stated_topics("Pas encore eu d'équipe à gérer.", path=tmp_path / "missing.yml").topics == ()
