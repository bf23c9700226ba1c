"""The FAQ test data and a run of the FAQ batch command."""
from __future__ import annotations

import csv
import os
import subprocess
import sys

from backoffice_career.settings import ROOT

DATA = ROOT / "tests" / "data"
MODEL = ROOT / "models" / "bot.tar.gz"


def read_rows(path, delimiter=";"):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def run_faq(source, output, kb_url, *extra):
    """`python -m hr.faq SOURCE OUTPUT` against the knowledge base at kb_url."""
    env = dict(os.environ, KB_DATABASE_URL=kb_url, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run(
        [sys.executable, "-m", "hr.faq", str(source), str(output), *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
