"""Actions with a real Tracker, CollectingDispatcher and knowledge base."""
from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet, UserUtteranceReverted

from actions.actions import ActionAnswerTopic, ActionAnswerUnknown, ActionListTopics
from backoffice_career.knowledge.base import KnowledgeBase
from backoffice_career.knowledge.db import make_engine
from tests.helpers.trackers import make_tracker, run


@pytest.mark.parametrize(
    "text, intent, topic, fragment, paragraph",
    [
        ("faut il maitriser excel ?", "ask_office_software", "office_software", "tableur", "§ 3"),
        (
            "c koi le back office", "ask_back_office_definition", "back_office_definition",
            "départements administratifs", "§ 2",
        ),
        ("l'interim pour commencer ?", "ask_temp_work_entry", "temp_work_entry", "services temporaires", "§ 3"),
        ("ou prendre des cours de compta", "ask_courses", "courses", "écoles professionnelles", "§ 4"),
    ],
)
async def test_topic_answer_comes_from_the_knowledge_base_with_its_source(kb, text, intent, topic, fragment, paragraph):
    dispatcher, events = await run(ActionAnswerTopic(lambda: kb), make_tracker(text, intent))
    assert len(dispatcher.messages) == 1
    message = dispatcher.messages[0]
    assert message["response"] == "utter_kb_answer"
    assert fragment in message["answer"]
    assert message["source"].startswith("« Comment devenir gestionnaire de back office ? »")
    assert paragraph in message["source"]
    assert events == [SlotSet("last_topic", topic)]


async def test_several_passages_are_combined_without_repetition(kb):
    tracker = make_tracker("comment devenir office manager", "ask_how_to_become")
    dispatcher, _ = await run(ActionAnswerTopic(lambda: kb), tracker)
    answer = dispatcher.messages[0]["answer"]
    assert answer.count("Pour devenir gestionnaire de back-office") == 1
    assert "expérience réelle" in answer  # second passage, § 3
    assert dispatcher.messages[0]["source"].endswith("§ 1, 3")


async def test_out_of_scope_is_answered_honestly_and_queued_for_hr(fresh_kb):
    tracker = make_tracker("combien gagne un gestionnaire back office ?", "out_of_scope", 0.91, channel="slack")
    dispatcher, events = await run(ActionAnswerUnknown(lambda: fresh_kb), tracker)
    assert events == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_answer"]
    assert "traitement de texte et le tableur" in dispatcher.messages[0]["topics"]
    [item] = fresh_kb.open_review_items()
    assert item.question == "combien gagne un gestionnaire back office ?"
    assert (item.sender_id, item.channel, item.intent, item.confidence) == ("test-user", "slack", "out_of_scope", 0.91)


async def test_an_intent_without_topic_falls_back_to_no_answer(fresh_kb):
    dispatcher, events = await run(ActionAnswerTopic(lambda: fresh_kb), make_tracker("et le CE ?", "ask_profile"))
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_answer"]
    assert events == []
    assert len(fresh_kb.open_review_items()) == 1


@pytest.mark.parametrize("text, intent", [("oui", "affirm"), ("nan", "deny"), ("/skip", "skip")])
async def test_core_fallback_on_a_dialogue_intent_ends_the_turn_without_queueing(fresh_kb, text, intent):
    """No rule for this turn: one reply, the message is reverted (no fallback loop), nothing for HR."""
    dispatcher, events = await run(ActionAnswerUnknown(lambda: fresh_kb), make_tracker(text, intent))
    assert [m["response"] for m in dispatcher.messages] == ["utter_nothing_pending"]
    assert events == [UserUtteranceReverted()]
    assert fresh_kb.open_review_items() == []


async def test_core_fallback_on_a_question_is_answered_queued_and_reverted(fresh_kb):
    tracker = make_tracker("et mon salaire ?", "ask_profile")
    dispatcher, events = await run(ActionAnswerUnknown(lambda: fresh_kb), tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_answer"]
    assert events == [UserUtteranceReverted()]
    assert [i.question for i in fresh_kb.open_review_items()] == ["et mon salaire ?"]


async def test_empty_question_is_not_queued(fresh_kb):
    dispatcher, _ = await run(ActionAnswerUnknown(lambda: fresh_kb), make_tracker("   ", "nlu_fallback", 0.1))
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_answer"]
    assert fresh_kb.open_review_items() == []


@pytest.mark.parametrize("action_class", [ActionAnswerTopic, ActionAnswerUnknown, ActionListTopics])
async def test_unreachable_knowledge_base_gives_an_apology(normalizer, topic_specs, action_class):
    engine = make_engine("postgresql://postgres@127.0.0.1:1/kb")
    down = KnowledgeBase(engine, normalizer, topic_specs, normalizer.config)
    intent = "out_of_scope" if action_class is ActionAnswerUnknown else "ask_office_software"
    dispatcher, events = await run(action_class(lambda: down), make_tracker("faut il excel", intent))
    assert [m["response"] for m in dispatcher.messages] == ["utter_kb_unavailable"]
    assert events == []


async def test_help_lists_every_topic(kb, topic_specs):
    dispatcher, _ = await run(ActionListTopics(lambda: kb), make_tracker("aide", "help"))
    message = dispatcher.messages[0]
    assert message["response"] == "utter_help"
    for spec in topic_specs:
        assert spec.label in message["topics"]


def test_every_response_used_by_actions_is_in_the_domain(domain):
    for name in ("utter_kb_answer", "utter_no_answer", "utter_kb_unavailable", "utter_help"):
        assert name in domain["responses"]
    assert "{answer}" in domain["responses"]["utter_kb_answer"][0]["text"]
    assert "Source : {source}" in domain["responses"]["utter_kb_answer"][0]["text"]


