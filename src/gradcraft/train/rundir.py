"""Run directories: what `gradcraft train` writes, and what `gradcraft evaluate` and
`gradcraft train --resume` read back.

    DIR/config.json        the resolved TrainConfig, the dataset's description, the results
                           (or how the run ended early: interrupted, failed)
    DIR/metrics.csv        the History, one line per finished epoch (rewritten after each)
    DIR/model.safetensors  the weights of the last finished epoch (at the end: the weights the
                           run ended with), a checkpoint of the run: its companion file
                           model.<save id>.state.safetensors holds the optimizer state, and its
                           metadata the training state and how to rebuild the model (the config,
                           the dataset, the standardisation statistics)
    DIR/curves.png         loss and accuracy per epoch, train vs validation

A run directory is created fresh for every run: `new_run_dir()` makes runs/<YYYYmmdd-HHMMSS>/
(runs/<stamp>-1/, -2/, ... when several runs start in the same second, also concurrently).
"""

from __future__ import annotations

import contextlib
import datetime
import json
from pathlib import Path

from .. import serialization

__all__ = ["RUN_FILES", "MODEL_FILE", "RUN_METADATA_KEY", "new_run_dir", "check_run_dir",
           "read_record", "write_record", "remove_model"]

MODEL_FILE = "model.safetensors"
RUN_FILES = ("config.json", "metrics.csv", MODEL_FILE, "curves.png")
RUN_METADATA_KEY = "gradcraft_run"  # the model file's metadata key of the run's description


def _timestamp() -> str:
    return datetime.datetime.now().strftime("%Y%m%d-%H%M%S")


def new_run_dir(out=None) -> Path:
    """Create (if needed) and return `out`, or a new runs/<YYYYmmdd-HHMMSS>/ directory.

    The default directory is claimed by `mkdir` itself (it fails if the name exists), never by
    a check before it: of two runs starting in the same second, one gets <stamp>/ and the other
    <stamp>-1/, even when they race.
    """
    if out is not None:
        path = Path(out)
        if path.exists() and not path.is_dir():
            raise ValueError(f"{out} exists and is not a directory")
        path.mkdir(parents=True, exist_ok=True)
        return path
    stamp = _timestamp()
    root = Path("runs")
    root.mkdir(parents=True, exist_ok=True)
    for n in range(10_000):
        path = root / (stamp if n == 0 else f"{stamp}-{n}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"{root}: runs/{stamp}-1 ... -9999 all exist; clean up old runs")


def check_run_dir(run_dir) -> Path:
    """`run_dir` as a Path, if it is a directory (ValueError naming what it is otherwise)."""
    run_dir = Path(run_dir)
    if not run_dir.exists():
        raise ValueError(f"run directory not found: {run_dir}")
    if not run_dir.is_dir():
        raise ValueError(f"{run_dir} is a file, not a run directory (written by gradcraft train --out)")
    return run_dir


def read_record(run_dir: Path) -> dict:
    """The parsed DIR/config.json (ValueError if it is missing or not a run record)."""
    path = run_dir / "config.json"
    try:
        record = json.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"{run_dir} is not a gradcraft run: missing config.json (written by "
                         "`gradcraft train --out DIR`)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path} is not a gradcraft run config: {error}") from None
    if not isinstance(record, dict) or not isinstance(record.get("config"), dict):
        raise ValueError(f"{path} is not a gradcraft run config (no 'config' table)")
    return record


def write_record(run_dir: Path, record: dict) -> None:
    serialization.write_atomically(run_dir / "config.json", json.dumps(record, indent=2) + "\n",
                                   who="gradcraft train")


def remove_model(run_dir: Path) -> None:
    """Delete DIR/model.safetensors and its companion (companion last: never a dangling name)."""
    model = run_dir / MODEL_FILE
    companion = serialization.companion_path(model)
    model.unlink(missing_ok=True)
    if companion is not None:
        with contextlib.suppress(OSError):
            companion.unlink(missing_ok=True)
