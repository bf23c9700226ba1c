"""NLU quality on the held-out file, which never enters training (the trained model models/bot.tar.gz)."""
from __future__ import annotations

import pytest

from scripts.nlu_eval import HELDOUT, load_examples, scores

MIN_MACRO_F1 = 0.90


@pytest.fixture(scope="module")
def heldout_predictions(batch_nlu):
    examples = load_examples(HELDOUT)
    parsed = [batch_nlu.parse_one(t) for t, _ in examples]  # as the Rasa server parses each message
    return [(t, i, p["intent"]["name"]) for (t, i), p in zip(examples, parsed, strict=True)]


def test_macro_f1_on_heldout(heldout_predictions):
    truth = [i for _, i, _ in heldout_predictions]
    # A fallback counts as an error, except on out_of_scope where it gives the same answer.
    predicted = [
        "out_of_scope" if (p == "nlu_fallback" and i == "out_of_scope") else p
        for _, i, p in heldout_predictions
    ]
    result = scores(truth, predicted)
    errors = [(t, i, p) for (t, i, _), p in zip(heldout_predictions, predicted, strict=True) if i != p]
    print(f"\nheld-out: accuracy {result['accuracy']:.3f}, macro-F1 {result['macro_f1']:.3f}")
    for text, expected, got in errors:
        print(f"  {expected:>28} -> {got:<28} {text}")
    assert result["macro_f1"] >= MIN_MACRO_F1
