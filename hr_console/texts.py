"""The console's French texts (data/hr_console.yml)."""
from __future__ import annotations

from typing import Any

from backoffice_career.resources import DATA_DIR, load_yaml

TEXTS = DATA_DIR / "hr_console.yml"


def texts() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(TEXTS)
    return data
