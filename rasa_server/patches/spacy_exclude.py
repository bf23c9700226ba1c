"""Patch: the Rasa server loads spaCy's French model once, without the components the NLU never uses."""
from __future__ import annotations

from typing import Any

from rasa_server.patches.guard import Replacement, rasa_patch

# Not loaded at all (spacy.load's `exclude=`). Kept: tok2vec, morphologizer, attribute_ruler and
# lemmatizer (lemmas, POS of LexicalSyntacticFeaturizer) and the static vectors (SpacyFeaturizer).
EXCLUDED = ("parser", "ner", "senter")


@rasa_patch(written_for="3.6.21")
def install() -> list[Replacement]:
    """SpacyNLP.load_model: `spacy.load(name, exclude=EXCLUDED)` instead of Rasa's `disable=["parser"]`,
    once per model name.

    Rasa 3.6 loads every component and only disables the parser, so the NER runs on each message
    for nothing (no SpacyEntityExtractor in config.yml). None of the excluded components sets a token
    attribute the featurizers read, so the features, and the predictions, are unchanged. Rasa's graph
    also creates SpacyNLP twice (the node that provides the model and the node that processes the
    messages with the provided one), and each loads its own copy: the second one (about 330 MB) was
    never used. Both now share the first. An empty name, a missing model or a spaCy version mismatch
    go through Rasa's own method and its errors.
    """
    import spacy
    from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP

    original = SpacyNLP.load_model
    loaded: dict[str, SpacyModel] = {}

    def load_model(spacy_model_name: Any) -> SpacyModel:
        if not spacy_model_name:
            return original(spacy_model_name)
        if spacy_model_name in loaded:
            return loaded[spacy_model_name]
        try:
            language = spacy.load(spacy_model_name, exclude=list(EXCLUDED))
        except OSError:
            return original(spacy_model_name)
        info = spacy.info(spacy_model_name)
        wanted = str(info.get("spacy_version") or "") if isinstance(info, dict) else ""
        if not spacy.util.is_compatible_version(spacy.about.__version__, wanted):
            return original(spacy_model_name)
        model = loaded[spacy_model_name] = SpacyModel(model=language, model_name=spacy_model_name)
        return model

    return [(SpacyNLP, "load_model", staticmethod(load_model))]
