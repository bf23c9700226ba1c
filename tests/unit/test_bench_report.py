"""The table of `make bench` (scripts/bench_report.py) on fixed figures: ratios, targets, missing figures."""
from __future__ import annotations

import pytest

from scripts.bench_report import ROWS, print_table, table_rows

pytestmark = pytest.mark.unit


def bot(p95: float, rate: float, load: float, rasa_mb: int, actions_mb: int | None, training: float | None) -> dict:
    phase = {"p50_ms": p95 / 2, "p95_ms": p95, "messages_per_s": rate, "errors": 0, "empty_replies": 0}
    rss = {"Rasa server": rasa_mb} | ({"action server": actions_mb} if actions_mb else {})
    return {"sequential": phase, "concurrent": phase, "model_load_s": load, "peak_rss_mb": rss,
            "training": None if training is None else {"seconds": training, "cpu_seconds": training,
                                                       "peak_rss_mb": 1000}}


RESULT = {
    "date": "2026-11-30T21:00:00+00:00", "machine": {"nproc": "2", "cpu": "test CPU", "load": "0.1 0.1 0.1"},
    "load": {"conversations": 20, "turns": 10, "sequential": 10, "seed": 7},
    "bots": {"ours": bot(30, 36, 60, 1300, 300, 170), "floor": bot(40, 30, 40, 1100, None, 86)},
}


def test_ratios_and_targets():
    rows = {row[0]: row for row in table_rows(RESULT)}
    assert rows["sequential p95 (ms)"][1:] == ("30", "40", "0.75", "<= 1 x floor", "met")
    assert rows["concurrent messages per second"][3:] == ("1.20", ">= 1.2 x floor", "met")
    assert rows["model load (s)"][3:] == ("1.50", "<= 1 x floor", "NOT MET")
    assert rows["Rasa server peak RSS (MB)"][1:] == ("1,300", "1,100", "1.18", "<= 1.2 x floor", "met")
    assert rows["action server peak RSS (MB)"][1:] == ("300", "—", "", "<= 350 MB", "met")
    assert rows["training, wall (s)"][3:] == ("1.98", "<= 2 x floor", "met")


def test_a_missing_training_record_is_shown_not_judged():
    result = {**RESULT, "bots": {**RESULT["bots"], "ours": bot(30, 36, 60, 1300, 300, None)}}
    rows = {row[0]: row for row in table_rows(result)}
    assert rows["training, wall (s)"][1:] == ("—", "86", "", "<= 2 x floor", "")


def test_the_printed_table(capsys):
    print_table(RESULT)
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("| figure | ours | floor | ratio | target |  |")
    assert len(lines[start + 2:]) == len(ROWS)
    assert lines[1].startswith("## make bench, 2026-11-30T21:00:00+00:00; nproc 2; CPU test CPU")


def test_a_training_timed_beside_other_jobs_is_said_under_the_table(capsys):
    shared = bot(40, 30, 40, 1100, None, 86)
    shared["training"]["beside_other_jobs"] = True
    print_table({**RESULT, "bots": {**RESULT["bots"], "floor": shared}})
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("| figure | ours | floor | ratio | target |  |")
    note = [line for line in lines[start + 2 + len(ROWS):] if line]
    assert len(note) == 1 and note[0].startswith("training of floor timed beside other jobs (make test)")
    assert "compare the CPU times" in note[0]


def test_the_training_record_says_whether_other_jobs_ran_beside_it(monkeypatch):
    from scripts.bench_train import run_timed

    monkeypatch.setenv("BESIDE_OTHER_JOBS", "1")
    assert run_timed(["true"])["beside_other_jobs"] is True
    monkeypatch.delenv("BESIDE_OTHER_JOBS")
    assert run_timed(["true"])["beside_other_jobs"] is False


def test_rounds_are_pooled_for_latency_and_the_median_round_gives_the_rate():
    from scripts.bench_load import Phase, Result
    from scripts.bench_report import phase_summary

    def phase(latencies: list[float], wall: float, outcome: str = "ok") -> Phase:
        return Phase("sequential", results=[Result(kind="greeting", latency_ms=v, outcome=outcome) for v in latencies],
                     wall_seconds=wall)

    rounds = [phase([10.0] * 10, 1.0), phase([20.0] * 10, 2.0), phase([30.0] * 9, 4.0)]
    rounds[2].results.append(Result(kind="greeting", latency_ms=900.0, outcome="timeout"))
    figures = phase_summary(rounds)
    assert figures["messages"] == 30 and figures["answered"] == 29 and figures["errors"] == 1
    assert figures["p50_ms"] == 20.0  # pooled: 10 x 10 ms, 10 x 20 ms, 9 x 30 ms (the timeout left out)
    assert figures["messages_per_s"] == 5.0  # rounds at 10, 5 and 2.25 messages per second: the median
    assert [r["messages_per_s"] for r in figures["rounds"]] == [10.0, 5.0, 2.25]
    assert figures["wall_s"] == 7.0


def test_the_spread_of_the_rounds_is_printed_under_the_table(capsys):
    ours, floor = bot(30, 36, 60, 1300, 300, 170), bot(40, 30, 40, 1100, None, 86)
    for one, p95s in ((ours, (29, 31)), (floor, (38, 42))):
        for name in ("sequential", "concurrent"):
            one[name] = {**one[name], "rounds": [{"p95_ms": v, "messages_per_s": v / 2} for v in p95s]}
    print_table({**RESULT, "bots": {"ours": ours, "floor": floor}})
    out = capsys.readouterr().out
    assert "sequential p95_ms by round (ms): ours 29, 31; floor 38, 42" in out
    assert "concurrent messages_per_s by round (msg/s): ours 14.5, 15.5; floor 19, 21" in out
