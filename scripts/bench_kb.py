"""Knowledge-base query benchmark: prints latency figures (no pass/fail).

    .venv/bin/python -m scripts.bench_kb [--sizes 10000 100000] [--rounds 300] [--large-rounds 40] [--profile]

1. The real source text (data/knowledge/), built by build() as the bot uses it.
2. For each size: the guide plus a generated corpus of plausible French passages (scripts/bench_corpus.py),
   stored as build() stores them, then queried through the BM25 index (bm25s) of KnowledgeBase.

Targets (p95 of a query, spaCy lemmatisation included): < 5 ms on the source text and at 10,000
passages, < 30 ms at 100,000. Also printed: the time to load the index of a new revision (after a build).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from backoffice_career.knowledge.base import KnowledgeBase
from backoffice_career.knowledge.db import make_engine
from backoffice_career.knowledge.factory import build_normalizer
from backoffice_career.knowledge.ingest import build
from backoffice_career.knowledge.text import Normalizer, load_topics
from backoffice_career.settings import load_settings
from scripts.bench_corpus import source_sentences, store_corpus

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
LARGE_ROUNDS = 40
SOURCE_TARGET_MS = 5.0
TARGETS_MS = {10_000: 5.0, 100_000: 30.0}


def target_for(size: int) -> float:
    """The target of the nearest size at or above `size` (the largest one beyond)."""
    return next((TARGETS_MS[s] for s in sorted(TARGETS_MS) if size <= s), max(TARGETS_MS.values()))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(label: str, fn: Callable[..., object], rounds: int, target_ms: float | None = None) -> float:
    fn()  # warm-up (index load)
    times = []
    for _ in range(rounds):
        for question, topic in QUESTIONS:
            start = time.perf_counter()
            fn(question, topic)
            times.append((time.perf_counter() - start) * 1000)
    p95 = percentile(times, .95)
    verdict = "" if target_ms is None else f"  target p95 < {target_ms:g} ms: {'met' if p95 < target_ms else 'MISSED'}"
    print(
        f"{label:<38} n={len(times):>5}  p50={percentile(times, .5):7.3f} ms  "
        f"p95={p95:7.3f} ms  p99={percentile(times, .99):7.3f} ms  mean={statistics.mean(times):7.3f} ms{verdict}"
    )
    return p95


def run_queries(kb: KnowledgeBase, normalizer: Normalizer, rounds: int, target_ms: float) -> dict[str, float]:
    lemmas = {q: normalizer.lemmas(q) for q, _ in QUESTIONS}
    results = {
        "retrieval": measure("retrieval (lemmas given)",
                             lambda q=None, t=None: kb.search(topic=t, lemmas=lemmas.get(q, [])), rounds),
        "full": measure("retrieval + spaCy lemmatisation", lambda q=None, t=None: kb.search(q, topic=t), rounds,
                        target_ms),
        "extra": measure("extra_answer (no topic, HR path)",
                         lambda q=None, t=None: kb.extra_answer(q or QUESTIONS[0][0], 2.0, 0.5), rounds),
    }
    return results


def profile_queries(kb: KnowledgeBase, rounds: int = 5) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        for question, topic in QUESTIONS:
            kb.search(question, topic=topic)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    print(f"\ncProfile of {rounds * len(QUESTIONS)} searches on the large corpus (sorted by own time):")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:4000])


def bench_size(tmp: Path, size: int, args: argparse.Namespace, normalizer: Normalizer, topics: list) -> tuple:
    settings = load_settings()
    engine = make_engine(f"sqlite:///{tmp / f'kb-{size}.sqlite'}")
    build(engine, settings.knowledge_dir, normalizer, topics, settings.advice_dir)
    start = time.perf_counter()
    tagged = store_corpus(engine, normalizer, topics, source_sentences(settings.knowledge_dir), size)
    stored = time.perf_counter() - start
    kb = KnowledgeBase(engine, normalizer, topics, normalizer.config)
    start = time.perf_counter()
    passages = kb.check()  # first query: loads the index (again after each revision: a build, an HR answer)
    loaded = time.perf_counter() - start
    index = kb._current_index()
    print(f"\n== {passages} passages ({size} generated, {tagged} tagged with a topic, {index.vocabulary_size} "
          f"distinct lemmas), generated and stored in {stored:.0f} s, index loaded in {loaded * 1000:.0f} ms; "
          f"{len(QUESTIONS)} questions x {args.large_rounds} rounds")
    results = run_queries(kb, normalizer, args.large_rounds, target_for(size))
    if args.profile:
        profile_queries(kb)
    engine.dispose()
    return passages, results, loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=sorted(TARGETS_MS), help="generated passages")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="rounds of the questions, source text")
    parser.add_argument("--large-rounds", type=int, default=LARGE_ROUNDS, help="rounds, generated corpora")
    parser.add_argument("--profile", action="store_true", help="cProfile the searches on the generated corpora")
    args = parser.parse_args()

    settings = load_settings()
    normalizer = build_normalizer(settings)
    topics = load_topics(settings.topics_file, normalizer)
    summary = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'kb.sqlite'}")
        report = build(engine, settings.knowledge_dir, normalizer, topics, settings.advice_dir)
        kb = KnowledgeBase(engine, normalizer, topics, normalizer.config)
        print(f"== source text: {report.passages} passages (SQLite), {len(QUESTIONS)} questions x {args.rounds} rounds")
        summary.append((report.passages, run_queries(kb, normalizer, args.rounds, SOURCE_TARGET_MS), None,
                        SOURCE_TARGET_MS))
        engine.dispose()
        for size in args.sizes:
            passages, results, loaded = bench_size(Path(tmp), size, args, normalizer, topics)
            summary.append((passages, results, loaded, target_for(size)))

    print("\n== summary: p95 of a knowledge-base query (spaCy lemmatisation + BM25 retrieval)")
    for passages, results, loaded, target in summary:
        load = f"; index load {loaded * 1000:.0f} ms" if loaded is not None else ""
        print(f"{passages:>7} passages: p95 {results['full']:.2f} ms (retrieval alone {results['retrieval']:.2f} ms; "
              f"extra_answer {results['extra']:.2f} ms{load}); target < {target:g} ms: "
              f"{'met' if results['full'] < target else 'MISSED'}")


if __name__ == "__main__":
    main()
