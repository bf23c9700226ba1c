"""The end-to-end scorer (scripts/eval_scoring.py) on synthetic replies, rendered from domain.yml's responses."""
from __future__ import annotations

import pytest

from backoffice_career import names
from backoffice_career.knowledge.text import load_kb_config
from backoffice_career.settings import ROOT
from scripts.eval_scoring import (
    FALLBACK,
    ON_TOPIC,
    SMALL_TALK_RESPONSES,
    WRONG,
    Guide,
    GuidePassage,
    Responses,
    asked_slots,
    classify_out_of_scope,
    classify_small_talk,
    classify_topic,
    confusions,
    fact_understood,
)

TITLE = "Un guide de test ?"
SKILLS = GuidePassage(TITLE, 2, "On attend des employés qu’ils maîtrisent le tableur et le traitement de texte.")
SMALL = GuidePassage(TITLE, 3, "Dans une petite structure, le gestionnaire travaille parfois seul.")
FRAGMENT = "maîtrisent le tableur"


@pytest.fixture(scope="module")
def responses(domain):
    return Responses(domain)


@pytest.fixture(scope="module")
def config():
    return load_kb_config(ROOT / "data" / "kb" / "kb.yml")


@pytest.fixture(scope="module")
def guide(config):
    return Guide([SKILLS, SMALL], config.citation_format, config.paragraph_separator, config.document_separator)


def render(domain, response: str, **values) -> str:
    return domain["responses"][response][0]["text"].format(**values)


def answer(domain, config, passage: GuidePassage, paragraphs: str | None = None) -> str:
    source = config.citation_format.format(title=passage.title, paragraphs=paragraphs or str(passage.paragraph))
    return render(domain, names.UTTER_KB_ANSWER, answer=passage.text, source=source)


def no_answer(domain, topics: str = "- Les compétences\n- Les formations") -> str:
    return render(domain, names.UTTER_NO_ANSWER, topics=topics)


def test_the_passage_with_its_citation_is_on_topic_whatever_the_apostrophes_and_spaces(domain, config, guide,
                                                                                       responses):
    reply = answer(domain, config, SKILLS, "2, 3").replace("’", "'").replace(" le ", "  le\u00a0")
    outcome = classify_topic([reply], ["employés qu'ils " + FRAGMENT], guide, responses)
    assert outcome.kind == ON_TOPIC


def test_the_fragment_without_its_citation_is_not_on_topic(domain, config, guide, responses):
    bare = SKILLS.text
    wrong_paragraph = answer(domain, config, SKILLS, "3")
    wrong_title = answer(domain, config, GuidePassage("Un autre guide", 2, SKILLS.text))
    for reply in (bare, wrong_paragraph, wrong_title):
        assert classify_topic([reply], [FRAGMENT], guide, responses).kind == WRONG


def test_another_passage_is_a_confusion_named_by_its_paragraph(domain, config, guide, responses):
    outcome = classify_topic([answer(domain, config, SMALL)], [FRAGMENT], guide, responses)
    assert outcome.kind == WRONG
    assert outcome.expected.startswith("§ 2 ") and "§ 3" in outcome.got and "petite structure" in outcome.got
    assert confusions([outcome]) == [(outcome.expected, outcome.got, 1)]


def test_the_no_answer_response_is_the_honest_fallback(domain, guide, responses):
    assert classify_topic([no_answer(domain)], [FRAGMENT], guide, responses).kind == FALLBACK
    assert classify_out_of_scope([no_answer(domain)], guide, responses).kind == "honest"


def test_an_out_of_scope_reply_with_a_passage_a_figure_or_an_answer_is_not_honest(domain, config, guide,
                                                                                   responses):
    replies = [
        [no_answer(domain, topics=SMALL.text)],
        [no_answer(domain, topics="- Le salaire : 1 800 € brut")],
        [answer(domain, config, SMALL)],
        [no_answer(domain), answer(domain, config, SMALL)],
        [render(domain, "utter_ask_situation")],
    ]
    for reply in replies:
        assert classify_out_of_scope(reply, guide, responses).kind == "not_honest", reply


def test_small_talk_needs_the_response_of_its_kind_and_no_hr_queue_entry(domain, responses):
    greeting = [render(domain, "utter_greet")]
    assert classify_small_talk(greeting, "greet", responses, queued=False).kind == "small_talk"
    assert classify_small_talk(greeting, "greet", responses, queued=True).kind == "not_small_talk"
    assert classify_small_talk(greeting, "goodbye", responses, queued=False).kind == "not_small_talk"
    assert classify_small_talk([no_answer(domain)], "thanks", responses, queued=False).kind == "not_small_talk"
    help_reply = [render(domain, names.UTTER_HELP, topics="- Les compétences")]
    assert classify_small_talk(help_reply, "help", responses, queued=False).kind == "small_talk"
    with pytest.raises(ValueError, match="unknown small-talk kind"):
        classify_small_talk(greeting, "insult", responses, queued=False)


def test_every_small_talk_response_is_in_the_domain(domain):
    assert {r for rs in SMALL_TALK_RESPONSES.values() for r in rs} <= set(domain["responses"])


def test_form_questions_are_mapped_to_their_slots(domain, responses):
    texts = [
        render(domain, "utter_ask_situation"),
        render(domain, names.UTTER_NOT_UNDERSTOOD[names.SLOT_SKILLS]),
        render(domain, names.UTTER_INVALID_EXPERIENCE_YEARS),
        render(domain, "utter_plan", steps="1. Se former", sources="§ 4"),
        render(domain, "utter_greet"),
    ]
    assert asked_slots(texts, responses) == [names.SLOT_SITUATION, names.SLOT_SKILLS, names.SLOT_EXPERIENCE_YEARS]
    for slot in names.PROFILE_SLOTS:
        assert asked_slots([render(domain, f"utter_ask_{slot}")], responses) == [slot]


def test_stated_facts_against_slot_values():
    assert fact_understood(3, "3.0") and fact_understood(0.5, 0.5)
    assert not fact_understood(0, None) and not fact_understood(3, 2.0)
    assert fact_understood(["tableur"], ["tableur", "pao"]) and not fact_understood(["tableur", "pao"], ["pao"])
    assert fact_understood("oui", "oui") and not fact_understood("non", "oui")
