"""The held-out NLU file (tests/nlu/heldout.yml): kept out of training, covering every intent.

The macro-F1 of the trained model on it is checked in tests/model/test_nlu_heldout.py.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

from scripts.nlu_eval import HELDOUT, TRAINING, load_examples


def _key(text):
    text = unicodedata.normalize("NFKD", text.lower())
    return re.sub(r"[^a-z0-9]+", " ", "".join(c for c in text if not unicodedata.combining(c))).strip()


def test_heldout_examples_are_not_in_training_data():
    training = {_key(t) for t, _ in load_examples(TRAINING)}
    leaked = [t for t, _ in load_examples(HELDOUT) if _key(t) in training]
    assert leaked == []


def test_heldout_covers_every_intent_with_enough_examples():
    training_intents = {i for _, i in load_examples(TRAINING)}
    counts = Counter(i for _, i in load_examples(HELDOUT))
    assert set(counts) == training_intents
    assert min(counts.values()) >= 8
