"""Prints accuracy and macro-F1 from a `rasa test nlu` output folder."""
import json
import sys
from pathlib import Path

out = Path(sys.argv[1] if len(sys.argv) > 1 else "results/nlu")
report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
print(f"intent accuracy: {report['accuracy']:.3f}")
print(f"intent macro-F1: {report['macro avg']['f1-score']:.3f}")
print(f"confusion matrix: {out / 'intent_confusion_matrix.png'}")
