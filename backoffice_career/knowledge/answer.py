"""The answer to a topic question, shared by the bot's action and the FAQ batch command."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from backoffice_career.knowledge.base import KnowledgeBase
from backoffice_career.knowledge.index import Hit
from backoffice_career.names import UTTER_KB_ANSWER
from backoffice_career.settings import Settings, get_settings

ANSWER_RESPONSE = UTTER_KB_ANSWER


@dataclass(frozen=True)
class TopicAnswer:
    topic: str | None
    hits: list[Hit]

    @property
    def found(self) -> bool:
        return bool(self.topic and self.hits)


def answer_topic(
    kb: KnowledgeBase,
    text: str,
    intent: str | None,
    settings: Settings | None = None,
    lemmas: Sequence[str] | None = None,
) -> TopicAnswer:
    """The passages that answer `text` for the topic of `intent` (none when the intent has no topic).

    `lemmas`: the normalised lemmas of `text` when already computed (batches: Normalizer.lemmas_many).
    """
    settings = settings or get_settings()
    topic = kb.topic_for_intent(intent)
    if not topic:
        return TopicAnswer(None, [])
    hits = kb.answer(
        None if lemmas is not None else text,
        topic,
        max_passages=settings.max_passages,
        min_ratio=settings.min_score,
        lemmas=lemmas,
    )
    return TopicAnswer(topic, hits)


def response_values(kb: KnowledgeBase, answer: TopicAnswer) -> dict[str, str]:
    """The placeholders of the `utter_kb_answer` response: the passages and their source."""
    return {"answer": " ".join(h.text for h in answer.hits), "source": kb.cite(answer.hits)}
