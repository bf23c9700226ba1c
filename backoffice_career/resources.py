"""The YAML resources under data/ (messages, vocabularies, rules), read by one loader.

One caching rule: a file is parsed again only when its path or modification time changes, so an edit
is seen without a restart and an unchanged file costs one stat(). The returned data is shared: do not
modify it.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from backoffice_career.settings import ROOT

DATA_DIR = ROOT / "data"

CHANNELS = DATA_DIR / "channels.yml"
INPUT_GUARD = DATA_DIR / "input_guard.yml"
PRIVACY = DATA_DIR / "privacy.yml"
FAQ = DATA_DIR / "faq.yml"
VOCABULARY = DATA_DIR / "profile" / "vocabulary.yml"
REPORT_DIR = DATA_DIR / "report"
REPORT_LABELS = REPORT_DIR / "labels.yml"


@lru_cache(maxsize=64)
def _parse(path: str, mtime_ns: int) -> Any:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_yaml(path: str | Path) -> Any:
    """The parsed content of a YAML file ({} for an empty file), cached by path and modification time."""
    path = Path(path)
    data = _parse(str(path), path.stat().st_mtime_ns)
    return {} if data is None else data


def resource(name: str) -> Any:
    """A YAML resource by its path under data/, e.g. resource("channels.yml")."""
    return load_yaml(DATA_DIR / name)
