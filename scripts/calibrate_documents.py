"""Calibrates the answers from HR documents on the development sets, in a few minutes, never on the test notes.

Each development question is parsed once by the trained model (models/bot.tar.gz; the parses are cached in
var/calibration/parses.json, keyed by the model's file time) and answered as the action server answers it:
`replies.topic_reply`, `unknown_reply` or `fallback_reply` on a knowledge base of the guide plus the set's note,
built into a temporary SQLite file. The figures are those of `scripts.eval_documents` over REST (same
scoring), without starting the servers. The guide's development questions (tests/data/dev/guide_dev.yml) are
answered with every development note in the knowledge base: they must keep their answers.

    .venv/bin/python -m scripts.calibrate_documents [--verbose] [--model models/other.tar.gz]
    KB_DOCUMENT_MIN_MARGIN=0.15 .venv/bin/python -m scripts.calibrate_documents   # a setting to try
    KB_SUGGESTION_MIN_SCORE=0.6 .venv/bin/python -m scripts.calibrate_documents --suggestions
"""
from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from backoffice_career import profile_replies, replies
from backoffice_career.knowledge.base import KnowledgeBase
from backoffice_career.knowledge.factory import build_knowledge_base, build_normalizer
from backoffice_career.knowledge.text import load_topics
from backoffice_career.names import (
    INTENT_INFORM_PROFILE,
    INTENT_OUT_OF_SCOPE,
    RASA_INTENT_NLU_FALLBACK,
    UTTER_KB_ANSWER,
    UTTER_NO_ANSWER,
)
from backoffice_career.settings import ROOT, get_settings
from scripts.eval_documents import load_questions
from scripts.eval_scoring import normalise
from scripts.nlu_eval import predict

DEV = ROOT / "tests" / "data"
# (note, its questions): development sets only; the test notes (tests/data/hr_test_note*/) are never used here.
SETS = {
    "vie-equipe": (DEV / "ranking_dev" / "vie-equipe-back-office.md", DEV / "dev" / "hr_note_dev_questions.yml"),
    "accueil": (DEV / "hr_note.md", DEV / "hr_note_dev.yml"),
    "quessaline": (DEV / "dev" / "hr_dev_note3.md", DEV / "dev" / "hr_dev_note3_questions.yml"),
    "brevaline": (DEV / "dev" / "hr_dev_note4.md", DEV / "dev" / "hr_dev_note4_questions.yml"),
    "norvalis": (DEV / "dev" / "hr_dev_note5.md", DEV / "dev" / "hr_dev_note5_questions.yml"),
}
GUIDE_DEV = DEV / "dev" / "guide_dev.yml"
MODEL = ROOT / "models" / "bot.tar.gz"
CACHE = ROOT / "var" / "calibration" / "parses.json"


def parse_all(texts: Sequence[str], model: Path = MODEL) -> dict[str, dict[str, Any]]:
    """Intent, confidence and intent ranking of each text by the trained model (cached per model file)."""
    stamp = f"{model.resolve()}:{model.stat().st_mtime}"
    cache = json.loads(CACHE.read_text("utf-8")) if CACHE.exists() else {}
    parses = cache.get(stamp, {})
    todo = [t for t in dict.fromkeys(texts) if t not in parses]
    if todo:
        for text, message in zip(todo, predict(todo, model), strict=True):
            parses[text] = {"intent": message["intent"], "intent_ranking": message.get("intent_ranking") or []}
        cache[stamp] = parses
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_text(json.dumps(cache, ensure_ascii=False), "utf-8")
    return parses


def reply_for(kb: KnowledgeBase, text: str, parse: dict[str, Any]) -> replies.Reply | None:
    """The reply of the action server's dispatch (actions/actions.py, actions/forms.py); None for a dialogue
    intent."""
    intent = parse["intent"]["name"]
    turn = replies.Turn(text=text, sender_id="calibration", intent=intent, confidence=parse["intent"]["confidence"],
                        guess=replies.best_guess(parse))
    if intent == RASA_INTENT_NLU_FALLBACK:
        return replies.fallback_reply(lambda: kb, turn)
    if kb.topic_for_intent(intent):
        return replies.topic_reply(lambda: kb, turn)
    if intent == INTENT_OUT_OF_SCOPE:
        return replies.unknown_reply(kb, turn)
    if intent == INTENT_INFORM_PROFILE:  # the profile form starts; a short statement gets its advice first
        return profile_replies.statement_reply(lambda: kb, turn)
    return None


def answer_of(reply: replies.Reply | None) -> tuple[str, str] | None:
    if reply is None or reply.response != UTTER_KB_ANSWER:
        return None
    return reply.values["answer"], reply.values["source"]


def knowledge_base(folder: Path, notes: Sequence[Path]) -> KnowledgeBase:
    settings = get_settings()
    normalizer = build_normalizer(settings)
    source = folder / "knowledge"
    shutil.copytree(settings.knowledge_dir, source)
    for note in notes:
        shutil.copy(note, source / note.name)
    return build_knowledge_base(f"sqlite:///{folder / 'kb.sqlite'}", source, normalizer,
                                load_topics(settings.topics_file, normalizer))


