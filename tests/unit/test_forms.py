"""Profile form validation, rasa_sdk style: a minimal domain, a Tracker and a CollectingDispatcher."""
from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionGivePlan, ActionResetProfile, ActionShowProfile
from actions.forms import ValidateProfileForm

SLOTS = ["experience_years", "supervised", "situation", "target_company", "skills", "education"]
DOMAIN = {
    "forms": {"profile_form": {"required_slots": SLOTS}},
    "slots": {name: {"type": "any"} for name in SLOTS + ["requested_slot"]},
}


def make_tracker(slots=None, candidates=None, text="", requested="experience_years"):
    filled = dict.fromkeys(SLOTS)
    filled.update(slots or {})
    filled.update(candidates or {})
    events = [{"event": "user", "text": text, "parse_data": {}}]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (candidates or {}).items()]
    return Tracker(
        sender_id="form-user",
        slots={**filled, "requested_slot": requested},
        latest_message={"text": text, "intent": {"name": "inform_profile", "confidence": 0.9}, "entities": []},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": "profile_form"},
        latest_action_name="action_listen",
    )


async def validate(candidates, **kwargs):
    dispatcher = CollectingDispatcher()
    events = await ValidateProfileForm().run(dispatcher, make_tracker(candidates=candidates, **kwargs), DOMAIN)
    return dispatcher, events


@pytest.mark.parametrize(
    "raw, years",
    [("5 ans", 5.0), ("deux ans", 2.0), ("six mois", 0.5), ("0 an", 0.0), ("inconnu", "inconnu")],
)
async def test_experience_in_words_or_digits(raw, years):
    dispatcher, events = await validate({"experience_years": raw})
    assert SlotSet("experience_years", years) in events
    assert dispatcher.messages == []


@pytest.mark.parametrize("raw", ["200 ans", "-2 ans"])
async def test_absurd_experience_is_refused_with_a_message(raw):
    dispatcher, events = await validate({"experience_years": raw})
    assert SlotSet("experience_years", None) in events
    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_experience_years"]


async def test_not_understood_duration_is_asked_again():
    dispatcher, events = await validate({"experience_years": "bientot"})
    assert SlotSet("experience_years", None) in events
    assert [m["response"] for m in dispatcher.messages] == ["utter_not_understood_experience_years"]


async def test_several_facts_of_one_message_are_all_validated():
    dispatcher, events = await validate(
        {"experience_years": "5 ans", "situation": "assistante", "target_company": "PME", "skills": ["Excel"]}
    )
    for expected in (
        SlotSet("experience_years", 5.0),
        SlotSet("situation", "employe_bureau"),
        SlotSet("target_company", "petite"),
        SlotSet("skills", ["tableur"]),
    ):
        assert expected in events
    assert dispatcher.messages == []
    assert len(events) == 4


async def test_a_correction_replaces_the_earlier_answer():
    _, events = await validate({"experience_years": "3 ans"}, requested="skills")
    assert SlotSet("experience_years", 3.0) in events


@pytest.mark.parametrize(
    "slot, raw, value",
    [
        ("supervised", "oui", "oui"),
        ("supervised", "inconnu", "inconnu"),
        ("education", "bac+2", "bac_plus_2"),
        ("skills", "aucune", []),
        ("skills", "inconnu", ["inconnu"]),
    ],
)
async def test_answers_and_skips_are_normalised(slot, raw, value):
    dispatcher, events = await validate({slot: raw}, requested=slot)
    assert SlotSet(slot, value) in events
    assert dispatcher.messages == []


async def test_unknown_category_is_asked_again_with_a_clear_message():
    dispatcher, events = await validate({"target_company": "la lune"}, requested="target_company")
    assert SlotSet("target_company", None) in events
    assert [m["response"] for m in dispatcher.messages] == ["utter_not_understood_target_company"]


FULL = {
    "experience_years": 1.0, "supervised": "non", "situation": "interimaire",
    "target_company": "grande", "skills": ["tableur"], "education": "bac",
}


