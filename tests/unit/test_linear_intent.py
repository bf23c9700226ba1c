"""The intent classifier (rasa_server/nlu/linear_intent.py), trained behind Rasa's own tokenizer and featurizer."""
from __future__ import annotations

import numpy as np
import pytest
import skops.io as sio
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import coo_matrix

from rasa_server.nlu.linear_intent import FILE_NAME, LinearIntentClassifier

pytestmark = pytest.mark.unit

EXAMPLES = {
    "ask_salary": ["combien gagne un gestionnaire", "quel salaire pour ce poste", "le salaire est de combien",
                   "on gagne combien par mois", "quelle paie pour un gestionnaire"],
    "ask_courses": ["quelles formations suivre", "il existe des cours en ligne", "ou se former au metier",
                    "une formation a distance existe", "quels cours pour apprendre"],
    "greet": ["bonjour", "salut", "bonsoir a vous", "coucou", "bonjour le bot"],
}
UNSEEN = {"ask_salary": "le salaire d'un gestionnaire", "ask_courses": "des cours a distance", "greet": "salut a vous"}


@pytest.fixture
def pipeline(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizer = CountVectorsFeaturizer.create(
        {**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4},
        storage, Resource("featurizer"), context,
    )
    data = TrainingData([Message(data={TEXT: t, INTENT: i}) for i, texts in EXAMPLES.items() for t in texts])
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)
    classifier = LinearIntentClassifier.create({}, storage, Resource("classifier"), context)
    classifier.train(data)

    def parse(text, model=classifier):
        message = Message(data={TEXT: text})
        tokenizer.process([message])
        featurizer.process([message])
        return model.process([message])[0]

    return storage, context, classifier, parse


def test_unseen_phrasings_get_their_intent_and_a_ranking(pipeline):
    _, _, _, parse = pipeline
    for intent, text in UNSEEN.items():
        message = parse(text)
        ranking = message.get(INTENT_RANKING_KEY)
        assert message.get(INTENT)["name"] == intent, text
        assert [r["name"] for r in ranking][0] == intent
        assert ranking == sorted(ranking, key=lambda r: -r["confidence"])
        assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)


def test_a_loaded_model_predicts_the_same(pipeline):
    storage, context, classifier, parse = pipeline
    loaded = LinearIntentClassifier.load({}, storage, Resource("classifier"), context)
    for text in UNSEEN.values():
        assert parse(text, loaded).get(INTENT_RANKING_KEY) == parse(text).get(INTENT_RANKING_KEY)


def test_a_message_without_text_gets_no_intent_instead_of_an_error(pipeline):
    _, _, classifier, _ = pipeline
    empty = classifier.process([Message(data={TEXT: ""})])[0]
    assert empty.get(INTENT) == {"name": None, "confidence": 0.0}
    assert empty.get(INTENT_RANKING_KEY) == []


def test_a_message_missing_a_feature_part_is_padded(pipeline):
    """A message whose featurizers gave no sparse row (nothing but punctuation) is still classified."""
    _, _, classifier, _ = pipeline
    message = Message(data={TEXT: "?!"})
    assert classifier.process([message])[0].get(INTENT)["name"] in EXAMPLES


def test_the_sentence_vector_is_used(tmp_path):
    """Two intents the words cannot tell apart, but the dense sentence vector can."""
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")

    def message(text, vector, intent=None):
        m = Message(data={TEXT: text, **({INTENT: intent} if intent else {})})
        m.add_features(Features(coo_matrix(np.ones((1, 4))), FEATURE_TYPE_SENTENCE, TEXT, "words"))
        m.add_features(Features(np.array([vector], dtype=float), FEATURE_TYPE_SENTENCE, TEXT, "vectors"))
        return m

    data = TrainingData([message(f"x{i}", [1.0, 0.1 * i], "a") for i in range(5)]
                        + [message(f"y{i}", [-1.0, 0.1 * i], "b") for i in range(5)])
    classifier = LinearIntentClassifier.create({}, storage, Resource("classifier"), context)
    classifier.train(data)
    assert classifier.process([message("z", [0.9, 0.3])])[0].get(INTENT)["name"] == "a"
    assert classifier.process([message("z", [-0.9, 0.3])])[0].get(INTENT)["name"] == "b"


class Payload:
    """Stands for anything a replaced model file could carry."""


@pytest.mark.parametrize(("content", "error"), [
    ({"payload": Payload()}, "types this classifier never writes"),  # could run code when read: never loaded
    ({"payload": np.zeros(3)}, "not a model of this classifier"),
])
def test_a_replaced_model_file_is_refused(pipeline, content, error):
    storage, context, _, _ = pipeline
    with storage.write_to(Resource("classifier")) as directory:
        sio.dump(content, directory / FILE_NAME)
    with pytest.raises(ValueError, match=error):
        LinearIntentClassifier.load({}, storage, Resource("classifier"), context)


def test_training_without_a_sparse_featurizer_is_a_clear_error(tmp_path):
    storage = LocalModelStorage(tmp_path)
    classifier = LinearIntentClassifier.create({}, storage, Resource("c"), ExecutionContext(GraphSchema({}), "t"))
    message = Message(data={TEXT: "bonjour", INTENT: "greet"})
    message.add_features(Features(np.ones((1, 3)), FEATURE_TYPE_SENTENCE, TEXT, "vectors"))
    with pytest.raises(ValueError, match="sparse featurizer"):
        classifier.train(TrainingData([message, Message(data={TEXT: "salut", INTENT: "bye"})]))


def test_a_temperature_below_one_sharpens_without_changing_the_order(pipeline):
    storage, context, _, parse = pipeline
    sharp = LinearIntentClassifier.load({"temperature": 0.5}, storage, Resource("classifier"), context)
    for text in UNSEEN.values():
        plain, sharpened = parse(text).get(INTENT_RANKING_KEY), parse(text, sharp).get(INTENT_RANKING_KEY)
        assert [r["name"] for r in sharpened] == [r["name"] for r in plain]
        assert sharpened[0]["confidence"] > plain[0]["confidence"]
        assert sum(r["confidence"] for r in sharpened) == pytest.approx(1.0)
