"""The held-out NLU file (tests/nlu/heldout.yml): kept out of training, covering every intent.

The macro-F1 of the trained model on it is checked in tests/model/test_nlu_heldout.py.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

import yaml

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


def test_generated_nlu_files_are_up_to_date_and_other_trades_are_not_job_titles():
    """data/nlu/generated_*.yml are what scripts/nlu_variants.py writes from data/kb/ (rerun after editing);
    no "other trade" is a title of the job (vocabulary family job_title), which must stay in scope."""
    from scripts import nlu_variants

    assert nlu_variants.OUTPUT.read_text("utf-8") == nlu_variants.render(
        nlu_variants.generate(nlu_variants.load_families())
    )
    trades = nlu_variants.other_jobs()
    assert nlu_variants.OTHER_JOBS_OUTPUT.read_text("utf-8") == nlu_variants.render(trades, "data/kb/other_jobs.yml")
    assert len(trades["out_of_scope"]) >= 40
    titles = {nlu_variants.normalise(m) for members in nlu_variants.load_families() for m in members}
    listed = yaml.safe_load(nlu_variants.OTHER_JOBS.read_text("utf-8"))["trades"]
    assert not {nlu_variants.normalise(t) for t in listed} & titles
