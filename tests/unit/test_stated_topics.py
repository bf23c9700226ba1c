"""Issue 12: a message stating a fact about the person that the NLU is unsure of ("Pas encore eu d'équipe à
gérer.") gets the guide's advice for that fact (data/profile/fact_topics.yml), not "no answer"."""
from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionAnswerUnknown
from actions.forms import ValidateProfileForm
from backoffice_career.knowledge.errors import KnowledgeBaseUnavailable
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


# A short statement that starts the profile form gets its fact's advice first (fact_topics.yml before_form_up_to).
FORM_DOMAIN = {
    "forms": {"profile_form": {"required_slots": ["experience_years", "supervised", "situation"]}},
    "slots": {name: {"type": "any"} for name in ["experience_years", "supervised", "situation", "requested_slot",
                                                  "last_topic"]},
}


def form_tracker(text: str, active: bool, trigger: str = "an-earlier-message") -> Tracker:
    """`active`: the form is running, started by the message `trigger` (Rasa sets the loop, with its trigger
    message, before the first validation)."""
    return Tracker(
        sender_id="statement-user",
        slots={"experience_years": None, "supervised": None, "situation": None, "last_topic": None,
               "requested_slot": "experience_years"},
        latest_message={"text": text, "message_id": "this-message",
                        "intent": {"name": "inform_profile", "confidence": 0.9},
                        "intent_ranking": [{"name": "inform_profile", "confidence": 0.9}], "entities": []},
        events=[{"event": "user", "text": text, "parse_data": {}}],
        paused=False,
        followup_action=None,
        active_loop={"name": "profile_form", "trigger_message": {"message_id": trigger}} if active else {},
        latest_action_name="profile_form",
    )


async def start_form(kb, text: str, active: bool = False, trigger: str = "an-earlier-message",
                     ) -> tuple[list[dict], dict]:
    dispatcher = CollectingDispatcher()
    events = await ValidateProfileForm(lambda: kb).run(dispatcher, form_tracker(text, active, trigger), FORM_DOMAIN)
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def test_a_short_statement_starting_the_form_gets_its_advice_then_the_form_goes_on(fresh_kb):
    messages, slots = await start_form(fresh_kb, "Je fais de l'intérim depuis un an.")
    [message] = messages
    assert message["response"] == "utter_kb_answer" and TEMP_WORK in message["answer"]
    assert message["source"].startswith("« Comment devenir gestionnaire de back office ? »")
    assert slots["situation"] == "interimaire" and slots["experience_years"] == 1.0
    assert slots["last_topic"] == "temp_work_entry"
    [message] = (await start_form(fresh_kb, "Je n'ai jamais encadré personne."))[0]
    assert SUPERVISION in message["answer"]
    # As over REST: the loop is already set at the first validation, triggered by this very message.
    [message] = (await start_form(fresh_kb, "Je fais de l'intérim depuis un an.", True, "this-message"))[0]
    assert TEMP_WORK in message["answer"]


@pytest.mark.parametrize("text", [
    "Je fais de l'intérim depuis un an.",  # an answer inside the form: the form asks its next question only
])
async def test_no_advice_once_the_form_is_running(fresh_kb, text):
    messages, slots = await start_form(fresh_kb, text, active=True)
    assert messages == [] and slots["situation"] == "interimaire"


@pytest.mark.parametrize("text", [
    "Je fais de l'intérim depuis un an, ça peut m'aider ?",  # a question: the topic's own route answers it
    "Intérimaire depuis 2 ans, jamais eu d'équipe, j'ai un BTS.",  # three facts: the form and the plan
    "J'ai 34 ans.",  # no fact
    "Je voudrais encadrer une équipe un jour.",  # a wish, no fact
])
async def test_no_advice_for_a_question_a_longer_self_description_or_no_fact(fresh_kb, text):
    messages, _ = await start_form(fresh_kb, text)
    assert messages == []


async def test_without_a_knowledge_base_the_form_still_starts():
    def unavailable():
        raise KnowledgeBaseUnavailable("down")

    dispatcher = CollectingDispatcher()
    events = await ValidateProfileForm(unavailable).run(
        dispatcher, form_tracker("Je fais de l'intérim depuis un an.", False), FORM_DOMAIN)
    assert dispatcher.messages == []
    assert {e["name"]: e["value"] for e in events if e["event"] == "slot"}["situation"] == "interimaire"


def test_before_form_up_to_is_read_from_the_file(tmp_path):
    path = tmp_path / "fact_topics.yml"
    path.write_text("before_form_up_to: 0\nfacts:\n  - {slot: situation, value: interimaire, topic: temp_work_entry}\n",
                    "utf-8")
    stated = stated_topics("Je fais de l'intérim.", path=path)
    assert stated.topics == ("temp_work_entry",) and stated.facts == 1 and stated.advise_up_to == 0
    path.write_text("before_form_up_to: lots\nfacts: []\n", "utf-8")
    assert stated_topics("Je fais de l'intérim.", path=path).advise_up_to == 0


@pytest.mark.parametrize("text", [
    "Jamais eu personne sous mes ordres, c'est gênant pour viser un poste de chef de bureau ?",
    "Je n'ai encore été responsable de qui que ce soit, est-ce un problème pour devenir directrice de bureau ?",
])
async def test_the_facts_words_choose_the_topics_passage(fresh_kb, text):
    """fact_topics.yml's "words": the sentence on supervision experience answers a question stating that the person
    never led anyone, not the topic's sentence on a "directeur de bureau"'s qualifications, which the job title
    in the question would choose."""
    message = await answer(fresh_kb, text, "ask_experience_needed")
    assert message["response"] == "utter_kb_answer" and SUPERVISION in message["answer"]


def test_a_fact_without_words_leaves_the_message_as_it_is(tmp_path):
    path = tmp_path / "fact_topics.yml"
    path.write_text("facts:\n  - {slot: supervised, value: non, topic: experience_needed}\n"
                    "  - {slot: situation, value: interimaire, topic: temp_work_entry, words: 7}\n", "utf-8")
    stated = stated_topics("Pas encore eu d'équipe à gérer, je suis intérimaire.", path=path)
    assert stated.topics == ("experience_needed", "temp_work_entry")
    assert stated.query("experience_needed", "x") == "x" and stated.query("temp_work_entry", "x") == "x"
    assert stated.query("duties", "x") == "x"


@pytest.mark.parametrize(("text", "passage"), [
    ("Mon objectif, c'est plutôt une start-up.", "Dans les petites entreprises"),
    ("Je vise une grosse boîte, genre multinationale.", "des grandes entreprises peuvent superviser"),
])
async def test_the_size_of_company_a_person_aims_for_gets_the_guides_passage_on_it(fresh_kb, text, passage):
    """target_company in fact_topics.yml: the passage on that size of company, not "no answer"."""
    message = await answer(fresh_kb, text, "ask_how_to_become")
    assert message["response"] == "utter_kb_answer" and passage in message["answer"]
