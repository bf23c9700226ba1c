"""One message is analysed by spaCy once, though the out-of-scope check, the answer and its rival all read it."""
from __future__ import annotations

from backoffice_career.knowledge.base import KnowledgeBase
from backoffice_career.knowledge.text import QUERY_CACHE, Normalizer


class CountingNlp:
    """The session's spaCy pipeline, counting the texts it analyses."""

    def __init__(self, nlp):
        self.nlp, self.texts = nlp, []

    def __call__(self, text, **kwargs):
        self.texts.append(text)
        return self.nlp(text, **kwargs)

    def __getattr__(self, name):
        return getattr(self.nlp, name)


def test_a_question_is_analysed_once_for_all_its_readers(kb, normalizer):
    nlp = CountingNlp(normalizer.nlp)
    counted = KnowledgeBase(kb.engine, Normalizer(nlp, normalizer.config), kb.topic_specs, kb.config)
    question = "Faut-il beaucoup d'expérience pour gérer un back-office ?"
    assert counted.off_guide(question) is kb.off_guide(question) is False
    assert counted.normalizer.lemmas(question) == kb.normalizer.lemmas(question)
    assert counted.search(question, "experience_needed") == kb.search(question, "experience_needed")
    assert counted.extra_answer(question, 0.0, 0.0) == kb.extra_answer(question, 0.0, 0.0)
    assert nlp.texts == [question]


def test_the_cache_keeps_only_the_last_questions(normalizer):
    nlp = CountingNlp(normalizer.nlp)
    counted = Normalizer(nlp, normalizer.config)
    texts = [f"question numéro {n}" for n in range(QUERY_CACHE + 1)]
    for text in texts:
        counted.lemmas(text)
    counted.lemmas(texts[0])  # pushed out by the others: analysed again
    counted.lemmas(texts[-1])
    assert nlp.texts == [*texts, texts[0]]
