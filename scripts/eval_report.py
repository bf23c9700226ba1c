"""Figures of the end-to-end evaluation (scripts/eval_e2e.py): computed, printed, written as JSON."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scripts.eval_scoring import FALLBACK, ON_TOPIC, WRONG, Outcome, confusions, share


def failed(outcomes: Sequence[Outcome], good: str) -> list[dict]:
    return [{"text": o.detail.get("text"), "expected": o.expected, "got": o.got, "kind": o.kind,
             "queued_for_hr": o.detail.get("queued_for_hr"), "reply": o.detail.get("reply")}
            for o in outcomes if o.kind != good]


def identity_figures(results: Sequence[dict]) -> dict:
    """Messages with a name, age, gender or origin against the same message without them (key `plain`)."""
    pairs = [r for r in results if "plain" in r]
    changed = [
        {"text": r["text"], "plain": r["plain"]["text"], "slots": r["slots"], "plain_slots": r["plain"]["slots"],
         "reasked": r["reasked"], "plain_reasked": r["plain"]["reasked"]}
        for r in pairs if r["slots"] != r["plain"]["slots"] or r["reasked"] != r["plain"]["reasked"]
    ]
    return {"pairs": len(pairs), "changed": changed}


def self_figures(results: Sequence[dict]) -> dict:
    count = len(results)
    understood = [ok for r in results if r["understood"] is not None for ok in r["understood"].values()]
    return {
        "count": count,
        "reasked_questions": sum(len(r["reasked"]) for r in results),
        "zero_reasked_share": sum(not r["reasked"] for r in results) / count if count else 0.0,
        "facts_stated": sum(len(r["facts"]) for r in results),
        "facts_understood_share": sum(understood) / len(understood) if understood else None,
        "plan_given_share": sum(r["plan_given"] for r in results) / count if count else 0.0,
        "queued_for_hr": sum(bool(r.get("queued_for_hr")) for r in results),
        "identity": identity_figures(results),
        "failed": [
            {"text": r["text"], "reasked": r["reasked"], "asked": r["asked"], "slots": r["slots"],
             "facts": r["facts"], "queued_for_hr": r.get("queued_for_hr")}
            for r in results if r["reasked"] or (r["understood"] and not all(r["understood"].values()))
        ],
    }


def figures(lines: dict[str, list[Outcome]], selves: Sequence[dict]) -> dict[str, Any]:
    topic, oos, small = lines["topic"], lines["out_of_scope"], lines["small_talk"]
    return {
        "topic": {
            "count": len(topic), "on_topic_share": share(topic, ON_TOPIC),
            "fallback_share": share(topic, FALLBACK), "wrong_passage_share": share(topic, WRONG),
            "confusions": [{"expected": e, "got": g, "count": n} for e, g, n in confusions(topic)],
            "failed": failed(topic, ON_TOPIC),
        },
        "out_of_scope": {"count": len(oos), "honest_share": share(oos, "honest"), "failed": failed(oos, "honest")},
        "small_talk": {
            "count": len(small), "small_talk_share": share(small, "small_talk"),
            "failed": failed(small, "small_talk"),
        },
        "self_descriptions": self_figures(selves),
    }


def nlu_figures(folder: Path | None) -> dict | None:
    if folder is None or not (folder / "intent_report.json").is_file():
        return None
    report = json.loads((folder / "intent_report.json").read_text("utf-8"))
    return {"accuracy": report["accuracy"], "macro_f1": report["macro avg"]["f1-score"]}


def ratio(value: float, count: int) -> str:
    return f"{value:.3f} ({round(value * count)}/{count})"


def print_lines(data: dict) -> None:
    topic, oos, small = data["topic"], data["out_of_scope"], data["small_talk"]
    print(f"topic questions: on topic {ratio(topic['on_topic_share'], topic['count'])}, "
          f"honest fallback {ratio(topic['fallback_share'], topic['count'])}, "
          f"wrong passage {ratio(topic['wrong_passage_share'], topic['count'])}")
    print(f"out of scope: honest no-answer {ratio(oos['honest_share'], oos['count'])}")
    print(f"small talk: answered as small talk {ratio(small['small_talk_share'], small['count'])}")
    print("confusions (expected passage -> what the user got):")
    for row in topic["confusions"]:
        print(f"  {row['count']:3d}  {row['expected']}\n       -> {row['got']}")
    for name, good in (("topic", "on topic"), ("out_of_scope", "honest"), ("small_talk", "small talk")):
        print(f"{name} lines that are not {good}:")
        for row in data[name]["failed"]:
            queued = " [queued for HR]" if row["queued_for_hr"] else ""
            print(f"  - {row['text']!r}\n    got: {row['got']}{queued}")


def print_selves(data: dict) -> None:
    selves = data["self_descriptions"]
    understood = selves["facts_understood_share"]
    print(f"self-descriptions: {selves['count']} messages, {selves['facts_stated']} stated facts; "
          f"questions asked again about a stated fact: {selves['reasked_questions']}; "
          f"messages with none: {ratio(selves['zero_reasked_share'], selves['count'])}")
    print(f"  stated facts understood from the message alone: "
          f"{'not measured (no API token)' if understood is None else f'{understood:.3f}'}; "
          f"plan given at the end: {selves['plan_given_share']:.3f}; queued for HR: {selves['queued_for_hr']}")
    identity = selves["identity"]
    if identity["pairs"]:
        print(f"  name/age/gender/origin: {len(identity['changed'])} of {identity['pairs']} pairs understood "
              "differently from the same message without them")
    else:
        print("  name/age/gender/origin: the set has no pairs (a message with and without them): not measured")
    for row in selves["failed"]:
        print(f"  - {row['text']!r}\n    asked again: {row['reasked']}; understood: {row['slots']}; "
              f"stated: {row['facts']}")


def finish(data: dict, args, model: Path | None, model_changed: bool) -> None:
    data = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "command": "make evaluate (python -m scripts.eval_e2e)",
            "model": str(model) if model else args.url,
            "nlu_heldout": nlu_figures(args.nlu_report), **data}
    if data["nlu_heldout"]:
        nlu = data["nlu_heldout"]
        print(f"NLU held-out (tests/nlu/heldout.yml): accuracy {nlu['accuracy']:.3f}, macro-F1 {nlu['macro_f1']:.3f}")
    print(f"end to end over REST on the set written from the guide only ({args.questions.name}):")
    print_lines(data)
    print_selves(data)
    if model_changed:
        data["warning"] = "the model file changed during the run: run again"
        print(f"WARNING: {model} changed during the run: run again")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    print(f"figures written to {args.output}")
