"""The floor of `make bench`: Rasa's own starter bot (`rasa init --no-prompt`), trained once and cached.

    .venv/bin/python -m scripts.bench_floor [--force]

`rasa init --no-prompt` (the venv's rasa, no network) creates the starter project in a temp dir and trains
it; the project, its model and the timed training record go to var/bench/floor/. Its Rasa server is plain
`python -m rasa run` with the starter project's credentials (REST) and no endpoints file: no action server
(its actions.py template is commented out), Rasa's in-memory tracker and lock stores.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from launcher.settings import LaunchSettings
from launcher.specs import ServerSpec, rasa_server
from scripts.bench_train import read_record, run_timed, write_record

ROOT = Path(__file__).resolve().parent.parent
FLOOR_DIR = ROOT / "var" / "bench" / "floor"
RASA = Path(sys.executable).parent / "rasa"


def model_path(floor: Path = FLOOR_DIR) -> Path:
    return floor / "model.tar.gz"


def record_path(floor: Path = FLOOR_DIR) -> Path:
    return floor / "train.json"


def ensure_floor(floor: Path = FLOOR_DIR, force: bool = False) -> dict:
    """The starter bot's training record; trains it first when it is not cached."""
    record = None if force else read_record(record_path(floor), model_path(floor))
    if record is not None:
        return record
    with tempfile.TemporaryDirectory(prefix="bench_floor_") as tmp:
        project = Path(tmp) / "starter"
        project.mkdir()  # rasa init wants an existing (empty) directory
        print("training Rasa's starter bot (rasa init --no-prompt), once ...", flush=True)
        record = run_timed([str(RASA), "init", "--no-prompt", "--init-dir", str(project)], cwd=Path(tmp))
        models = sorted((project / "models").glob("*.tar.gz"))
        if record["returncode"] != 0 or not models:
            raise RuntimeError(f"rasa init failed (exit code {record['returncode']})")
        shutil.rmtree(floor, ignore_errors=True)
        shutil.copytree(project, floor / "project", ignore=shutil.ignore_patterns("models", ".rasa", "__pycache__"))
        shutil.copyfile(models[-1], model_path(floor))
    write_record(record_path(floor), record, model_path(floor))
    return record


def floor_server(settings: LaunchSettings, floor: Path = FLOOR_DIR) -> ServerSpec:
    """The launcher's Rasa server spec, running plain Rasa on the starter bot's model and project."""
    spec = rasa_server(replace(settings, model=model_path(floor)))
    command = (
        sys.executable, "-m", "rasa", "run", "--model", str(model_path(floor)),
        "--interface", settings.host, "--port", str(settings.rasa_port),
        "--credentials", str(floor / "project" / "credentials.yml"),
        "--enable-api", "--auth-token", str(settings.token),
    )
    return replace(spec, command=command, cwd=str(floor / "project"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="train again even if cached")
    args = parser.parse_args(argv)
    record = ensure_floor(force=args.force)
    print(f"starter bot: {model_path()} trained in {record['seconds']:.0f} s (peak {record['peak_rss_mb']} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
