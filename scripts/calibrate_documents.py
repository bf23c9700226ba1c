"""Calibrates the answers from HR documents on the development sets, in seconds, never on the test notes.

Each development question is parsed once by the trained model (models/bot.tar.gz; the parses are cached in
var/calibration/parses.json, keyed by the model's file time) and answered as the action server answers it:
`replies.topic_reply`, `unknown_reply` or `fallback_reply` on a knowledge base of the guide plus the set's note,
built into a temporary SQLite file. The figures are those of `scripts.eval_documents` over REST (same
scoring), without starting the servers. The guide's development questions (tests/data/dev/guide_dev.yml) are
answered with every development note in the knowledge base: they must keep their answers.

    .venv/bin/python -m scripts.calibrate_documents [--verbose]
    KB_DOCUMENT_MIN_MARGIN=0.15 .venv/bin/python -m scripts.calibrate_documents   # a setting to try
"""
from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from backoffice_career import replies
from backoffice_career.knowledge.base import KnowledgeBase
from backoffice_career.knowledge.factory import build_knowledge_base, build_normalizer
from backoffice_career.knowledge.text import load_topics
from backoffice_career.names import INTENT_OUT_OF_SCOPE, RASA_INTENT_NLU_FALLBACK, UTTER_KB_ANSWER
from backoffice_career.settings import ROOT, get_settings
from scripts.eval_documents import load_questions
from scripts.eval_scoring import normalise

DEV = ROOT / "tests" / "data"
# (note, its questions): development sets only; the test notes (tests/data/hr_test_note*/) are never used here.
SETS = {
    "vie-equipe": (DEV / "ranking_dev" / "vie-equipe-back-office.md", DEV / "dev" / "hr_note_dev_questions.yml"),
    "accueil": (DEV / "hr_note.md", DEV / "hr_note_dev.yml"),
    "quessaline": (DEV / "dev" / "hr_dev_note3.md", DEV / "dev" / "hr_dev_note3_questions.yml"),
}
GUIDE_DEV = DEV / "dev" / "guide_dev.yml"
MODEL = ROOT / "models" / "bot.tar.gz"
CACHE = ROOT / "var" / "calibration" / "parses.json"


def parse_all(texts: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Intent, confidence and ranking of each text by the trained model (cached per model)."""
    stamp = str(MODEL.stat().st_mtime)
    cache = json.loads(CACHE.read_text("utf-8")) if CACHE.exists() else {}
    parses = cache.get(stamp, {})
    todo = [t for t in dict.fromkeys(texts) if t not in parses]
    if todo:
        from rasa.core.agent import Agent

        agent = Agent.load(str(MODEL))

        async def parse() -> None:
            for text in todo:
                message = await agent.parse_message(text)
                parses[text] = {"intent": message["intent"]["name"], "confidence": message["intent"]["confidence"],
                                "ranking": [r["name"] for r in message.get("intent_ranking", [])]}

        asyncio.run(parse())
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_text(json.dumps({stamp: parses}, ensure_ascii=False), "utf-8")
    return parses


def reply_for(kb: KnowledgeBase, text: str, parse: dict[str, Any]) -> replies.Reply | None:
    """The reply of the action server's dispatch (actions/actions.py); None for a dialogue intent."""
    guess = next((name for name in parse["ranking"] if name != RASA_INTENT_NLU_FALLBACK), None)
    turn = replies.Turn(text=text, sender_id="calibration", intent=parse["intent"],
                        confidence=parse["confidence"], guess=guess)
    if parse["intent"] == RASA_INTENT_NLU_FALLBACK:
        return replies.fallback_reply(lambda: kb, turn)
    if kb.topic_for_intent(parse["intent"]):
        return replies.topic_reply(lambda: kb, turn)
    if parse["intent"] == INTENT_OUT_OF_SCOPE:
        return replies.unknown_reply(kb, turn)
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


def note_figures(name: str, verbose: bool) -> tuple[int, int, int, int]:
    note, question_file = SETS[name]
    questions, unanswerable = load_questions(question_file)
    parses = parse_all([q["text"] for q in questions] + unanswerable)
    with tempfile.TemporaryDirectory() as tmp:
        kb = knowledge_base(Path(tmp), [note])
        right = 0
        for q in questions:
            got = answer_of(reply_for(kb, q["text"], parses[q["text"]]))
            ok = bool(got and any(normalise(f) in normalise(got[0]) for f in q["accept"])
                      and normalise(f"« {q['section']} »") in normalise(got[1]))
            right += ok
            if verbose and not ok:
                print(f"  miss: {q['text']}\n    expected {q['section']}; got {got[1] if got else 'no answer'}")
        honest = 0
        for text in unanswerable:
            got = answer_of(reply_for(kb, text, parses[text]))
            honest += got is None
            if verbose and got:
                print(f"  not honest: {text}\n    got {got[1]}")
        kb.engine.dispose()
    return right, len(questions), honest, len(unanswerable)


def guide_figures(verbose: bool) -> tuple[int, int, int, int]:
    raw = yaml.safe_load(GUIDE_DEV.read_text("utf-8"))
    topic = [(q["text"], q["accept"]) for q in raw["topic_questions"]]
    out_of_scope = [q["text"] if isinstance(q, dict) else q for q in raw["out_of_scope"]]
    parses = parse_all([t for t, _ in topic] + out_of_scope)
    with tempfile.TemporaryDirectory() as tmp:
        kb = knowledge_base(Path(tmp), [note for note, _ in SETS.values()])
        right = 0
        for text, accept in topic:
            got = answer_of(reply_for(kb, text, parses[text]))
            ok = bool(got and any(normalise(f) in normalise(got[0]) for f in accept))
            right += ok
            if verbose and not ok:
                print(f"  guide miss: {text}\n    got {got[1] if got else 'no answer'}")
        honest = 0
        for text in out_of_scope:
            got = answer_of(reply_for(kb, text, parses[text]))
            honest += got is None
            if verbose and got:
                print(f"  guide out of scope answered: {text}\n    got {got[1]}")
        kb.engine.dispose()
    return right, len(topic), honest, len(out_of_scope)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    args = parser.parse_args(argv)
    totals = [0, 0, 0, 0]
    for name in SETS:
        figures = note_figures(name, args.verbose)
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
        print(f"{name}: answered from the right section {figures[0]}/{figures[1]}, honest {figures[2]}/{figures[3]}")
    print(f"development notes: answered {totals[0]}/{totals[1]}, honest {totals[2]}/{totals[3]}")
    right, topic, honest, out_of_scope = guide_figures(args.verbose)
    print(f"guide development questions with every note: on topic {right}/{topic}, honest {honest}/{out_of_scope}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
