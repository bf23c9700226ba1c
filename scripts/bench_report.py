"""The figures of `make bench` (scripts/bench_compare.py): one bot's summary, and the table ours vs floor."""
from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence

from scripts.bench_load import Phase, percentiles, rate

# Transport-level failures; an empty reply (HTTP 200, no message) is counted apart.
NOT_ERRORS = ("ok", "empty_reply")


def phase_summary(rounds: Sequence[Phase]) -> dict:
    """One phase over its rounds: latencies pooled, messages per second of the median round, counts summed."""
    results = [r for phase in rounds for r in phase.results]
    answered = [r.latency_ms for r in results if r.outcome in NOT_ERRORS]
    p50, p95, _ = percentiles(answered)
    rates = [rate(sum(r.outcome in NOT_ERRORS for r in phase.results), phase.wall_seconds) for phase in rounds]
    return {
        "messages": len(results), "answered": sum(len(phase.ok) for phase in rounds),
        "empty_replies": sum(r.outcome == "empty_reply" for r in results),
        "errors": sum(r.outcome not in NOT_ERRORS for r in results),
        "not_sent": sum(phase.not_sent for phase in rounds), "p50_ms": round(p50, 1), "p95_ms": round(p95, 1),
        "messages_per_s": round(statistics.median(rates), 2) if rates else 0.0,
        "wall_s": round(sum(phase.wall_seconds for phase in rounds), 1),
        "rounds": [{"p95_ms": round(percentiles([r.latency_ms for r in phase.results
                                                  if r.outcome in NOT_ERRORS])[1], 1),
                    "messages_per_s": round(value, 2)} for phase, value in zip(rounds, rates, strict=True)],
    }


def summary(rounds: Sequence[Mapping[str, Phase]], load_seconds: float,
            memory: Mapping[str, tuple[int, int, int]]) -> dict:
    """One bot's figures from its rounds (phase name -> Phase); memory: server name -> (main kB, children kB,
    children) from MemoryWatch."""
    names = list(rounds[0]) if rounds else []
    return {
        **{name: phase_summary([phases[name] for phases in rounds]) for name in names},
        "model_load_s": round(load_seconds, 1),
        "peak_rss_mb": {name: round((main + children) / 1024) for name, (main, children, _) in memory.items()},
    }


def _get(bot: Mapping | None, path: str) -> float | None:
    value: object = bot
    for key in path.split("."):
        if not isinstance(value, Mapping) or value.get(key) is None:
            return None
        value = value[key]
    return float(value) if isinstance(value, (int, float)) else None


# label, figure, target on (ours, floor) or None
Check = Callable[[float, float | None], bool]
ROWS: list[tuple[str, str, str, Check | None]] = [
    ("sequential p50 (ms)", "sequential.p50_ms", "", None),
    ("sequential p95 (ms)", "sequential.p95_ms", "<= 1 x floor", lambda o, f: f is not None and o <= f),
    ("concurrent p50 (ms)", "concurrent.p50_ms", "", None),
    ("concurrent p95 (ms)", "concurrent.p95_ms", "", None),
    ("concurrent messages per second", "concurrent.messages_per_s", ">= 1.2 x floor",
     lambda o, f: f is not None and o >= 1.2 * f),
    ("concurrent errors", "concurrent.errors", "0", lambda o, f: o == 0),
    ("concurrent empty replies", "concurrent.empty_replies", "", None),
    ("model load (s)", "model_load_s", "<= 1 x floor", lambda o, f: f is not None and o <= f),
    ("Rasa server peak RSS (MB)", "peak_rss_mb.Rasa server", "<= 1.2 x floor",
     lambda o, f: f is not None and o <= 1.2 * f),
    ("action server peak RSS (MB)", "peak_rss_mb.action server", "<= 350 MB", lambda o, f: o <= 350),
    ("training, wall (s)", "training.seconds", "<= 2 x floor", lambda o, f: f is not None and o <= 2 * f),
    ("training, CPU (s)", "training.cpu_seconds", "", None),
    ("training peak RSS (MB)", "training.peak_rss_mb", "", None),
]


def _fmt(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "—"
    return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.1f}"


def table_rows(result: Mapping) -> list[tuple[str, str, str, str, str, str]]:
    """(figure, ours, floor, ratio, target, met) for each row."""
    ours, floor = result["bots"].get("ours"), result["bots"].get("floor")
    rows = []
    for label, path, target, check in ROWS:
        mine, theirs = _get(ours, path), _get(floor, path)
        ratio = f"{mine / theirs:.2f}" if mine is not None and theirs else ""
        met = "" if check is None or mine is None else ("met" if check(mine, theirs) else "NOT MET")
        rows.append((label, _fmt(mine), _fmt(theirs), ratio, target, met))
    return rows


def print_table(result: Mapping) -> None:
    host, load = result["machine"], result["load"]
    print(f"\n## make bench, {result['date']}; nproc {host['nproc']}; CPU {host['cpu']}; load average {host['load']}")
    print(f"{load.get('rounds', 1)} rounds of {load['sequential']} conversations one at a time, then "
          f"{load['conversations']} at once, {load['turns']} turns each, the bots alternating; latencies pooled "
          "over the rounds, messages per second of the median round; floor: Rasa's starter bot (rasa init)\n")
    header = ("figure", "ours", "floor", "ratio", "target", "")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in table_rows(result):
        print("| " + " | ".join(row) + " |")
    if any((bot.get("sequential") or {}).get("rounds") for bot in result["bots"].values()):
        print()
        for phase, figure, unit in (("sequential", "p95_ms", "ms"), ("concurrent", "messages_per_s", "msg/s")):
            spread = "; ".join(
                f"{name} " + ", ".join(_fmt(r[figure]) for r in (bot.get(phase) or {}).get("rounds", []))
                for name, bot in result["bots"].items())
            print(f"{phase} {figure} by round ({unit}): {spread}")
    shared = [name for name, bot in result["bots"].items() if (bot.get("training") or {}).get("beside_other_jobs")]
    if shared:
        print(f"\ntraining of {' and '.join(shared)} timed beside other jobs (make test): its wall time is longer "
              "than alone; compare the CPU times, or train again alone (make clean, then make model; .venv/bin/"
              "python -m scripts.bench_floor --force)")
