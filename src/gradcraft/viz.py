"""Figures (matplotlib, without pyplot's global state: safe in scripts, tests and servers).

- `plot_history(history, path=None)`: learning curves, loss and accuracy, train vs validation.

Figures are `matplotlib.figure.Figure` objects drawn with the Agg backend; pass `path` to write
a PNG (or any format matplotlib knows from the suffix), atomically, or display the returned
figure yourself.
"""

from __future__ import annotations

import io
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .serialization import write_atomically

__all__ = ["plot_history"]

_TRAIN_STYLE = dict(color="tab:blue", marker="o", markersize=3, label="train")
_VAL_STYLE = dict(color="tab:orange", marker="o", markersize=3, label="validation")


def _series(history, column: str):
    """(epochs, values) of one History column, skipping epochs without a value."""
    points = [(r["epoch"], r[column]) for r in history if r[column] is not None]
    return [p[0] for p in points], [p[1] for p in points]


def plot_history(history, path=None, title: str | None = None) -> Figure:
    """Two panels side by side: loss per epoch and accuracy per epoch, train vs validation.

    `history`: a `gradcraft.train.History` (or any iterable of its records). Columns without
    values (no validation data, no accuracy) are left out; a panel with nothing to show says so.
    """
    records = list(history)
    if not records:
        raise ValueError("plot_history: the history is empty (no epoch was recorded)")
    figure = Figure(figsize=(10, 4), layout="constrained")
    FigureCanvasAgg(figure)
    for axes, kind, label in zip(figure.subplots(1, 2), ("loss", "acc"), ("loss", "accuracy")):
        shown = False
        for split, style in (("train", _TRAIN_STYLE), ("val", _VAL_STYLE)):
            epochs, values = _series(records, f"{split}_{kind}")
            if values:
                if kind == "acc":
                    values = [100 * v for v in values]
                axes.plot(epochs, values, **style)
                shown = True
        axes.set_xlabel("epoch")
        axes.set_ylabel(label if kind == "loss" else "accuracy (%)")
        axes.set_title(label)
        axes.grid(True, alpha=0.3)
        if shown:
            axes.legend()
            if kind == "loss" and all(v > 0 for r in records for k in ("train_loss", "val_loss")
                                      if (v := r[k]) is not None):
                axes.set_yscale("log")
        else:
            axes.text(0.5, 0.5, f"no {label} recorded", ha="center", va="center",
                      transform=axes.transAxes)
        axes.xaxis.get_major_locator().set_params(integer=True)
    if title:
        figure.suptitle(title)
    if path is not None:
        path = Path(path)
        if not path.parent.is_dir():
            raise FileNotFoundError(f"plot_history: directory {path.parent} does not exist (for {path})")
        image = io.BytesIO()
        # the format from the suffix (matplotlib's default, PNG, without one), written at once
        figure.savefig(image, dpi=100, format=path.suffix.lstrip(".") or None)
        write_atomically(path, image.getvalue(), who="plot_history")
    return figure
