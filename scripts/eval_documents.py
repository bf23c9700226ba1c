"""End-to-end evaluation on questions about an HR document, over REST, as users see it (issue 13).

The bot is started through the launcher with a knowledge base of the guide plus DOCUMENT; every question is
sent in a new conversation. A question is answered when the reply holds one of its accepted fragments and its
source names the expected section; an unanswerable question must get the honest fallback. Development sets
only (tests/data/dev/hr_note_dev_questions.yml, tests/data/hr_note_dev.yml): the ranking is calibrated on them.

    .venv/bin/python -m scripts.eval_documents DOCUMENT QUESTIONS [--guide-questions tests/data/dev/guide_dev.yml]
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

from backoffice_career.settings import ROOT, load_settings
from scripts.eval_e2e import BotClient, launched_bot, load_guide, run_lines
from scripts.eval_scoring import ON_TOPIC, Responses, classify_document, classify_out_of_scope, share


def load_questions(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """(questions with text, section and accepted fragments; unanswerable texts), from either dev format."""
    raw = yaml.safe_load(path.read_text("utf-8")) or {}
    questions, unanswerable = [], [u["text"] if isinstance(u, dict) else u for u in raw.get("unanswerable") or []]
    for item in raw.get("questions") or []:
        text = item.get("text") or item.get("q")
        accept = item.get("accept") or item.get("expect") or [""]  # "": the section alone is checked
        if item.get("section") is None:
            unanswerable.append(text)
        else:
            questions.append({"text": text, "section": item["section"],
                              "accept": [accept] if isinstance(accept, str) else accept})
    return questions, unanswerable


def ask_all(client: BotClient, texts: list[str], workers: int) -> list[list[str]]:
    def one(text: str) -> list[str]:
        return client.texts(client.new_sender(), text)

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(one, texts))


def evaluate(client: BotClient, guide, questions, unanswerable, responses: Responses, workers: int) -> dict:
    replies = ask_all(client, [q["text"] for q in questions] + unanswerable, workers)
    answered = [classify_document(r, q["accept"], q["section"], responses)
                for q, r in zip(questions, replies[:len(questions)], strict=True)]
    honest = [classify_out_of_scope(r, guide, responses) for r in replies[len(questions):]]
    for outcome, text in zip(answered + honest, [q["text"] for q in questions] + unanswerable, strict=True):
        outcome.detail = {"text": text}
    return {"answered": answered, "honest": honest}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("document", type=Path)
    parser.add_argument("questions", type=Path)
    parser.add_argument("--guide-questions", type=Path, help="guide questions that must keep their answers")
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    questions, unanswerable = load_questions(args.questions)
    responses = Responses(yaml.safe_load((ROOT / "domain.yml").read_text("utf-8")))
    work = Path(tempfile.mkdtemp(prefix="eval_documents_"))
    try:
        knowledge = work / "knowledge"
        shutil.copytree(load_settings().knowledge_dir, knowledge)
        shutil.copy(args.document, knowledge)
        with launched_bot(work, knowledge) as (client, kb):
            guide = load_guide(kb)
            result = evaluate(client, guide, questions, unanswerable, responses, args.workers)
            guide_lines = None
            if args.guide_questions:
                guide_set = yaml.safe_load(args.guide_questions.read_text("utf-8")) or {}
                guide_lines = run_lines(client, {"topic_questions": guide_set.get("topic_questions") or []},
                                        guide, responses, kb, args.workers)["topic"]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for outcome in result["answered"] + result["honest"]:
        if outcome.kind not in (ON_TOPIC, "honest"):
            print(f"MISS [{outcome.kind}] {outcome.detail['text']}\n    expected {outcome.expected}\n"
                  f"    got {outcome.got}")
    n, m = len(result["answered"]), len(result["honest"])
    print(f"document questions answered from the right section: {share(result['answered'], ON_TOPIC):.3f} "
          f"({sum(o.kind == ON_TOPIC for o in result['answered'])}/{n})")
    print(f"unanswerable questions given the honest fallback: {share(result['honest'], 'honest'):.3f} "
          f"({sum(o.kind == 'honest' for o in result['honest'])}/{m})")
    if guide_lines is not None:
        for outcome in guide_lines:
            if outcome.kind != ON_TOPIC:
                print(f"GUIDE MISS [{outcome.kind}] {outcome.detail['text']}\n    got {outcome.got}")
        print(f"guide questions on topic: {share(guide_lines, ON_TOPIC):.3f} "
              f"({sum(o.kind == ON_TOPIC for o in guide_lines)}/{len(guide_lines)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
