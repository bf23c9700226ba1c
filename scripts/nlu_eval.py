"""Held-out NLU evaluation, shared by the test and `make evaluate`."""
from __future__ import annotations

import asyncio
from pathlib import Path

from backoffice_career.settings import ROOT

MODEL = ROOT / "models" / "bot.tar.gz"
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
TRAINING = ROOT / "data" / "nlu"


def load_examples(path: Path) -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


def predict(texts: list[str], model: Path = MODEL) -> list[dict]:
    from rasa.core.agent import Agent

    if not model.exists():
        raise FileNotFoundError(f"{model} is missing: run `make model` first")
    agent = Agent.load(str(model))

    async def parse_all():
        return [await agent.parse_message(t) for t in texts]

    return asyncio.run(parse_all())


def scores(truth: list[str], predicted: list[str]) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    labels = sorted(set(truth))
    return {
        "accuracy": accuracy_score(truth, predicted),
        "macro_f1": f1_score(truth, predicted, labels=labels, average="macro", zero_division=0),
    }
