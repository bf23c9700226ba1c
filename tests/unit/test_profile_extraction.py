"""The profile fact extractor on the development self-descriptions: every stated fact, nothing invented,
and personal details (name, age, gender, origin) change nothing."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import ValidateProfileForm
from backoffice_career.profile.extract import extract_facts, facts_to_fill, is_personal_detail
from backoffice_career.profile.facts import load_vocabulary
from backoffice_career.resources import load_yaml

DEV = load_yaml(Path(__file__).resolve().parents[1] / "data" / "profile_dev.yml")
ITEMS = DEV["items"]
PREFIXES = DEV["prefixes"]


def _same(expected: dict, found: dict) -> bool:
    if set(expected) != set(found):
        return False
    for slot, value in expected.items():
        if slot == "experience_years":
            if abs(float(value) - float(found[slot])) > 0.01:
                return False
        elif slot == "skills":
            if sorted(value) != sorted(found[slot]):
                return False
        elif value != found[slot]:
            return False
    return True


def test_dev_set_is_large_and_varied():
    assert len(ITEMS) >= 40
    assert len(PREFIXES) >= 5
    vocab = load_vocabulary()
    for item in ITEMS:
        for slot, value in item["facts"].items():
            choices = vocab.raw["values"].get(slot)
            if choices is None:
                assert slot == "experience_years"
            elif slot == "skills":
                assert set(value) <= set(choices)
            else:
                assert value in choices


@pytest.mark.parametrize("item", ITEMS, ids=[str(i) for i in range(len(ITEMS))])
def test_every_fact_and_no_invented_one(item):
    found = extract_facts(item["text"])
    assert _same(item["facts"], found), f"{item['text']!r}\nexpected {item['facts']}\nfound    {found}"


@pytest.mark.parametrize("prefix", PREFIXES)
def test_personal_details_change_nothing(prefix):
    wrong = []
    for item in ITEMS:
        found = extract_facts(prefix + item["text"])
        if not _same(item["facts"], found):
            wrong.append((item["text"], found))
    assert wrong == []


@pytest.mark.parametrize("prefix", PREFIXES)
def test_personal_details_alone_state_no_fact(prefix):
    assert extract_facts(prefix) == {}


@pytest.mark.parametrize(
    "text",
    ["", "bonjour", "fais-moi un plan", "5 ans", "j'ai 45 ans", "oui", "non", "je ne sais pas",
     "x" * 100_000, "😀" * 50, "'''---,,,", "au chômage depuis 2 ans"],
)
def test_messages_without_facts_or_hostile(text):
    found = extract_facts(text)
    assert "experience_years" not in found
    if text != "au chômage depuis 2 ans":
        assert found == {}


def test_non_string_input_is_no_fact():
    assert extract_facts(None) == {}
    assert extract_facts(42) == {}  # type: ignore[arg-type]


def test_number_words_and_halves():
    cases = {
        "secrétaire depuis un an et demi": 1.5,
        "deux ans et six mois comme assistante": 2.5,
        "dix-huit mois d'expérience": 1.5,
        "trois ans d'expérience": 3.0,
        "1 an 1/2 d'expérience": 1.5,
        "une dizaine d'années d'expérience": 10.0,
    }
    for text, years in cases.items():
        assert extract_facts(text)["experience_years"] == pytest.approx(years), text


def test_latest_message_corrects_and_earlier_messages_fill_only_empty_slots():
    messages = ["Secrétaire depuis 3 ans, j'ai le bac.", "fais-moi un plan"]
    assert facts_to_fill(messages, {"education": "commerce"}) == {
        "experience_years": 3.0, "situation": "employe_bureau",
    }
    assert facts_to_fill(["j'ai un BTS", "en fait j'ai un master"], {"education": "bac_plus_2"}) == {
        "education": "commerce",
    }
    assert facts_to_fill([], {}) == {}


def test_questions_are_not_facts():
    assert extract_facts("Est-ce qu'on peut devenir assistante sans diplôme ?") == {}
    assert extract_facts("Faut-il un BTS pour travailler dans un grand groupe ?") == {}
    assert extract_facts("J'ai un BTS. Est-ce suffisant ?") == {"education": "bac_plus_2"}


@pytest.mark.parametrize("text", [
    "Je voudrais encadrer une grosse équipe un jour.",
    "jaimerais bien manager une équipe plus tard",
    "Mon objectif : devenir chef d'équipe.",
    "j'ai envie de diriger une équipe",
])
def test_a_wish_to_lead_is_not_experience(text):
    assert "supervised" not in extract_facts(text)


@pytest.mark.parametrize("text", [
    "Je n'ai jamais été responsable de qui que ce soit.",
    "pas encore d'équipe à diriger de mon côté",
    "Je n'ai encore dirigé quiconque.",
    "Aucune équipe à manager pour l'instant, personne à gérer.",
])
def test_never_leading_anyone_said_in_other_words(text):
    assert extract_facts(text).get("supervised") == "non"


def test_one_person_to_manage_is_not_a_negation():
    assert extract_facts("J'ai une personne à gérer depuis un an.").get("supervised") != "non"


def test_experience_of_leading_beside_a_wish_is_kept():
    assert extract_facts("J'ai encadré deux stagiaires et je voudrais devenir manager.")["supervised"] == "oui"
    assert extract_facts("Pas encore managé d'équipe, mais j'aimerais.")["supervised"] == "non"


# The form: facts of the person's messages fill the slots, and only what is missing is asked.
SLOTS = ["experience_years", "supervised", "situation", "target_company", "skills", "education"]
DOMAIN = {
    "forms": {"profile_form": {"required_slots": SLOTS}},
    "slots": {name: {"type": "any"} for name in SLOTS + ["requested_slot"]},
}
FULL = ("Assistante comptable depuis 5 ans, j'ai encadré deux stagiaires, à l'aise avec les tableurs, "
        "je vise une grosse boîte.")


def _tracker(texts: list[str], slots: dict | None = None, extra_events: list | None = None) -> Tracker:
    events: list[dict] = [{"event": "session_started"}]
    for text in texts:
        events.append({"event": "user", "text": text, "parse_data": {}})
    events += extra_events or []
    return Tracker(
        sender_id="extract-user",
        slots={**dict.fromkeys(SLOTS), **(slots or {}), "requested_slot": None},
        latest_message={"text": texts[-1], "intent": {"name": "ask_plan", "confidence": 0.9}, "entities": []},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": "profile_form"},
        latest_action_name="action_listen",
    )


async def _run(tracker: Tracker) -> dict:
    dispatcher = CollectingDispatcher()
    events = await ValidateProfileForm().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages == []
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


@pytest.mark.parametrize("prefix", ["", *PREFIXES])
async def test_form_asks_only_what_is_missing_after_a_full_self_description(prefix):
    slots = await _run(_tracker([prefix + FULL, "fais-moi un plan"]))
    assert slots == {
        "experience_years": 5.0, "supervised": "oui", "situation": "employe_bureau",
        "skills": ["comptabilite", "tableur"], "target_company": "grande",
    }  # only education is left for the form to ask


async def test_form_takes_negations_from_the_latest_message():
    slots = await _run(_tracker(["zéro expérience en entreprise, pas encore managé d'équipe"]))
    assert slots["experience_years"] == 0.0
    assert slots["supervised"] == "non"
    assert set(slots) == {"experience_years", "supervised"}


async def test_form_forgets_messages_before_a_profile_reset():
    reset = [{"event": "action", "name": "action_reset_profile"}, {"event": "user", "text": "fais-moi un plan"}]
    tracker = _tracker([FULL], extra_events=reset)
    tracker.latest_message["text"] = "fais-moi un plan"
    slots = await _run(tracker)
    assert slots == {}


async def test_form_keeps_answers_given_before():
    slots = await _run(_tracker(["secrétaire depuis 3 ans", "fais-moi un plan"], slots={"experience_years": 7.0}))
    assert slots.get("experience_years") is None
    assert slots["situation"] == "employe_bureau"


async def test_an_age_caught_as_a_duration_is_not_experience():
    tracker = _tracker(["J'ai 34 ans, je suis intérimaire, fais-moi un plan"])
    tracker.events.append({"event": "slot", "name": "experience_years", "value": "34 ans"})
    tracker.slots["experience_years"] = "34 ans"
    slots = await _run(tracker)
    assert slots["experience_years"] is None
    assert slots["situation"] == "interimaire"


@pytest.mark.parametrize(
    "text, value, personal",
    [
        ("J'ai 34 ans, je suis intérimaire", "34 ans", True),
        ("Moi c'est Kevin, 19 ans, étudiant", "19 ans", True),
        ("Homme de 58 ans, secrétaire", "58 ans", True),
        ("Secrétaire depuis 5 ans", "5 ans", False),
        ("j'ai 3 ans d'expérience", "3 ans", False),
        ("", "3 ans", False),
    ],
)
def test_an_age_is_a_personal_detail(text, value, personal):
    assert is_personal_detail(text, value) is personal


def test_a_duration_at_the_start_is_still_experience():
    assert extract_facts("5 ans d'expérience comme assistante")["experience_years"] == 5.0
    assert extract_facts("23 ans, 2 ans d'expérience en secrétariat")["experience_years"] == 2.0


def test_a_start_year_gives_the_years_since():
    years = float(date.today().year - 2019)
    assert extract_facts("Je travaille depuis 2019 comme secrétaire.")["experience_years"] == years
    assert "experience_years" not in extract_facts("Je vis en France depuis 2019.")


def test_sms_shorthand():
    text = "slt jsui en interim depui 3 mois en compta chez un client, g un bts cg, jamais géré d equipe"
    assert extract_facts(text) == {
        "experience_years": 0.25, "situation": "interimaire", "skills": ["comptabilite"],
        "education": "bac_plus_2", "supervised": "non",
    }


@pytest.mark.parametrize("during", ["pdt", "pdnt", "pndt", "pendant"])
def test_sms_shorthand_for_pendant(during):
    """"pdt 4 ans" reads as "pendant 4 ans": without the rewrite the duration had no cue and was lost."""
    text = f"au chomage dpuis 6 mois, avant j'etais secretaire medicale {during} 4 ans, je gere bien excel"
    facts = extract_facts(text)
    assert facts["experience_years"] == 4.0
    assert facts["situation"] == "demandeur_emploi"


async def test_a_noise_entity_for_a_slot_not_asked_erases_nothing_and_says_nothing():
    """After the plan, "en fait j'ai 10 ans d'expérience": DIET may catch "en" as a situation, and the Rasa server's
    slot mapping sets it. The experience is corrected; the situation keeps its value, with no "not understood"."""
    text = "en fait j'ai 10 ans d'expérience"
    before = [{"event": "slot", "name": "situation", "value": "interimaire"},
              {"event": "slot", "name": "experience_years", "value": 0.5}]
    tracker = _tracker(["je suis intérimaire"], extra_events=before)
    tracker.events += [{"event": "user", "text": text, "parse_data": {}},
                       {"event": "slot", "name": "situation", "value": "en"},
                       {"event": "slot", "name": "experience_years", "value": "10 ans"}]
    tracker.slots.update(situation="en", experience_years="10 ans")
    tracker.latest_message["text"] = text
    slots = await _run(tracker)  # asserts that nothing is said
    assert slots["experience_years"] == 10.0
    assert slots["situation"] == "interimaire"
