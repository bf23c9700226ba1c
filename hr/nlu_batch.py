"""The model's NLU, in-process, on batches of messages (for `make faq`).

Runs the same NLU graph as the Rasa server (`MessageProcessor.parse_message`), but on a list of
messages at once, and lets the DIET classifier predict a whole batch in one TensorFlow call
(the server predicts one message at a time). tests/unit/test_faq.py checks that the results are the
server's.
"""
from __future__ import annotations

import asyncio
import logging
import os
import types
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BATCH_SIZE = 64


def _batched_diet_process(diet, original):
    from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT

    def process(self, messages):
        texts = [m for m in messages if m.get(TEXT)]
        if self.model is None or len(texts) < 2:
            return original(messages)
        out = self.model.run_inference(self._create_model_data(texts, training=False), batch_size=BATCH_SIZE)
        scores = out["i_scores"]
        if len(scores) != len(texts):  # not one row per message: predict one by one, as the server
            return original(messages)
        for row, message in enumerate(texts):
            label, ranking = self._predict_label({"i_scores": scores[row : row + 1]})
            message.set(INTENT, label, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        original([m for m in messages if not m.get(TEXT)])
        return messages

    return types.MethodType(process, diet)


class BatchNlu:
    def __init__(self, model_path: Path):
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        warnings.filterwarnings("ignore", category=DeprecationWarning)  # the libraries' own
        from rasa.core.agent import Agent  # heavy imports, only when needed
        from rasa.nlu.classifiers.diet_classifier import DIETClassifier
        from rasa.utils.common import configure_logging_and_warnings
        from rasa.utils.log_utils import configure_structlog

        configure_logging_and_warnings(logging.WARNING)
        configure_structlog(logging.WARNING)
        warnings.filterwarnings("ignore", category=DeprecationWarning)  # again: rasa reset the filters
        self.agent = Agent.load(str(model_path))
        self.domain = self.agent.domain
        self._loop = asyncio.new_event_loop()
        for node in self.agent.processor.graph_runner._instantiated_nodes.values():
            component = node._component
            if isinstance(component, DIETClassifier):
                component.process = _batched_diet_process(component, component.process)

    def parse_one(self, text: str) -> dict[str, Any]:
        """One message, exactly as the Rasa server parses it."""
        return self._loop.run_until_complete(self.agent.parse_message(text))

    def parse(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        """Parse data of each text, like `parse_one` but in one run of the graph."""
        from rasa.core.channels.channel import UserMessage
        from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
        from rasa.shared.core.trackers import DialogueStateTracker

        processor = self.agent.processor
        target = processor.model_metadata.nlu_target
        tracker = DialogueStateTracker.from_events("faq", [])
        results = processor.graph_runner.run(
            inputs={PLACEHOLDER_MESSAGE: [UserMessage(t) for t in texts], PLACEHOLDER_TRACKER: tracker},
            targets=[target],
        )
        parsed = []
        for message in results[target]:
            data = {"text": "", "intent": {"name": None, "confidence": 0.0}, "entities": []}
            data.update(message.as_dict(only_output_properties=True))
            parsed.append(data)
        return parsed
