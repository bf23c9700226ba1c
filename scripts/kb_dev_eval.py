"""Development-set evaluation of the ranking: prints figures, used to calibrate the topic boost and the
thresholds (ranking.py, settings) on development questions, never on test items.

    .venv/bin/python -m scripts.kb_dev_eval [--dev FILE ...] [--boost 2 4 6] [--rival-coverage 0 0.5] \
        [--min-score 2] [--min-coverage 0.4] [--quiet]

The guide (data/knowledge/) and the notes of the development sets are built into one SQLite file;
each question is answered as the bot does (replies.topic_reply with the intent the trained NLU model
gave it: `intent` in the set, else the intents file). A development set is a YAML file of questions,
each with `expect` (a fragment of the passage to give) or `section` (the section of `document` to cite),
null when the notes cannot answer it. Its notes: `document`, else every non-YAML file of its folder.
Figures per setting:
- notes: questions answered from the expected passage or section;
- fallback: questions the notes cannot answer whose reply the notes do not change;
- guide: NLU training examples of the guide's topic intents (data/nlu/) answered from a note (should be
  none), and whose answer changes at all when the notes are added (other passages, idf);
- out of scope: out-of-scope training examples that get an answer (some are about the notes' subjects).
"""
from __future__ import annotations

import argparse
import functools
import itertools
import shutil
import tempfile
import uuid
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice_career import replies
from backoffice_career.knowledge import ranking
from backoffice_career.knowledge.base import KnowledgeBase
from backoffice_career.knowledge.db import Document
from backoffice_career.knowledge.factory import build_knowledge_base, build_normalizer
from backoffice_career.knowledge.text import load_topics
from backoffice_career.names import UTTER_KB_ANSWER
from backoffice_career.settings import ROOT, Settings, load_settings

DEV_DIR = ROOT / "tests" / "data"
DEFAULT_DEV = [DEV_DIR / "ranking_dev" / "dev.yml", DEV_DIR / "hr_note_dev.yml"]
DEFAULT_INTENTS = DEV_DIR / "ranking_dev" / "intents.yml"

Example = tuple[str, str | None]


def nlu_examples(intents: set | None = None) -> list[Example]:
    """(text, intent) of the NLU training data, for the given intents (all when None)."""
    examples = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text("utf-8")).get("nlu", []):
            intent = block.get("intent")
            if intent and (intents is None or intent in intents):
                examples += [(line[2:], intent) for line in block["examples"].splitlines() if line.startswith("- ")]
    return examples


def read_dev_sets(paths: list[Path], intents: dict) -> tuple[list[dict], list[Path]]:
    """The questions of the development sets (with their intent) and their notes."""
    questions, notes = [], []
    for path in paths:
        raw = yaml.safe_load(path.read_text("utf-8"))
        files = [path.parent / raw["document"]] if raw.get("document") else [
            p for p in sorted(path.parent.iterdir()) if p.is_file() and p.suffix not in (".yml", ".yaml")]
        notes += files
        for item in raw["questions"]:
            questions.append({**item, "intent": item.get("intent", intents.get(item["q"])), "set": path.name})
    return questions, notes


def reply(kb: KnowledgeBase, text: str, intent: str | None, settings: Settings) -> dict:
    turn = replies.Turn(text=text, sender_id=f"dev-{uuid.uuid4().hex[:8]}", intent=intent, confidence=1.0)
    result = replies.topic_reply(lambda: kb, turn, settings)
    return {"response": result.response, **result.values}


def expected(item: dict, answer: dict) -> bool | None:
    """Whether the answer is the expected one; None when the notes cannot answer the question."""
    if item.get("expect"):
        return answer["response"] == UTTER_KB_ANSWER and item["expect"] in answer.get("answer", "")
    if item.get("section"):
        return answer["response"] == UTTER_KB_ANSWER and f"« {item['section']} »" in answer.get("source", "")
    return None


