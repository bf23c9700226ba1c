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
