"""`make bench` in a tiny mode (2 rounds of 2 conversations x 2 turns): its table and its JSON, and both bots
answered.
Timings are never checked: they are figures, not results."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from backoffice_career.settings import ROOT
from scripts.bench_report import ROWS

TINY = ["--conversations", "2", "--turns", "2", "--sequential", "2", "--rounds", "2"]
PHASE_KEYS = {"messages", "answered", "empty_replies", "errors", "not_sent", "p50_ms", "p95_ms", "messages_per_s",
              "wall_s", "rounds"}


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "latest.json"
    run = subprocess.run([sys.executable, "-m", "scripts.bench_compare", *TINY, "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run.stdout, json.loads(out.read_text("utf-8"))


def test_the_table_has_every_figure_for_ours_floor_and_the_ratio(bench):
    stdout, _ = bench
    lines = stdout.splitlines()
    start = lines.index("| figure | ours | floor | ratio | target |  |")
    rows = [line.split(" | ") for line in lines[start + 2:start + 2 + len(ROWS)]]
    assert [row[0].lstrip("| ") for row in rows] == [label for label, *_ in ROWS]
    assert all(len(row) == 6 for row in rows)
    assert "e2e" not in stdout.lower() and "NLU p95" not in stdout  # the e2e-over-NLU ratio is gone


def test_both_bots_answered_every_message(bench):
    _, figures = bench
    assert set(figures["bots"]) == {"ours", "floor"}
    assert figures["load"] == {"conversations": 2, "turns": 2, "sequential": 2, "seed": 7, "rounds": 2}
    for name, bot in figures["bots"].items():
        for phase in ("sequential", "concurrent"):
            assert set(bot[phase]) == PHASE_KEYS, name
            assert bot[phase]["messages"] == 8 and bot[phase]["errors"] == 0, (name, phase, bot[phase])  # 2 rounds
            assert len(bot[phase]["rounds"]) == 2, (name, phase, bot[phase])
            assert bot[phase]["answered"] >= 1, (name, phase, bot[phase])
        assert bot["model_load_s"] > 0
    assert figures["bots"]["ours"]["sequential"]["answered"] == 8  # this bot replies to everything


def test_each_process_is_measured(bench):
    _, figures = bench
    assert set(figures["bots"]["ours"]["peak_rss_mb"]) == {"Rasa server", "action server"}
    assert set(figures["bots"]["floor"]["peak_rss_mb"]) == {"Rasa server"}  # no action server for the floor
    assert all(mb > 0 for bot in figures["bots"].values() for mb in bot["peak_rss_mb"].values())
    floor_training = figures["bots"]["floor"]["training"]
    assert floor_training is not None and floor_training["seconds"] > 0
