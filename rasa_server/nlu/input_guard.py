"""NLU components that make bad input safe and recognisable.

InputSanitizer (first in the pipeline) strips control characters, masks e-mail addresses and
phone numbers, expands chat shorthand ("mrc", "jsp") and caps the length.
InputGuard (last) overrides the intent for empty, too long or foreign-language messages.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    INTENT,
    INTENT_RANKING_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from backoffice_career.names import INTENT_EMPTY_MESSAGE, INTENT_FOREIGN_LANGUAGE, INTENT_MESSAGE_TOO_LONG

# clean_text: the one cleaning of user text (privacy/cleaning.py), re-exported for the tests.
from backoffice_career.privacy.masking import clean_text as clean_text
from backoffice_career.privacy.masking import mask_clean_text
from backoffice_career.resources import INPUT_GUARD, load_yaml

DEFAULT_RULES = INPUT_GUARD
FLAGS_KEY = "input_flags"
DISPLAY_TEXT_KEY = "display_text"  # cleaned and masked, shorthand not expanded
EMPTY_INTENT = INTENT_EMPTY_MESSAGE
TOO_LONG_INTENT = INTENT_MESSAGE_TOO_LONG
FOREIGN_INTENT = INTENT_FOREIGN_LANGUAGE
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


def load_rules(path: Optional[Text]) -> Dict[Text, Any]:
    rules: Dict[Text, Any] = load_yaml(path or DEFAULT_RULES)
    return rules


def foreign_language(text: Text, rules: Dict[Text, Any]) -> Optional[Text]:
    """The code of the foreign language `text` is written in, if it clearly is one."""
    words = [w.lower().replace("’", "'") for w in _WORD.findall(text.replace("’", "'"))]
    words = [part for w in words for part in w.split("'") if part]
    french = set(rules["french_words"])
    n_french = sum(w in french for w in words)
    for code, vocabulary in rules["foreign_words"].items():
        vocab = set(vocabulary)
        n_foreign = sum(w in vocab and w not in french for w in words)
        if n_foreign >= rules["min_foreign_words"] and n_foreign > rules["foreign_ratio"] * n_french:
            return code
    return None


class Shorthand:
    """Chat shorthand ("mrc", "jsp") expanded to words; whole words only, case-insensitive."""

    def __init__(self, table: Optional[Dict[Text, Text]]) -> None:
        self.table = {str(k).lower(): str(v) for k, v in (table or {}).items()}
        words = sorted((re.escape(w) for w in self.table), key=len, reverse=True)
        alternatives = "|".join(words)
        self.pattern = re.compile(rf"(?<![\w@+])(?:{alternatives})(?![\w@+])", re.IGNORECASE) if words else None

    def _replacement(self, match: "re.Match") -> Text:
        return self.table[match.group(0).lower()]

    def expand(self, text: Text) -> Text:
        return self.pattern.sub(self._replacement, text) if self.pattern else text

    def expand_with_offsets(self, text: Text) -> Tuple[Text, List[int]]:
        """The expanded text, and where each original offset moved to (for entity annotations)."""
        parts: List[Text] = []
        offsets: List[int] = []
        out_len = last = 0
        for match in self.pattern.finditer(text) if self.pattern else ():
            offsets.extend(range(out_len, out_len + match.start() - last))
            out_len += match.start() - last
            parts.append(text[last : match.start()])
            replacement = self._replacement(match)
            offsets.extend([out_len] * (match.end() - match.start()))
            out_len += len(replacement)
            parts.append(replacement)
            last = match.end()
        offsets.extend(range(out_len, out_len + len(text) - last + 1))
        parts.append(text[last:])
        return "".join(parts), offsets


def _config_rules(config: Dict[Text, Any]) -> Dict[Text, Any]:
    return load_rules(config.get("rules_file"))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class InputSanitizer(GraphComponent):
    """Cleans and masks the text and caps its length before any other component sees it."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"rules_file": None}

    def __init__(self, config: Dict[Text, Any]) -> None:
        rules = _config_rules(config)
        self.max_chars = int(rules["max_chars"])
        self.shorthand = Shorthand(rules.get("abbreviations"))
        # Interview frames ("D'après votre expérience, …") are dropped: their "expérience" is not the subject.
        self.frames = Shorthand({str(frame): "" for frame in rules.get("interview_frames") or []})

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "InputSanitizer":
        return cls(config)

    def _sanitize(self, message: Message) -> None:
        raw = message.get(TEXT)
        entities = message.get(ENTITIES)
        if entities:
            # Annotated training examples: only expand, so that entity offsets can follow.
            text, offsets = self.shorthand.expand_with_offsets(raw)
            for entity in entities:
                entity[ENTITY_ATTRIBUTE_START] = offsets[entity[ENTITY_ATTRIBUTE_START]]
                entity[ENTITY_ATTRIBUTE_END] = offsets[entity[ENTITY_ATTRIBUTE_END]]
        else:
            display = mask_clean_text(raw)
            text = self.shorthand.expand(display)
            unframed = self.frames.expand(text)
            text = unframed if _WORD.search(unframed) else text  # a frame alone stays: it is not empty
            message.set(DISPLAY_TEXT_KEY, display[: self.max_chars])
        flags = {"original_length": len(raw or ""), "too_long": len(text) > self.max_chars}
        if flags["too_long"]:
            text = text[: self.max_chars]
        message.set(TEXT, text, add_to_output=True)
        message.set(FLAGS_KEY, flags)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._sanitize(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            if example.get(TEXT):
                self._sanitize(example)
        return training_data


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class InputGuard(GraphComponent):
    """Overrides the predicted intent when the input cannot be answered as it is."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"rules_file": None}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.rules = _config_rules(config)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "InputGuard":
        return cls(config)

    def classify(self, text: Text, flags: Dict[Text, Any]) -> Optional[Text]:
        if flags.get("too_long"):
            return TOO_LONG_INTENT
        if not _WORD.search(text or ""):
            return EMPTY_INTENT
        if foreign_language(text, self.rules):
            return FOREIGN_INTENT
        return None

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = self.classify(message.get(TEXT) or "", message.get(FLAGS_KEY) or {})
            display = message.get(DISPLAY_TEXT_KEY)
            if display is not None:
                # Actions and the review queue see what the user wrote (masked), not the expansion.
                message.set(TEXT, display, add_to_output=True)
            if intent:
                ranking = [{"name": intent, "confidence": 1.0}]
                message.set(INTENT, ranking[0], add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
