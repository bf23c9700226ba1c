"""NLU component: Rasa's CRF entity extractor, stored without the dense features its features do not use.

Rasa's CRFEntityExtractor stores its training tokens and trains the CRF again when the model loads. Each token
carries spaCy's 300-dimension vector, written as strings: 97 MB of JSON for this bot's training data, read at
every load (430 MB at peak in the Rasa server) though no configured feature reads it. Here the vector is stored
only when `text_dense_features` is among the configured features; the loaded CRF is the same.
"""
from __future__ import annotations

from typing import Any, List

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor, CRFEntityExtractorOptions, CRFToken


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class LeanCRFEntityExtractor(CRFEntityExtractor):
    """CRFEntityExtractor whose stored tokens keep their dense features only when a feature uses them."""

    def uses_dense_features(self) -> bool:
        features: List[List[Any]] = self.component_config[self.CONFIG_FEATURES]
        return any(CRFEntityExtractorOptions.TEXT_DENSE_FEATURES in position for position in features)

    def persist(self, dataset: List[List[CRFToken]]) -> None:
        if not self.uses_dense_features():
            dataset = [[lean(token) for token in tokens] for tokens in dataset]
        super().persist(dataset)


def lean(token: CRFToken) -> CRFToken:
    return CRFToken(token.text, token.pos_tag, token.pattern, np.zeros(0), token.entity_tag,
                    token.entity_role_tag, token.entity_group_tag)
