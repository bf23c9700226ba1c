"""NLU component: a statement about oneself is `inform_profile` when the intent classifier is unsure of it, or
when it states so much about the person (3 facts) that a topic's passage would not answer it.

"Étudiant en école de commerce, aucune expérience, je vise un grand groupe." often falls to nlu_fallback, to
out_of_scope or to a shaky topic: the person then gets a guess or "no answer" and HR a queue entry, instead of
the profile form. The rules (facts needed, request cues, which intents give way) are data:
data/profile/extraction.yml, `self_description`. Placed after the FallbackClassifier, before the InputGuard.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from backoffice_career.names import INTENT_INFORM_PROFILE, RASA_INTENT_NLU_FALLBACK
from backoffice_career.profile.extract import is_self_description
from backoffice_career.profile.extract_text import load_rules
from backoffice_career.resources import load_yaml
from backoffice_career.settings import get_settings

DETECTED_KEY = "self_description"  # in the parse data: the intent the classifier gave


def topic_intents() -> set[Text]:
    """The intents that ask for a topic of the knowledge base (data/kb/topics.yml)."""
    topics = load_yaml(get_settings().topics_file).get("topics") or {}
    return {spec["intent"] for spec in topics.values() if isinstance(spec, dict) and spec.get("intent")}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SelfDescriptionDetector(GraphComponent):
    """Overrides an unsure intent with inform_profile when the message states facts about the person."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SelfDescriptionDetector":
        return cls()

    @staticmethod
    def facts_needed(intent: Dict[Text, Any], config: Dict[Text, Any]) -> Optional[int]:
        """How many facts the statement needs to override this intent (None: never)."""
        name = intent.get(INTENT_NAME_KEY)
        if name in config["intents"]:
            return 0
        if name not in topic_intents():
            return None
        confidence = intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0
        return 0 if confidence < float(config["unsure_below"]) else int(config["min_facts_over_a_sure_topic"])

    def process(self, messages: List[Message]) -> List[Message]:
        rules = load_rules()
        config = rules.raw["self_description"]
        for message in messages:
            intent = message.get(INTENT) or {}
            needed = self.facts_needed(intent, config)
            if needed is None or not is_self_description(message.get(TEXT), rules, needed):
                continue
            others = [
                entry for entry in message.get(INTENT_RANKING_KEY) or []
                if entry.get(INTENT_NAME_KEY) not in (INTENT_INFORM_PROFILE, RASA_INTENT_NLU_FALLBACK)
            ]
            message.set(INTENT, {INTENT_NAME_KEY: INTENT_INFORM_PROFILE, PREDICTED_CONFIDENCE_KEY: 1.0},
                        add_to_output=True)
            message.set(INTENT_RANKING_KEY, [message.get(INTENT), *others], add_to_output=True)
            message.set(DETECTED_KEY, {"classifier_intent": intent.get(INTENT_NAME_KEY)}, add_to_output=True)
        return messages
