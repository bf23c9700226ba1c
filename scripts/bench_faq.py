"""FAQ batch benchmark: answers N questions (default 1,000) in-process and prints the throughput."""
from __future__ import annotations

import argparse
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path

import yaml

from backoffice_career.knowledge.factory import open_knowledge_base
from backoffice_career.settings import ROOT
from hr.faq import DEFAULT_MODEL, answer_questions, load_messages, read_questions, write_answers
from hr.nlu_batch import BatchNlu


def sample_questions() -> list:
    """The held-out NLU examples: varied, realistic French questions."""
    with open(ROOT / "tests" / "nlu" / "heldout.yml", encoding="utf-8") as handle:
        nlu = yaml.safe_load(handle)["nlu"]
    return [line[2:].strip() for item in nlu for line in item["examples"].splitlines() if line.startswith("- ")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=1000)
    args = parser.parse_args()
    messages = load_messages()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "questions.csv"
        lines = ["question"] + [q.replace('"', '""') for q in islice(cycle(sample_questions()), args.n)]
        source.write_text("\n".join(f'"{q}"' if i else q for i, q in enumerate(lines)) + "\n", "utf-8")
        start = time.perf_counter()
        kb = open_knowledge_base()
        kb.check()
        nlu = BatchNlu(DEFAULT_MODEL)
        loaded = time.perf_counter()
        questions = read_questions(source, messages)
        rows = answer_questions(questions.questions, nlu, kb, 0.7, messages, progress=False)
        write_answers(Path(tmp) / "answers.csv", rows, questions)
        done = time.perf_counter()
    answering = done - loaded
    answered = sum(r["status"] == "answered" for r in rows)
    print(f"model + knowledge base loaded in {loaded - start:.1f} s")
    print(
        f"{len(rows)} questions answered in {answering:.1f} s: {len(rows) / answering:.0f} questions/s, "
        f"{answering / len(rows) * 1000:.1f} ms/question ({answered} answered, {len(rows) - answered} needs_review)"
    )
    print(f"total (load + answers): {done - start:.1f} s")


if __name__ == "__main__":
    main()
