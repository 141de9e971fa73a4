"""plot_history: a PNG with loss and accuracy panels, train vs validation."""

import pytest

from gradcraft.train import History
from gradcraft.viz import plot_history


def history(with_val=True):
    rows = []
    for epoch, (tl, vl) in enumerate([(1.0, 1.2), (0.5, 0.8), (0.25, 0.7)], start=1):
        rows.append({"epoch": epoch, "train_loss": tl, "train_acc": 1 - tl / 2, "lr": 0.1, "seconds": 1.0,
                     **({"val_loss": vl, "val_acc": 1 - vl / 2} if with_val else {})})
    return History(rows)


def test_writes_a_png_with_two_panels(tmp_path):
    path = tmp_path / "curves.png"
    figure = plot_history(history(), path, title="run")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    loss_axes, acc_axes = figure.axes
    assert [line.get_label() for line in loss_axes.lines] == ["train", "validation"]
    assert list(loss_axes.lines[1].get_ydata()) == [1.2, 0.8, 0.7]
    assert list(acc_axes.lines[0].get_ydata()) == pytest.approx([50.0, 75.0, 87.5])  # percent


def test_training_only_history_draws_one_line_per_panel():
    figure = plot_history(history(with_val=False))
    assert [len(axes.lines) for axes in figure.axes] == [1, 1]


def test_errors():
    with pytest.raises(ValueError, match="history is empty"):
        plot_history(History())
    with pytest.raises(FileNotFoundError, match="does not exist"):
        plot_history(history(), "/nonexistent-dir/curves.png")


def test_a_failing_save_leaves_the_previous_figure_intact(tmp_path, monkeypatch):
    # The figure is rendered in memory and written at once: a crash while drawing (here a
    # savefig that writes half a file, then fails) leaves the old curves.png as it was.
    from matplotlib.figure import Figure

    path = tmp_path / "curves.png"
    path.write_bytes(b"the previous figure")

    def half_written(self, target, **kwargs):
        if hasattr(target, "write"):
            target.write(b"half")
        else:
            with open(target, "wb") as file:
                file.write(b"half")
        raise RuntimeError("the renderer crashed")

    monkeypatch.setattr(Figure, "savefig", half_written)
    history = History([{"epoch": 1, "train_loss": 1.0, "train_acc": 0.5, "val_loss": None,
                        "val_acc": None, "lr": 0.1, "seconds": 0.1}])
    with pytest.raises(RuntimeError, match="renderer crashed"):
        plot_history(history, path)
    assert path.read_bytes() == b"the previous figure"
