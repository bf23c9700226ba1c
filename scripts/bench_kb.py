"""Knowledge-base query benchmark: prints latency figures (no pass/fail)."""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from actions.knowledge.db import make_engine
from actions.knowledge.factory import build_normalizer
from actions.knowledge.ingest import build
from actions.knowledge.search import KnowledgeBase
from actions.knowledge.text import load_topics
from actions.settings import load_settings

QUESTIONS = [
    ("comment devenir gestionnaire de back office ?", "how_to_become"),
    ("faut il maitriser excel et word", "office_software"),
    ("c koi le back office", "back_office_definition"),
    ("ou suivre des cours de compta", "courses"),
    ("l'interim c'est une bonne porte d'entree ?", "temp_work_entry"),
    ("quelle formation ?", None),
    ("la PAO permet d'etre mieux paye ?", None),
]
ROUNDS = 300


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(label, fn):
    fn()  # warm-up (index load)
    times = []
    for _ in range(ROUNDS):
        for question, topic in QUESTIONS:
            start = time.perf_counter()
            fn(question, topic)
            times.append((time.perf_counter() - start) * 1000)
    print(
        f"{label:<38} n={len(times):>5}  p50={percentile(times, .5):6.3f} ms  "
        f"p95={percentile(times, .95):6.3f} ms  p99={percentile(times, .99):6.3f} ms  mean={statistics.mean(times):6.3f} ms"
    )


def main() -> None:
    settings = load_settings()
    normalizer = build_normalizer(settings)
    topics = load_topics(settings.topics_file, normalizer)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'kb.sqlite'}")
        report = build(engine, settings.knowledge_dir, normalizer, topics)
        kb = KnowledgeBase(engine, normalizer, topics, normalizer.config)
        print(f"knowledge base: {report.passages} passages (SQLite), {len(QUESTIONS)} questions x {ROUNDS} rounds")
        lemmas = {q: normalizer.lemmas(q) for q, _ in QUESTIONS}
        measure("retrieval (lemmas given)", lambda q=None, t=None: kb.search(topic=t, extra_terms=lemmas.get(q, [])))
        measure("retrieval + spaCy lemmatisation", lambda q=None, t=None: kb.search(q, topic=t))
        engine.dispose()


if __name__ == "__main__":
    main()
