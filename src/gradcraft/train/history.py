"""`History`: what `fit` measured, one record per epoch.

Columns: epoch (1-based), train_loss, train_acc, val_loss, val_acc, lr (the learning rate used
during the epoch, of the first parameter group), seconds (wall time of the epoch, validation
included). A value that was not measured (no validation data; no accuracy for a loss that is
not a classifier's) is None in memory and an empty cell in CSV.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from ..serialization import write_atomically
from ..validation import check_choice
from .wording import plural

__all__ = ["History", "COLUMNS", "MONITORS"]

COLUMNS = ("epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "seconds")
#: the columns a callback can monitor (best value, improvement)
MONITORS = ("train_loss", "train_acc", "val_loss", "val_acc")


class History:
    """Per-epoch records: `history.val_loss` is the list of that column, `history[-1]` the last
    epoch's dict, `len(history)` the number of epochs recorded."""

    def __init__(self, records=()):
        self.records: list[dict] = []
        for record in records:
            self.append(record)

    def append(self, record: dict) -> None:
        unknown = set(record) - set(COLUMNS)
        if unknown:
            raise ValueError(f"History.append: unknown column(s) {sorted(unknown)}; columns are {COLUMNS}")
        if "epoch" not in record:
            raise ValueError("History.append: a record needs its 'epoch'")
        self.records.append({column: _plain(record.get(column)) for column in COLUMNS})

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index) -> dict:
        return self.records[index]

    def __iter__(self):
        return iter(self.records)

    def column(self, name: str) -> list:
        if name not in COLUMNS:
            raise KeyError(f"History has no column {name!r}; columns are {COLUMNS}")
        return [record[name] for record in self.records]

    def __getattr__(self, name):  # history.train_loss, history.val_acc, ...
        if name in COLUMNS:
            return self.column(name)
        raise AttributeError(f"'History' object has no attribute {name!r}")

    def best(self, monitor: str = "val_loss", mode: str = "auto") -> dict | None:
        """The record with the best `monitor` value (lowest loss / highest accuracy), or None."""
        larger_is_better = resolve_mode(monitor, mode) == "max"
        scored = [r for r in self.records if r[monitor] is not None]
        if not scored:
            return None
        pick = max if larger_is_better else min
        return pick(scored, key=lambda r: r[monitor])

    # ------------------------------------------------------------------ files
    def to_dict(self) -> dict:
        """{'records': [...]}: JSON-able (checkpoints keep the history this way)."""
        return {"records": [dict(r) for r in self.records]}

    @classmethod
    def from_dict(cls, state: dict) -> History:
        return cls(state.get("records", ()))

    def to_csv(self, path) -> None:
        """One header line (the columns), then one line per epoch; missing values are empty.
        The file is replaced atomically (an error leaves the previous file as it was)."""
        text = io.StringIO(newline="")
        writer = csv.writer(text)
        writer.writerow(COLUMNS)
        for record in self.records:
            writer.writerow(["" if record[c] is None else _format(record[c]) for c in COLUMNS])
        write_atomically(path, text.getvalue(), who="History.to_csv")

    @classmethod
    def from_csv(cls, path) -> History:
        with open(Path(path), newline="") as file:
            rows = list(csv.DictReader(file))
        records = []
        for row in rows:
            record = {c: (None if row.get(c) in (None, "") else float(row[c])) for c in COLUMNS}
            record["epoch"] = int(record["epoch"])
            records.append(record)
        return cls(records)

    def __repr__(self) -> str:
        if not self.records:
            return "History(0 epochs)"
        last = ", ".join(f"{k}={_format(v)}" for k, v in self.records[-1].items()
                         if v is not None and k != "epoch")
        return f"History({plural(len(self), 'epoch')}; last: {last})"


def resolve_mode(monitor: str, mode: str) -> str:
    """'min' or 'max' for a monitored column; 'auto': accuracies are maximised, the rest minimised."""
    check_choice(monitor, "monitor", MONITORS)
    check_choice(mode, "mode", ("auto", "min", "max"))
    if mode == "auto":
        return "max" if monitor.endswith("acc") else "min"
    return mode


def _plain(value):
    """NumPy scalars as Python numbers (JSON-able); None stays None."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    return value


def _format(value) -> str:
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    return str(value)
