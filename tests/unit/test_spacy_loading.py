"""The action server's spaCy pipeline: only the components the lemmas need, and the very same lemmas."""
from __future__ import annotations

import pytest

from backoffice_career.knowledge import factory, text
from backoffice_career.knowledge.lean_spacy import HashMap
from backoffice_career.knowledge.text import INGEST_EXCLUDED, QUERY_EXCLUDED, Normalizer, get_nlp

pytestmark = pytest.mark.unit

LEMMA_PIPES = ["tok2vec", "morphologizer", "attribute_ruler", "lemmatizer"]


@pytest.fixture(scope="module")
def guide_lines(settings):
    return [
        line for path in sorted(settings.knowledge_dir.glob("*.txt"))
        for line in path.read_text("utf-8").splitlines() if line.strip()
    ]


@pytest.fixture(scope="module")
def query_nlp(settings):
    """A query pipeline loaded on its own, lean as the action server loads it (the session's normaliser holds
    the ingestion pipeline)."""
    saved = dict(text._NLP)
    text._NLP.clear()
    try:
        yield get_nlp(settings.spacy_model, QUERY_EXCLUDED, settings.spacy_cache_dir)
    finally:
        text._NLP.clear()
        text._NLP.update(saved)


def test_query_pipeline_loads_only_what_the_lemmas_need(query_nlp):
    assert query_nlp.pipe_names == LEMMA_PIPES
    assert not {"parser", "ner", "senter"} & set(query_nlp.component_names)


def test_lemmas_of_the_guide_are_unchanged(query_nlp, normalizer, guide_lines):
    """The same lemmas as the ingestion pipeline (the one every query used before), sentence by sentence."""
    assert "parser" in normalizer.nlp.pipe_names
    lean = Normalizer(query_nlp, normalizer.config)
    assert lean.lemmas_many(guide_lines) == normalizer.lemmas_many(guide_lines)
    assert [lean.lemmas(line) for line in guide_lines[:20]] == [normalizer.lemmas(line) for line in guide_lines[:20]]


def test_the_served_knowledge_base_uses_the_query_pipeline(settings, query_nlp):
    """open_knowledge_base (the action server) asks for the pipeline without the parser, loaded lean."""
    lean = factory.build_normalizer(settings, ingest=False)
    assert lean.nlp is query_nlp
    assert isinstance(query_nlp.vocab.vectors.key2row, HashMap)


def test_a_loaded_larger_pipeline_serves_queries_too(settings, normalizer, monkeypatch):
    """Where ingestion already loaded the model (HR tools, tests), queries reuse it: no second copy."""
    monkeypatch.setattr(text, "_NLP", {(settings.spacy_model, INGEST_EXCLUDED): normalizer.nlp})
    assert get_nlp(settings.spacy_model, QUERY_EXCLUDED) is normalizer.nlp
    assert len(text._NLP) == 1
