"""Calibrates the second chance (knowledge/ranking.py) on the development sets only, never on tests/eval/.

Builds the guide and the development HR notes into a temporary knowledge base, then for each development
question ranks every passage by meaning_scores (no intent hint: the hardest case, the NLU found nothing) and
grid-searches the lexical weight and the threshold: a question is right when the best passage answers it and
clears the threshold, an unanswerable one when nothing clears it.

    .venv/bin/python -m scripts.calibrate_second_chance
"""
from __future__ import annotations

import shutil
import tempfile
import unicodedata
from pathlib import Path

import numpy as np
import yaml

from backoffice_career.knowledge import ranking
from backoffice_career.knowledge.factory import build_knowledge_base, build_normalizer
from backoffice_career.knowledge.text import load_topics, topic_weights
from backoffice_career.settings import ROOT, get_settings

DEV = ROOT / "tests" / "data"
NOTES = [DEV / "ranking_dev" / "vie-equipe-back-office.md", DEV / "hr_note.md"]
WEIGHTS = tuple((lex, hint) for lex in (0.2, 0.4, 0.6, 0.8) for hint in (0.0, 0.1, 0.2, 0.3))
THRESHOLDS = tuple(round(0.40 + 0.025 * i, 3) for i in range(21))


def simple(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("’", "'").lower()
    return " ".join(text.split())


def questions() -> list[tuple[str, list[str] | None]]:
    """(question, accepted fragments) pairs; None for a question no document answers."""
    out: list[tuple[str, list[str] | None]] = []
    guide = DEV / "dev" / "guide_dev.yml"
    if guide.exists():
        raw = yaml.safe_load(guide.read_text(encoding="utf-8"))
        out += [(q["text"], q["accept"]) for q in raw.get("topic_questions", [])]
        out += [(q["text"], None) for q in raw.get("out_of_scope", [])]
    note = DEV / "dev" / "hr_note_dev_questions.yml"
    if note.exists():
        raw = yaml.safe_load(note.read_text(encoding="utf-8"))
        out += [(q["text"], q["accept"]) for q in raw.get("questions", [])]
        out += [(q["text"], None) for q in raw.get("unanswerable", [])]
    ranking_dev = yaml.safe_load((DEV / "ranking_dev" / "dev.yml").read_text(encoding="utf-8"))
    out += [(q["q"], [q["expect"]] if q["expect"] else None) for q in ranking_dev["questions"]]
    return out


def main() -> None:
    settings = get_settings()
    normalizer = build_normalizer(settings)
    topics = load_topics(settings.topics_file, normalizer)
    folder = Path(tempfile.mkdtemp())
    try:
        source = folder / "src"
        source.mkdir()
        for path in [*sorted((ROOT / "data" / "knowledge").glob("*.txt")), *NOTES]:
            shutil.copy(path, source / path.name)
        kb = build_knowledge_base(f"sqlite:///{folder / 'kb.sqlite'}", source, normalizer, topics)
        kb.check()
        index = kb._current_index()
        rows = []
        for text, accept in questions():
            query = kb.query(text)
            vector = index.embedder.vector(query.text)
            per_weight = []
            # The topics the words suggest (cues of data/kb/topics.yml) are the hint, as when the NLU is unsure.
            wanted = topic_weights(query.terms, kb.topic_specs)
            for weight, hint in WEIGHTS:
                scores = ranking.meaning_scores(index, index.vectors, vector, query.concepts, wanted, weight, hint)
                best = int(np.argmax(scores))
                passage = simple(index.passages[best].text)
                right = accept is not None and any(simple(a) in passage for a in accept)
                per_weight.append((float(scores[best]), right))
            rows.append((accept is None, per_weight))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    answerable = sum(1 for unanswerable, _ in rows if not unanswerable)
    print(f"{len(rows)} development questions ({answerable} answerable)")
    results = []
    for w, weight in enumerate(WEIGHTS):
        for threshold in THRESHOLDS:
            right = sum(1 for un, pw in rows if not un and pw[w][1] and pw[w][0] >= threshold)
            honest = sum(1 for un, pw in rows if un and pw[w][0] < threshold)
            wrong = sum(1 for un, pw in rows if not un and not pw[w][1] and pw[w][0] >= threshold)
            results.append((right + honest - wrong, weight, threshold, right, honest, wrong))
    for score, (weight, hint), threshold, right, honest, wrong in sorted(results, reverse=True)[:10]:
        print(f"lexical {weight:.1f}  hint {hint:.1f}  threshold {threshold:.3f}  right {right}/{answerable}  "
              f"honest {honest}/{len(rows) - answerable}  wrong passage {wrong}  (score {score})")


if __name__ == "__main__":
    main()
