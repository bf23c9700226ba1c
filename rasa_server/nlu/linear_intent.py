"""NLU component: intents by a logistic regression on the sentence features. In config.yml since 2026-12-03 in
place of DIET (docs/performance.md, "The linear intent classifier replaces DIET"): it trains in seconds instead
of minutes, with the fallback and review thresholds calibrated for its confidences on the development sets.

Rasa's own `LogisticRegressionClassifier` fits raw counts: its solver does not converge on 11,000 char
n-gram columns and long messages weigh more. Here the sparse features (word and char n-gram counts, regex
matches) are tf-idf weighted (sublinear, l2), the dense sentence vector (spaCy's mean) is l2-normalised and
scaled by `dense_weight`, and `temperature` sharpens the probabilities. Stored with skops, as Rasa stores its
classifier: a file holding other types is refused before anything in it is loaded.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

FILE_NAME = "linear_intent.skops"
# Beyond scikit-learn's and numpy's own types, the one the tf-idf weights are kept in.
TRUSTED_TYPES = frozenset({"scipy.sparse._csr.csr_matrix"})
Row = Tuple[Optional[sp.csr_matrix], Optional[np.ndarray]]  # a message's sentence features: sparse, dense


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    """Intent and ranking from a logistic regression on tf-idf sparse features and the sentence vector."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "C": 100.0, "dense_weight": 0.5, "temperature": 1.0, "max_iter": 2000, "random_state": 42,
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[Tuple[Any, Any]] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._tfidf: Any = model[0] if model is not None else None  # TfidfTransformer
        self._clf: Any = model[1] if model is not None else None  # LogisticRegression

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LinearIntentClassifier":
        return cls(config, model_storage, resource)

    @staticmethod
    def _features(message: Message) -> Row:
        """The message's sentence-level sparse row and dense vector (None when a featurizer gave none)."""
        _, sparse = message.get_sparse_features(TEXT)
        _, dense = message.get_dense_features(TEXT)
        return (
            sp.csr_matrix(sparse.features) if sparse is not None else None,
            np.asarray(dense.features, dtype=np.float64).reshape(1, -1) if dense is not None else None,
        )

    def _matrix(self, rows: List[Row], dense_width: int) -> sp.csr_matrix:
        """The classifier's input; a part a message lacks is zeros (a message of punctuation only)."""
        sparse_width = len(self._tfidf.idf_)
        sparse = sp.vstack([r[0] if r[0] is not None else sp.csr_matrix((1, sparse_width)) for r in rows]).tocsr()
        dense = np.vstack([r[1] if r[1] is not None else np.zeros((1, dense_width)) for r in rows])
        norms = np.linalg.norm(dense, axis=1, keepdims=True)
        dense = np.divide(dense, norms, out=np.zeros_like(dense), where=norms > 0) * self.config["dense_weight"]
        return sp.hstack([self._tfidf.transform(sparse), sp.csr_matrix(dense)]).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.linear_model import LogisticRegression

        examples = [m for m in training_data.intent_examples if m.get(INTENT) and m.get(TEXT)]
        if not examples:
            logger.debug("No intent examples: %s is not trained.", type(self).__name__)
            return self._resource
        rows = [self._features(m) for m in examples]
        if any(sparse is None for sparse, _ in rows):
            raise ValueError(f"{type(self).__name__} needs a sparse featurizer (CountVectorsFeaturizer) before it")
        self._tfidf = TfidfTransformer(sublinear_tf=True).fit(sp.vstack([sparse for sparse, _ in rows]).tocsr())
        dense_width = max(dense.shape[1] if dense is not None else 0 for _, dense in rows)
        self._clf = LogisticRegression(
            C=self.config["C"],
            class_weight="balanced",
            max_iter=self.config["max_iter"],
            random_state=self.config["random_state"],
        ).fit(self._matrix(rows, dense_width), [m.get(INTENT) for m in examples])
        self.persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        """Every message gets an intent: no name and no confidence when there is no text or no model (as DIET)."""
        with_text = [m for m in messages if m.get(TEXT)] if self._clf is not None else []
        predicted = {id(m) for m in with_text}
        for message in messages:
            if id(message) not in predicted:
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        if not with_text:
            return messages
        dense_width = int(self._clf.n_features_in_) - len(self._tfidf.idf_)
        probabilities = self._sharpened(
            self._clf.predict_proba(self._matrix([self._features(m) for m in with_text], dense_width))
        )
        names = self._clf.classes_
        for message, row in zip(with_text, probabilities, strict=True):
            order = np.argsort(-row, kind="stable")
            ranking = [{"name": str(names[i]), "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking[: self.config["ranking_length"]], add_to_output=True)
        return messages

    def _sharpened(self, probabilities: np.ndarray) -> np.ndarray:
        """The probabilities on the confidence scale the thresholds downstream were set on: softmax(log p / T)."""
        temperature = float(self.config["temperature"])
        if temperature == 1.0:
            return probabilities
        logits = np.log(np.clip(probabilities, 1e-12, 1.0)) / temperature
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            sio.dump((self._tfidf, self._clf), directory / FILE_NAME)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LinearIntentClassifier":
        import skops.io as sio

        with model_storage.read_from(resource) as directory:
            path = directory / FILE_NAME
            untrusted = sio.get_untrusted_types(file=path)
            if set(untrusted) - TRUSTED_TYPES:  # a model file written by something else: refuse to load it
                raise ValueError(f"{path} holds types this classifier never writes: {sorted(untrusted)}")
            model = sio.load(path, trusted=untrusted)
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.linear_model import LogisticRegression

        if not (isinstance(model, tuple) and len(model) == 2 and isinstance(model[0], TfidfTransformer)
                and isinstance(model[1], LogisticRegression)):
            raise ValueError(f"{path} is not a model of this classifier")
        return cls(config, model_storage, resource, model)
