"""Rough edges of `gradcraft train`: no MLP without hidden layers, --data-dir refused where it
would be ignored, dataset names in any case, counts with their right plural."""

import json

import numpy as np
import pytest

from gradcraft.cli import main
from gradcraft.data import write_idx

TINY = ["--epochs", "1", "--hidden", "8", "--quiet"]


@pytest.mark.parametrize("hidden", ["", " "])
def test_empty_hidden_is_refused(error_line, hidden):
    assert error_line(["train", "--hidden", hidden]) == (
        f"error: hidden must hold at least one layer width, e.g. --hidden 256,256 (an MLP without "
        f"hidden layers would be a linear model), got {hidden!r}")


def test_empty_hidden_in_a_config_file_is_refused(error_line, tmp_path):
    path = tmp_path / "run.toml"
    path.write_text("hidden = []\n")
    assert "hidden must hold at least one layer width, e.g. --hidden 256,256" in error_line(
        ["train", "--config", path])


def test_data_dir_with_the_embedded_dataset_is_an_error(error_line, tmp_path):
    assert error_line(["train", "--data-dir", tmp_path]) == (
        f"error: data-dir: the dataset 'digits' is embedded (it needs no files), so data-dir "
        f"{str(tmp_path)!r} would be ignored; it is for mnist, fashion-mnist, cifar10 "
        "(--dataset NAME --data-dir DIR)")
    path = tmp_path / "run.toml"
    path.write_text(f'data_dir = "{tmp_path}"\n')
    assert "data-dir: the dataset 'digits' is embedded" in error_line(["train", "--config", path])


def test_the_data_environment_variable_alone_is_no_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADCRAFT_DATA", str(tmp_path / "somewhere"))
    assert main(["train", *TINY, "--out", str(tmp_path / "run")]) == 0
    assert json.loads((tmp_path / "run" / "config.json").read_text())["config"]["data_dir"] is None


def fake_mnist(root, folder):
    """A tiny dataset in the MNIST layout: 100 training and 20 test images of 28x28, 10 classes."""
    rng = np.random.default_rng(0)
    directory = root / folder
    directory.mkdir(parents=True)
    for split, n in (("train", 100), ("t10k", 20)):
        labels = np.arange(n, dtype=np.uint8) % 10
        images = (rng.random((n, 28, 28)) * 40 + labels[:, None, None] * 20).astype(np.uint8)
        write_idx(directory / f"{split}-images-idx3-ubyte.gz", images)
        write_idx(directory / f"{split}-labels-idx1-ubyte.gz", labels)
    return root


@pytest.mark.parametrize("typed, canonical, folder", [("MNIST", "mnist", "mnist"),
                                                     ("Fashion-MNIST", "fashion-mnist", "fashion-mnist")])
def test_dataset_names_in_any_case(tmp_path, typed, canonical, folder):
    root = fake_mnist(tmp_path / "data", folder)
    out = tmp_path / "flag"
    assert main(["train", *TINY, "--dataset", typed, "--data-dir", str(root), "--out", str(out)]) == 0
    record = json.loads((out / "config.json").read_text())
    assert record["config"]["dataset"] == record["dataset"]["name"] == canonical
    assert record["dataset"]["train_samples"] + record["dataset"]["val_samples"] == 100
    config = tmp_path / "run.toml"
    config.write_text(f'dataset = "{typed}"\ndata-dir = "{root}"\n')
    assert main(["train", *TINY, "--config", str(config), "--out", str(tmp_path / "toml")]) == 0
    assert json.loads((tmp_path / "toml" / "config.json").read_text())["config"]["dataset"] == canonical


def test_one_epoch_is_not_one_epochs(tmp_path, capsys):
    assert main(["train", *TINY, "--out", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert "on 360 test samples, 1 epoch in " in out and "1 epochs" not in out


def test_early_stopping_note_counts_in_the_singular(tmp_path, capsys):
    assert main(["train", "--early-stopping", "1", "--epochs", "40", "--hidden", "64", "--lr", "0.01",
                 "--out", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert "val_loss did not improve for 1 epoch (best " in out and "1 epochs" not in out

