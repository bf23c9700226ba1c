"""Tunes the FallbackClassifier threshold on a dev split of the training data (never the held-out file).

Trains a model on 85 % of data/nlu, parses the other 15 % and prints macro-F1 for each threshold:
a prediction under the threshold becomes a fallback, which counts as right only for out_of_scope."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path

from backoffice_career.settings import ROOT
from scripts.nlu_eval import TRAINING, scores

THRESHOLDS = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
AMBIGUITIES = [0.0, 0.02, 0.05, 0.1]


def main() -> None:
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(TRAINING))
    train, dev = data.train_test_split(train_frac=0.85, random_seed=7)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "data").mkdir()
        (tmp / "data" / "nlu.yml").write_text(train.nlu_as_yaml(), encoding="utf-8")
        subprocess.run(
            [str(Path(sys.executable).parent / "rasa"), "train", "nlu", "--config", str(ROOT / "config.yml"),
             "--nlu", str(tmp / "data"), "--out", str(tmp), "--fixed-model-name", "dev"],
            check=True, cwd=ROOT,
        )
        agent = Agent.load(str(tmp / "dev.tar.gz"))
        examples = [(m.get("text"), m.get("intent")) for m in dev.intent_examples]

        async def parse_all():
            return [await agent.parse_message(t) for t, _ in examples]

        parsed = asyncio.run(parse_all())
    truth = [i for _, i in examples]
    print(f"dev split: {len(examples)} examples")
    for threshold in THRESHOLDS:
        for ambiguity in AMBIGUITIES:
            predicted = []
            for (_, intent), p in zip(examples, parsed, strict=True):
                ranking = [r for r in (p.get("intent_ranking") or [p["intent"]]) if r["name"] != "nlu_fallback"]
                top = ranking[0]
                second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
                unsure = top["confidence"] < threshold or top["confidence"] - second < ambiguity
                name = "nlu_fallback" if unsure else top["name"]
                predicted.append("out_of_scope" if name == "nlu_fallback" and intent == "out_of_scope" else name)
            result = scores(truth, predicted)
            fallbacks = sum(p == "nlu_fallback" for p in predicted)
            print(
                f"threshold {threshold:.2f} ambiguity {ambiguity:.2f}: macro-F1 {result['macro_f1']:.3f}  "
                f"accuracy {result['accuracy']:.3f}  fallbacks {fallbacks}"
            )


if __name__ == "__main__":
    main()