Check = Callable[[tuple[str, str] | None], bool]


Item = tuple[str, Check, str]  # a question, what its reply must be, and what a miss prints as expected


def tally(kb: KnowledgeBase, parses: dict[str, dict[str, Any]], items: Sequence[Item], label: str,
          verbose: bool) -> int:
    """How many items get a reply (answer and source, or None) that their check accepts."""
    count = 0
    for text, check, expected in items:
        got = answer_of(reply_for(kb, text, parses[text]))
        count += check(got)
        if verbose and not check(got):
            print(f"  {label}: {text}\n    expected {expected}; got {got[1] if got else 'no answer'}")
    return count


def holds(accept: Sequence[str], section: str | None = None) -> Check:
    """An answer holding one of the `accept` fragments (and citing `section`, when given)."""
    def check(got: tuple[str, str] | None) -> bool:
        return bool(got and any(normalise(f) in normalise(got[0]) for f in accept)
                    and (section is None or normalise(f"« {section} »") in normalise(got[1])))
    return check


def no_answer(got: tuple[str, str] | None) -> bool:
    return got is None


def figures(notes: Sequence[Path], answerable: Sequence[Item], unanswerable: Sequence[str],
            labels: tuple[str, str], verbose: bool, model: Path) -> tuple[int, int, int, int]:
    """(answered, answerable, honest, unanswerable) on a knowledge base of the guide plus `notes`."""
    parses = parse_all([text for text, _, _ in answerable] + list(unanswerable), model)
    with tempfile.TemporaryDirectory() as tmp:
        kb = knowledge_base(Path(tmp), notes)
        right = tally(kb, parses, answerable, labels[0], verbose)
        honest = tally(kb, parses, [(text, no_answer, "no answer") for text in unanswerable], labels[1], verbose)
        kb.engine.dispose()
    return right, len(answerable), honest, len(unanswerable)


def note_figures(name: str, verbose: bool, model: Path = MODEL) -> tuple[int, int, int, int]:
    note, question_file = SETS[name]
    questions, unanswerable = load_questions(question_file)
    answerable = [(q["text"], holds(q["accept"], q["section"]), q["section"]) for q in questions]
    return figures([note], answerable, unanswerable, ("miss", "not honest"), verbose, model)


def guide_figures(verbose: bool, model: Path = MODEL) -> tuple[int, int, int, int]:
    raw = yaml.safe_load(GUIDE_DEV.read_text("utf-8"))
    answerable = [(q["text"], holds(q["accept"]), q["accept"][0]) for q in raw["topic_questions"]]
    out_of_scope = [q["text"] if isinstance(q, dict) else q for q in raw["out_of_scope"]]
    notes = [note for note, _ in SETS.values()]
    return figures(notes, answerable, out_of_scope, ("guide miss", "guide out of scope answered"), verbose, model)


def suggestion_figures(model: Path = MODEL) -> dict[str, int]:
    """The buttons of each "no answer" on the development notes: answerable questions left without an answer
    whose section is a button, and unanswerable questions given buttons (KB_SUGGESTION_MIN_SCORE to try)."""
    counts = dict.fromkeys(("answerable_no_answer", "section_offered", "unanswerable_no_answer", "offered",
                            "buttons"), 0)
    for note, question_file in SETS.values():
        questions, unanswerable = load_questions(question_file)
        items = [(q["text"], q["section"]) for q in questions] + [(text, None) for text in unanswerable]
        parses = parse_all([text for text, _ in items], model)
        with tempfile.TemporaryDirectory() as tmp:
            kb = knowledge_base(Path(tmp), [note])
            for text, section in items:
                reply = reply_for(kb, text, parses[text])
                if reply is None or reply.response != UTTER_NO_ANSWER:
                    continue
                titles = [button["title"] for button in reply.suggestions]
                counts["buttons"] += len(titles)
                if section is None:
                    counts["unanswerable_no_answer"] += 1
                    counts["offered"] += bool(titles)
                else:
                    counts["answerable_no_answer"] += 1
                    counts["section_offered"] += any(section.split(">")[-1].strip() == t for t in titles)
            kb.engine.dispose()
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    parser.add_argument("--model", type=Path, default=MODEL, help="the trained model (default: %(default)s)")
    parser.add_argument("--suggestions", action="store_true", help="only the buttons offered with the no answer")
    args = parser.parse_args(argv)
    if args.suggestions:
        print(suggestion_figures(args.model))
        return 0
    totals = [0, 0, 0, 0]
    for name in SETS:
        figures = note_figures(name, args.verbose, args.model)
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
        print(f"{name}: answered from the right section {figures[0]}/{figures[1]}, honest {figures[2]}/{figures[3]}")
    print(f"development notes: answered {totals[0]}/{totals[1]}, honest {totals[2]}/{totals[3]}")
    right, topic, honest, out_of_scope = guide_figures(args.verbose, args.model)
    print(f"guide development questions with every note: on topic {right}/{topic}, honest {honest}/{out_of_scope}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
