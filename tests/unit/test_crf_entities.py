"""The CRF entity extractor stored without unused dense features (rasa_server/nlu/crf_entities.py)."""
from __future__ import annotations

import json

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message

from rasa_server.nlu.crf_entities import LeanCRFEntityExtractor

pytestmark = pytest.mark.unit

TRAINING = """
version: "3.1"
nlu:
- intent: inform_profile
  examples: |
    - j'ai [5 ans](experience_duration) dans un bureau
    - [deux ans](experience_duration) comme assistante
    - depuis [3 ans](experience_duration) en agence
    - [10 ans](experience_duration) d'expérience
    - environ [six mois](experience_duration) en intérim
    - presque [4 ans](experience_duration) au standard
"""
UNSEEN = ["j'ai 7 ans dans un bureau", "depuis deux ans en agence"]
DIMENSION = 8
DENSE = [["low"], ["low", "bias", "suffix3", "text_dense_features"], ["low"]]


def train(folder, cls, name, config=None):
    folder.mkdir(parents=True, exist_ok=True)
    storage = LocalModelStorage(folder)
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    data = RasaYAMLReader().reads(TRAINING)
    tokenizer.process_training_data(data)
    for message in data.training_examples:
        with_dense(message)
    extractor = cls.create({**cls.get_default_config(), **(config or {})}, storage, Resource(name), context)
    extractor.train(data)
    return storage, context, tokenizer, extractor


def with_dense(message):
    """A dense vector per token, as spaCy's featurizer gives (a fixed pseudo-random one here)."""
    count = len(message.get("text_tokens") or [])
    rng = np.random.default_rng(len(message.get(TEXT)))
    message.add_features(Features(rng.random((count, DIMENSION)), FEATURE_TYPE_SEQUENCE, TEXT, "dense"))
    message.add_features(Features(rng.random((1, DIMENSION)), FEATURE_TYPE_SENTENCE, TEXT, "dense"))


def entities(tokenizer, extractor, text):
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    with_dense(message)
    return [(e["entity"], e["value"]) for e in extractor.process([message])[0].get(ENTITIES) or []]


def stored_tokens(storage, name):
    with storage.read_from(Resource(name)) as directory:
        return [token for tokens in json.loads((directory / "crf_dataset.json").read_text("utf-8")) for token in tokens]


def test_the_stored_tokens_leave_out_the_dense_features_no_feature_reads(tmp_path):
    storage, _, _, _ = train(tmp_path / "lean", LeanCRFEntityExtractor, "lean")
    plain_storage, _, _, _ = train(tmp_path / "plain", CRFEntityExtractor, "plain")
    lean, plain = stored_tokens(storage, "lean"), stored_tokens(plain_storage, "plain")
    assert all(token["dense_features"] == [] for token in lean)
    assert all(len(token["dense_features"]) == DIMENSION for token in plain)  # Rasa's own keeps them
    assert [dict(t, dense_features=[]) for t in plain] == lean


def test_the_loaded_extractor_finds_what_rasas_own_finds(tmp_path):
    storage, context, tokenizer, _ = train(tmp_path / "lean", LeanCRFEntityExtractor, "lean")
    plain_storage, plain_context, _, _ = train(tmp_path / "plain", CRFEntityExtractor, "plain")
    config = LeanCRFEntityExtractor.get_default_config()
    lean = LeanCRFEntityExtractor.load(config, storage, Resource("lean"), context)
    plain = CRFEntityExtractor.load(config, plain_storage, Resource("plain"), plain_context)
    found = [entities(tokenizer, lean, text) for text in UNSEEN]
    assert found == [entities(tokenizer, plain, text) for text in UNSEEN]
    assert all(kind == "experience_duration" for one in found for kind, _ in one) and any(found)


def test_dense_features_are_kept_when_a_feature_reads_them(tmp_path):
    storage, _, _, _ = train(tmp_path, LeanCRFEntityExtractor, "dense", {"features": DENSE})
    assert all(len(token["dense_features"]) == DIMENSION for token in stored_tokens(storage, "dense"))
