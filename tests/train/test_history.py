"""History: columns, CSV round trip, best epoch."""

import csv
import math

import pytest

from gradcraft.train import History

RECORDS = [
    {"epoch": 1, "train_loss": 1.5, "train_acc": 0.5, "val_loss": 1.25, "val_acc": 0.625, "lr": 0.1, "seconds": 2.0},
    {"epoch": 2, "train_loss": 0.75, "train_acc": 0.75, "val_loss": 1.0, "val_acc": 0.5, "lr": 0.05, "seconds": 1.5},
    {"epoch": 3, "train_loss": 0.5, "train_acc": 0.875, "val_loss": 1.125, "val_acc": 0.75, "lr": 0.025, "seconds": 1.0},
]


def test_columns_as_lists():
    history = History(RECORDS)
    assert len(history) == 3
    assert history.val_loss == [1.25, 1.0, 1.125]
    assert history.lr == [0.1, 0.05, 0.025]
    assert history[-1]["epoch"] == 3


def test_best_epoch_by_loss_and_by_accuracy():
    history = History(RECORDS)
    assert history.best("val_loss")["epoch"] == 2       # lowest loss 1.0
    assert history.best("val_acc")["epoch"] == 3        # highest accuracy 0.75
    assert history.best("val_acc", mode="min")["epoch"] == 2


def test_csv_round_trip_keeps_values_exactly(tmp_path):
    path = tmp_path / "metrics.csv"
    History(RECORDS).to_csv(path)
    with open(path, newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "seconds"]
    assert rows[2] == ["2", "0.75", "0.75", "1.0", "0.5", "0.05", "1.5"]
    assert History.from_csv(path).records == RECORDS


def test_missing_values_are_empty_cells(tmp_path):
    path = tmp_path / "metrics.csv"
    History([{"epoch": 1, "train_loss": 0.5, "lr": 0.01, "seconds": 0.25}]).to_csv(path)
    assert path.read_text().splitlines()[1] == "1,0.5,,,,0.01,0.25"
    record = History.from_csv(path)[0]
    assert record["val_loss"] is None and record["train_acc"] is None


def test_unknown_column_is_refused():
    with pytest.raises(ValueError, match="unknown column.*'val_f1'"):
        History([{"epoch": 1, "val_f1": 0.3}])
    with pytest.raises(KeyError, match="no column 'loss'"):
        History(RECORDS).column("loss")


def test_nan_survives_csv(tmp_path):
    path = tmp_path / "m.csv"
    History([{"epoch": 1, "train_loss": float("nan"), "seconds": 1.0}]).to_csv(path)
    assert math.isnan(History.from_csv(path)[0]["train_loss"])


class _Unprintable(float):
    """A value whose formatting fails half way through writing the CSV (a stand-in for a crash)."""

    def __repr__(self):
        raise RuntimeError("crash while writing")


def test_to_csv_failing_mid_write_keeps_the_previous_file_and_no_temporary(tmp_path):
    path = tmp_path / "metrics.csv"
    History(RECORDS[2:]).to_csv(path)
    before = path.read_bytes()
    broken = History(RECORDS[:2])
    broken.records[1]["val_loss"] = _Unprintable(0.5)  # the second line cannot be written
    with pytest.raises(RuntimeError, match="crash while writing"):
        broken.to_csv(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.csv"]
    assert History.from_csv(path).val_loss == [1.125]