def evaluate(guide: KnowledgeBase, both: KnowledgeBase, note_titles: list[str], questions: list[dict],
             guide_examples: list[Example], out_of_scope: list[Example], settings: Settings,
             verbose: bool) -> dict[str, tuple[int, int]]:
    counts = {"notes": [0, 0], "fallback": [0, 0]}
    for item in questions:
        answer = reply(both, item["q"], item["intent"], settings)
        ok = expected(item, answer)
        kind = "notes" if ok is not None else "fallback"
        if ok is None:
            ok = answer == reply(guide, item["q"], item["intent"], settings)  # the notes change nothing
        counts[kind][0] += ok
        counts[kind][1] += 1
        if verbose:
            print(f"  {'ok ' if ok else 'BAD'} [{item['intent']}] {item['q']!r} -> "
                  f"{answer.get('answer', answer['response'])[:80]!r} ({answer.get('source', '')})")
    changed, stolen = 0, []
    for text, intent in guide_examples:
        after = reply(both, text, intent, settings)
        changed += after != reply(guide, text, intent, settings)
        if any(title in after.get("source", "") for title in note_titles):
            stolen.append(text)
    answered = [t for t, i in out_of_scope if reply(both, t, i, settings)["response"] == UTTER_KB_ANSWER]
    if verbose:
        print(f"  guide examples answered from a note: {stolen}\n  out-of-scope examples answered: {answered}")
    return {
        **{name: (a, b) for name, (a, b) in counts.items()},
        "guide answered from a note": (len(stolen), len(guide_examples)),
        "guide changed": (changed, len(guide_examples)),
        "out of scope answered": (len(answered), len(out_of_scope)),
    }


def note_titles(kb: KnowledgeBase, names: list[str]) -> list[str]:
    with Session(kb.engine) as session:
        return list(session.scalars(select(Document.title).where(Document.name.in_(names))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, nargs="+", default=DEFAULT_DEV, help="development sets (YAML)")
    parser.add_argument("--intents", type=Path, default=DEFAULT_INTENTS, help="question -> NLU intent (YAML)")
    parser.add_argument("--boost", type=float, nargs="+", default=[ranking.TOPIC_BOOST])
    parser.add_argument("--rival-coverage", type=float, nargs="+", default=[ranking.RIVAL_MIN_COVERAGE])
    parser.add_argument("--min-score", type=float, nargs="+", default=None)
    parser.add_argument("--min-coverage", type=float, nargs="+", default=None)
    parser.add_argument("--quiet", action="store_true", help="figures only")
    args = parser.parse_args()

    base = load_settings()
    normalizer = build_normalizer(base)
    normalizer.lemmas = functools.lru_cache(maxsize=None)(normalizer.lemmas)  # type: ignore[method-assign]
    topics = load_topics(base.topics_file, normalizer)
    intents = yaml.safe_load(args.intents.read_text("utf-8")) if args.intents.is_file() else {}
    questions, notes = read_dev_sets(args.dev, intents or {})
    guide_examples = nlu_examples({t.intent for t in topics if t.intent})
    out_of_scope = nlu_examples({"out_of_scope"})
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "knowledge"
        shutil.copytree(base.knowledge_dir, source)
        for note in notes:
            shutil.copy(note, source / note.name)
        guide = build_knowledge_base(f"sqlite:///{tmp}/guide.sqlite", base.knowledge_dir, normalizer, topics)
        both = build_knowledge_base(f"sqlite:///{tmp}/both.sqlite", source, normalizer, topics)
        titles = note_titles(both, [n.name for n in notes])
        grid = itertools.product(args.boost, args.rival_coverage, args.min_score or [base.extra_min_score],
                                 args.min_coverage or [base.extra_min_coverage])
        for boost, rival, min_score, min_coverage in grid:
            ranking.TOPIC_BOOST, ranking.RIVAL_MIN_COVERAGE = boost, rival
            settings = base.copy(update={"extra_min_score": min_score, "extra_min_coverage": min_coverage})
            print(f"== boost {boost:g}, rival coverage {rival:g}, extra_min_score {min_score:g}, "
                  f"extra_min_coverage {min_coverage:g}")
            figures = evaluate(guide, both, titles, questions, guide_examples, out_of_scope, settings, not args.quiet)
            print("   " + "; ".join(f"{name} {a}/{b}" for name, (a, b) in figures.items()))


if __name__ == "__main__":
    main()
