"""Tailored advice end to end over REST: profile in free text, the form, the personal plan."""
from __future__ import annotations

import uuid

import pytest
import yaml

from backoffice_career.settings import ROOT

STEPS = {s["id"]: s["text"] for s in yaml.safe_load((ROOT / "data/advice/rules.yml").read_text("utf-8"))["steps"]}
ASKED = ("experience_years", "supervised", "situation", "target_company", "skills", "education")


def start(domain, name):
    return domain["responses"][name][0]["text"].split("{", 1)[0]


def converse(bot, domain, opening, answers, max_turns=10):
    """Sends `opening`, then answers each form question from `answers`, until the plan comes."""
    sender = f"profile-{uuid.uuid4().hex[:8]}"
    texts = bot.texts(opening, sender)
    for _ in range(max_turns):
        last = texts[-1]
        if last.startswith(start(domain, "utter_plan")):
            return sender, last
        slot = next((s for s in ASKED if last == domain["responses"][f"utter_ask_{s}"][0]["text"]), None)
        assert slot, f"unexpected bot message: {texts}"
        texts = bot.texts(answers[slot], sender)
    raise AssertionError(f"no plan after {max_turns} turns: {texts}")


def steps_in(plan):
    return {key for key, text in STEPS.items() if text in plan}


BEGINNER = {
    "experience_years": "six mois", "supervised": "non", "situation": "je suis intérimaire",
    "target_company": "un grand groupe", "skills": "Word", "education": "le bac",
}
EXPERT = {
    "experience_years": "9 ans", "supervised": "oui", "situation": "assistante de direction",
    "target_company": "une PME", "skills": "Word, Excel, la compta et la rédaction commerciale",
    "education": "école de commerce",
}


def test_two_profiles_get_two_different_plans(bot, domain):
    _, beginner = converse(bot, domain, "quel est mon plan ?", BEGINNER)
    _, expert = converse(bot, domain, "que me conseilles-tu ?", EXPERT)
    assert beginner != expert
    assert {
        "office_experience",
        "spreadsheet",
        "supervise_newcomers",
        "business_studies",
        "large_company_role",
    } <= steps_in(beginner)
    assert not {"small_company_role", "word_processing"} & steps_in(beginner)
    assert "small_company_role" in steps_in(expert)
    assert not {"office_experience", "spreadsheet", "supervise_newcomers", "business_studies"} & steps_in(expert)
    for plan in (beginner, expert):
        assert plan.split("\n")[1].startswith("1. ")
        assert "Sources : « Comment devenir gestionnaire de back office ? », §" in plan


def test_full_profile_in_one_message(bot, domain):
    opening = (
        "j'ai 8 ans d'expérience comme assistante dans une PME, j'ai déjà formé des intérimaires, "
        "je maîtrise Excel et Word et j'ai un BTS"
    )
    _, plan = converse(bot, domain, opening, EXPERT)
    assert "small_company_role" in steps_in(plan)
    assert not {"office_experience", "spreadsheet", "word_processing", "supervise_newcomers"} & steps_in(plan)


@pytest.mark.parametrize(
    "who_a, who_b",
    [
        ("Je m'appelle Fatou, j'ai 52 ans.", "Je m'appelle Pierre, j'ai 23 ans."),
        ("Je suis une femme, d'origine marocaine.", "Je suis un homme, d'origine bretonne."),
    ],
)
def test_fairness_name_age_gender_origin_do_not_change_the_plan(bot, domain, who_a, who_b):
    facts = "J'ai 2 ans d'expérience en intérim et je vise une grande entreprise."
    _, plan_a = converse(bot, domain, f"{who_a} {facts}", BEGINNER)
    _, plan_b = converse(bot, domain, f"{who_b} {facts}", BEGINNER)
    assert plan_a == plan_b
    assert "office_experience" in steps_in(plan_a)


def test_absurd_experience_is_refused_then_asked_again(bot, domain):
    sender = f"profile-{uuid.uuid4().hex[:8]}"
    bot.texts("quel est mon plan ?", sender)
    texts = bot.texts("200 ans", sender)
    assert texts[0] == domain["responses"]["utter_invalid_experience_years"][0]["text"]
    assert texts[-1] == domain["responses"]["utter_ask_experience_years"][0]["text"]


def test_correction_read_back_and_reset(bot, domain):
    sender, plan = converse(bot, domain, "quel est mon plan ?", BEGINNER)
    assert "office_experience" in steps_in(plan)
    # A correction after the plan gives a new plan.
    texts = bot.texts("en fait j'ai 10 ans d'expérience", sender)
    assert "office_experience" not in steps_in(texts[-1])
    assert texts[-1].startswith(start(domain, "utter_plan"))
    [summary] = bot.texts("qu'est-ce que tu sais de moi ?", sender)
    assert "- Expérience de bureau : 10 an(s)" in summary
    assert "- Situation : intérimaire" in summary
    assert bot.texts("oublie mon profil", sender) == [domain["responses"]["utter_profile_reset"][0]["text"]]
    assert bot.texts("qu'est-ce que tu sais de moi ?", sender) == [
        domain["responses"]["utter_profile_empty"][0]["text"]
    ]


def test_digression_skip_and_cancel(bot, domain):
    sender = f"profile-{uuid.uuid4().hex[:8]}"
    ask_experience = domain["responses"]["utter_ask_experience_years"][0]["text"]
    assert bot.texts("quel est mon plan ?", sender)[-1] == ask_experience
    texts = bot.texts("c'est quoi le back office au juste ?", sender)
    assert "Le terme back office" in texts[0] and texts[-1] == ask_experience
    texts = bot.texts("je ne sais pas", sender)
    assert texts[-1] == domain["responses"]["utter_ask_supervised"][0]["text"]
    assert bot.texts("annuler", sender) == [domain["responses"]["utter_profile_cancelled"][0]["text"]]


def test_short_unsure_answers_stay_in_the_form_and_never_reach_hr(bot, domain):
    """"euh", "non" to the situation, "peu importe": the NLU reads them as unsure or as yes/no, yet they answer
    the form's question (asked again, or "non précisé"); nothing is sent to HR and no "no answer" is given."""
    sender = f"profile-{uuid.uuid4().hex[:8]}"
    responses = domain["responses"]
    ask = {slot: responses[f"utter_ask_{slot}"][0]["text"] for slot in ASKED}
    assert bot.texts("quel est mon plan ?", sender)[-1] == ask["experience_years"]
    assert bot.texts("euh", sender) == [responses["utter_not_understood_experience_years"][0]["text"],
                                        ask["experience_years"]]
    assert bot.texts("2 ans", sender)[-1] == ask["supervised"]
    assert bot.texts("oui", sender)[-1] == ask["situation"]
    assert bot.texts("non", sender) == [responses["utter_not_understood_situation"][0]["text"], ask["situation"]]
    assert bot.texts("je suis au chômage", sender)[-1] == ask["target_company"]
    assert bot.texts("peu importe", sender) == [ask["skills"]]
    assert bot.tracker(sender)["slots"]["target_company"] == "inconnu"
    assert not [i for i in bot.kb.open_review_items() if i.sender_id == f"rest:{sender}"]