async def test_plan_action_renders_numbered_steps_with_sources(kb):
    dispatcher = CollectingDispatcher()
    await ActionGivePlan(lambda: kb).run(dispatcher, make_tracker(slots=FULL, requested=None), DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_plan"
    assert message["steps"].startswith("1. ")
    assert "intérim" in message["steps"].split("\n")[0]
    assert message["sources"].startswith("« Comment devenir gestionnaire de back office ? », § ")


async def test_plan_reads_raw_slot_values_set_outside_the_form(kb):
    raw = dict(FULL, experience_years="10 ans", supervised="j'ai formé des intérimaires", skills=["Excel", "Word"])
    dispatcher = CollectingDispatcher()
    await ActionGivePlan(lambda: kb).run(dispatcher, make_tracker(slots=raw, requested=None), DOMAIN)
    steps = dispatcher.messages[0]["steps"]
    assert "intérim" not in steps.split("\n")[0]
    assert "tableur" not in steps.lower()


async def test_show_and_reset_profile():
    dispatcher = CollectingDispatcher()
    await ActionShowProfile().run(dispatcher, make_tracker(slots=FULL, requested=None), DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_profile_summary"
    assert "- Situation : intérimaire" in dispatcher.messages[0]["profile"]

    dispatcher = CollectingDispatcher()
    events = await ActionResetProfile().run(dispatcher, make_tracker(slots=FULL, requested=None), DOMAIN)
    assert events == [SlotSet(slot, None) for slot in SLOTS]
    assert dispatcher.messages[0]["response"] == "utter_profile_reset"

    dispatcher = CollectingDispatcher()
    await ActionShowProfile().run(dispatcher, make_tracker(requested=None), DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_profile_empty"


async def test_the_whole_answer_is_read_when_the_entity_caught_only_part_of_it():
    dispatcher, events = await validate(
        {"situation": "de direction"}, text="assistante de direction", requested="situation"
    )
    assert SlotSet("situation", "employe_bureau") in events
    dispatcher, events = await validate({"experience_years": "ans"}, text="200 ans", requested="experience_years")
    assert SlotSet("experience_years", None) in events
    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_experience_years"]


# A short answer the NLU does not read as one (nlu_fallback, out_of_scope, "oui"/"non" to a question that is not
# yes or no) is still the answer to the form's question, never a question for HR.
def unsure_tracker(text, intent, requested):
    tracker = make_tracker(text=text, requested=requested)
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.5}
    return tracker


@pytest.mark.parametrize(("text", "intent", "requested", "value", "response"), [
    ("peu importe", "nlu_fallback", "target_company", "inconnu", None),
    ("aucune idée", "out_of_scope", "education", "inconnu", None),
    ("rien", "deny", "skills", [], None),
    ("non", "deny", "situation", None, "utter_not_understood_situation"),
    ("oui", "affirm", "target_company", None, "utter_not_understood_target_company"),
    ("euh", "nlu_fallback", "experience_years", None, "utter_not_understood_experience_years"),
])
async def test_a_short_unsure_answer_is_taken_or_asked_again(text, intent, requested, value, response):
    dispatcher = CollectingDispatcher()
    events = await ValidateProfileForm().run(dispatcher, unsure_tracker(text, intent, requested), DOMAIN)
    assert SlotSet(requested, value) in events
    assert [m["response"] for m in dispatcher.messages] == ([response] if response else [])


@pytest.mark.parametrize(("text", "intent"), [
    ("c'est quoi le salaire moyen d'un gestionnaire ?", "out_of_scope"),  # a question: a digression
    ("et sinon vous pensez que les boîtes recrutent beaucoup en ce moment", "nlu_fallback"),  # too long
    ("peu importe", "greet"),  # small talk keeps its own rules
])
async def test_a_question_a_long_message_or_small_talk_is_left_to_the_dialogue(text, intent):
    dispatcher = CollectingDispatcher()
    events = await ValidateProfileForm().run(dispatcher, unsure_tracker(text, intent, "situation"), DOMAIN)
    assert not [e for e in events if e["event"] == "slot"] and dispatcher.messages == []
