"""Figures (matplotlib, without pyplot's global state: safe in scripts, tests and servers).

- `plot_history(history, path=None)`: learning curves, loss and accuracy, train vs validation.
- `plot_embedding(Y, labels=None, path=None)`: a 2-D embedding (t-SNE, PCA) coloured by label.
- `plot_decision_regions(model, X, y, path=None)`: the regions a fitted 2-D classifier predicts,
  with the points on top.

Figures are `matplotlib.figure.Figure` objects drawn with the Agg backend; pass `path` to write
a PNG (or any format matplotlib knows from the suffix), atomically, or display the returned
figure yourself.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .serialization import write_atomically
from .validation import check_int, describe

__all__ = ["plot_history", "plot_embedding", "plot_decision_regions"]

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


# --- embeddings and decision regions ---------------------------------------------------------

# Up to this many classes get one colour each (tab10, then tab20) and a legend; more are shown
# on a continuous colour map with a colorbar.
_MAX_LEGEND_CLASSES = 20
_REGION_ALPHA = 0.3  # the filled regions are pale so the points stay visible on them


def plot_embedding(Y, labels=None, path=None, title: str | None = None) -> Figure:
    """A scatter plot of the 2-D embedding `Y` (n, 2), e.g. `TSNE().fit_transform(X)`.

    `labels` (n,), optional: with up to 20 distinct labels each class has its own colour and a
    legend entry (one scatter collection per class, in sorted label order); with more, one
    collection coloured on the viridis map with a colorbar (numeric labels by value, others by
    their index in sorted order). Without labels, one colour.
    """
    who = "plot_embedding"
    points = _points(Y, "Y", who)
    labels = None if labels is None else _labels(labels, "labels", len(points), "Y", who)
    _check_directory(path, who)
    figure, axes = _figure()
    if labels is None:
        axes.scatter(points[:, 0], points[:, 1], s=12, color="tab:blue")
    else:
        classes, codes = np.unique(labels, return_inverse=True)
        if len(classes) <= _MAX_LEGEND_CLASSES:
            colours = _class_colours(len(classes))
            for code, name in enumerate(classes):
                chosen = codes == code
                axes.scatter(points[chosen, 0], points[chosen, 1], s=12, color=colours[code],
                             label=str(name))
            axes.legend(title="label", fontsize="small", markerscale=1.5)
        else:
            values = labels if np.issubdtype(labels.dtype, np.number) else codes
            drawn = axes.scatter(points[:, 0], points[:, 1], s=12, c=values, cmap="viridis")
            figure.colorbar(drawn, ax=axes, label="label" if values is labels else "label index")
    axes.set_xlabel("dimension 1")
    axes.set_ylabel("dimension 2")
    return _finish(figure, axes, title, path, who)


def plot_decision_regions(model, X, y, path=None, resolution: int = 200,
                          title: str | None = None) -> Figure:
    """The regions a fitted classifier of two features predicts, with the points (X, y) on top.

    `model.predict` is called once on a `resolution` x `resolution` grid covering X with a
    margin of 10% of its range on each side; the predicted classes are filled contours (pale),
    the points are coloured by their label in the same colours (a legend up to 20 classes). The
    classes are the sorted union of y and the predictions.
    """
    who = "plot_decision_regions"
    if not callable(getattr(model, "predict", None)):
        raise TypeError(f"{who}: model must be a fitted classifier with a predict method, got "
                        f"{describe(model)}")
    points = _points(X, "X", who, what="features")
    labels = _labels(y, "y", len(points), "X", who)
    resolution = check_int(resolution, "resolution", low=2)
    _check_directory(path, who)
    low, high = points.min(axis=0), points.max(axis=0)
    margin = 0.1 * np.where(high > low, high - low, 1.0)  # one point (or a line): a unit box
    grid_x, grid_y = np.meshgrid(np.linspace(low[0] - margin[0], high[0] + margin[0], resolution),
                                 np.linspace(low[1] - margin[1], high[1] + margin[1], resolution))
    predicted = np.asarray(model.predict(np.column_stack([grid_x.ravel(), grid_y.ravel()])))
    if predicted.shape != (resolution * resolution,):
        raise ValueError(f"{who}: model.predict on {resolution * resolution} grid points returned "
                         f"shape {predicted.shape}; a classifier returns one label per point")
    classes = np.unique(np.concatenate([labels, predicted]))
    colours = _class_colours(len(classes))
    region_codes = np.searchsorted(classes, predicted).reshape(grid_x.shape)
    figure, axes = _figure()
    # class k fills the band (k - 1/2, k + 1/2) of the codes: exactly the cells predicted k
    axes.contourf(grid_x, grid_y, region_codes, levels=np.arange(len(classes) + 1) - 0.5,
                  colors=colours, alpha=_REGION_ALPHA)
    point_codes = np.searchsorted(classes, labels)
    for code, name in enumerate(classes):
        chosen = point_codes == code
        if chosen.any():
            axes.scatter(points[chosen, 0], points[chosen, 1], s=16, color=colours[code],
                         edgecolors="black", linewidths=0.4, label=str(name))
    if len(classes) <= _MAX_LEGEND_CLASSES:
        axes.legend(title="class", fontsize="small")
    axes.set_xlim(grid_x[0, 0], grid_x[0, -1])
    axes.set_ylim(grid_y[0, 0], grid_y[-1, 0])
    axes.set_xlabel("feature 1")
    axes.set_ylabel("feature 2")
    return _finish(figure, axes, title, path, who)


def _points(values, name: str, who: str, what: str = "columns") -> np.ndarray:
    points = np.asarray(values)
    if points.dtype.kind not in "biuf":
        raise TypeError(f"{who}: {name} must be an array of real numbers, got dtype {points.dtype}")
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"{who}: {name} must have shape (n, 2) (two {what}), got shape "
                         f"{points.shape}")
    if len(points) == 0:
        raise ValueError(f"{who}: {name} has no points (shape {points.shape})")
    if not np.isfinite(points).all():
        raise ValueError(f"{who}: {name} contains NaN or infinity")
    return points.astype(np.float64)


def _labels(values, name: str, count: int, points_name: str, who: str) -> np.ndarray:
    labels = np.asarray(values)
    if labels.ndim != 1 or len(labels) != count:
        raise ValueError(f"{who}: {name} must have shape ({count},), one label per row of "
                         f"{points_name}, got shape {labels.shape}")
    return labels


def _class_colours(count: int) -> list:
    if count <= 10:
        return list(colormaps["tab10"].colors[:count])
    if count <= _MAX_LEGEND_CLASSES:
        return list(colormaps["tab20"].colors[:count])
    return [colormaps["viridis"](i / (count - 1)) for i in range(count)]


def _figure():
    figure = Figure(figsize=(6, 5), layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.subplots()


def _check_directory(path, who: str) -> None:
    # before drawing: a wrong directory fails at once, not after the figure is rendered
    if path is not None and not Path(path).parent.is_dir():
        raise FileNotFoundError(f"{who}: directory {Path(path).parent} does not exist (for {path})")


def _finish(figure: Figure, axes, title, path, who: str) -> Figure:
    if title:
        axes.set_title(title)
    if path is not None:
        image = io.BytesIO()
        # the format from the suffix (matplotlib's default, PNG, without one), written at once
        figure.savefig(image, dpi=100, format=Path(path).suffix.lstrip(".") or None)
        write_atomically(Path(path), image.getvalue(), who=who)
    return figure
