"""The FAQ test data."""
from __future__ import annotations

import csv

from backoffice_career.settings import ROOT


DATA = ROOT / "tests" / "data"


def read_rows(path, delimiter=";"):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))
