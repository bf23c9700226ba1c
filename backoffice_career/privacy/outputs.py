"""Generated files that hold users' words (HR reports, queue exports): dated names, one folder, deletion.

Each file is written to EXPORTS_DIR as `<kind>-<UTC date and time>.<suffix>`. The date in the name tells
erasure which files may hold a user's words (those written since the user's first message) and the
retention purge which ones are too old.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from backoffice_career.knowledge.db import utcnow

STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
DATED_NAME = re.compile(r"^[a-z][a-z0-9-]*-(\d{8}T\d{12}Z)\.[a-z]+$")
# OWASP CSV injection: a cell starting with one of these is read as a formula by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def dated_path(directory: Path, kind: str, suffix: str, now: datetime | None = None) -> Path:
    """A new file name in `directory`: `<kind>-<date>.<suffix>` (naive UTC `now`)."""
    stamp = (now or utcnow()).strftime(STAMP_FORMAT)
    return Path(directory) / f"{kind}-{stamp}.{suffix}"


def file_date(path: Path) -> datetime | None:
    """The date in a generated file's name; None for any other file."""
    match = DATED_NAME.match(path.name)
    return datetime.strptime(match.group(1), STAMP_FORMAT) if match else None


def generated_files(directory: Path) -> Iterator[tuple[Path, datetime]]:
    if not Path(directory).is_dir():
        return
    for path in sorted(Path(directory).iterdir()):
        date = file_date(path)
        if date is not None and path.is_file():
            yield path, date


def delete_generated(directory: Path, since: datetime | None = None, before: datetime | None = None) -> int:
    """Deletes the generated files dated at or after `since` or before `before`; returns how many."""
    deleted = 0
    for path, date in generated_files(directory):
        if (since is not None and date >= since) or (before is not None and date < before):
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


def safe_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula: a leading `'` before =, +, -, @, tab or CR."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv_rows(handle: TextIO, rows: Iterable[Iterable[Any]], delimiter: str = ",") -> None:
    """Writes rows with every cell neutralised (safe_cell)."""
    writer = csv.writer(handle, delimiter=delimiter)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
