"""Times a training command and records it for `make bench`.

    .venv/bin/python -m scripts.bench_train RECORD.json -- COMMAND ...

Runs COMMAND, then writes RECORD.json: wall seconds, CPU seconds and peak resident memory of the
command (its largest process), the date, and the size and modification time of the model it names with
--record-model (so that the bench can tell whether the record belongs to the model it serves).
Exit code: the command's.
"""
from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path


def model_stamp(model: Path) -> dict[str, str | int]:
    digest = hashlib.sha256(model.read_bytes()).hexdigest()
    return {"size": model.stat().st_size, "sha256": digest}


def run_timed(command: Sequence[str], cwd: Path | None = None) -> dict:
    """Runs the command; its wall time, CPU time and peak RSS (MB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    code = subprocess.run(list(command), cwd=cwd).returncode
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "returncode": code,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_rss_mb": round(after.ru_maxrss / 1024),  # kB on Linux; the largest child
        "finished_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join(command),
        # make test trains beside other jobs (BESIDE_OTHER_JOBS=1): its wall time is not the training's alone.
        "beside_other_jobs": os.environ.get("BESIDE_OTHER_JOBS") == "1",
    }


def write_record(path: Path, record: dict, model: Path | None) -> None:
    if model is not None and model.is_file():
        record["model"] = {"path": str(model), **model_stamp(model)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n", "utf-8")


def read_record(path: Path, model: Path) -> dict | None:
    """The record of `model`'s training, if this model is the one recorded."""
    try:
        record = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("returncode") != 0 or not model.is_file():
        return None
    stamp = record.get("model") or {}
    mine = model_stamp(model)
    return record if stamp.get("sha256") == mine["sha256"] else None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    model = None
    if argv[:1] == ["--record-model"]:
        model, argv = Path(argv[1]), argv[2:]
    if len(argv) < 3 or argv[1] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    record = run_timed(argv[2:])
    if record["returncode"] == 0:
        write_record(Path(argv[0]), record, model)
        print(f"training: {record['seconds']:.0f} s wall, {record['cpu_seconds']:.0f} s CPU, "
              f"peak {record['peak_rss_mb']} MB (recorded in {argv[0]})")
    return int(record["returncode"])


if __name__ == "__main__":
    sys.exit(main())
