"""Every user error of `gradcraft train` / `evaluate`: one line on stderr, exit code 2, no traceback;
a diverging run: one line naming epoch and step, exit code 2 (every CLI error exits 2)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradcraft.cli import main

OPTIMIZERS = "'sgd', 'momentum', 'adagrad', 'rmsprop', 'adam', 'adamw', 'adadelta', 'nadam', 'radam', 'adamax'"


@pytest.mark.parametrize("argv, expected", [
    (["--dataset", "imagenet"], "invalid choice: 'imagenet' (choose from 'digits', 'mnist', 'fashion-mnist', 'cifar10')"),
    (["--model", "resnet"], "invalid choice: 'resnet' (choose from 'mlp', 'lenet5', 'vgg-small', 'resnet-small')"),
    (["--optimizer", "lbfgs"], f"invalid choice: 'lbfgs' (choose from {OPTIMIZERS})"),
    (["--activation", "gelu"], "invalid choice: 'gelu' (choose from 'relu', 'leaky_relu', 'sigmoid', 'tanh')"),
    (["--standardize", "minmax"], "invalid choice: 'minmax'"),
    (["--schedule", "linear"], "invalid choice: 'linear' (choose from 'constant', 'cosine')"),
    (["--batch-size", "many"], "argument --batch-size: invalid int value: 'many'"),
    (["--hidden", "512,abc"], "hidden must be comma-separated layer widths like 512,512, got '512,abc'"),
    (["--hidden", "512,0"], "hidden[1] must be a positive int, got 0"),
    (["--hidden", "64,,32"], "hidden must be comma-separated layer widths like 512,512, got '64,,32'"),
    (["--hidden", "64,"], "hidden must be comma-separated layer widths like 512,512, got '64,'"),
    (["--lr", "-1"], "lr must be > 0, got -1.0"),
    (["--lr", "nan"], "lr must be > 0, got nan"),
    (["--dropout", "1.5"], "dropout must be in [0, 1), got 1.5"),
    (["--epochs", "0"], "epochs must be a positive int, got 0"),
    (["--val-fraction", "1"], "val-fraction must be in [0, 1), got 1.0"),
    (["--early-stopping", "3", "--val-fraction", "0"], "early-stopping needs validation data: set val-fraction > 0"),
    (["--weight-decay", "-0.1"], "weight-decay must be >= 0, got -0.1"),
])
def test_bad_flags(error_line, argv, expected):
    assert expected in error_line(["train", *argv])


def test_file_datasets_need_their_files(error_line, tmp_path, monkeypatch):
    monkeypatch.delenv("GRADCRAFT_DATA", raising=False)
    assert "pass --data-dir DIR" in error_line(["train", "--dataset", "mnist"])
    assert f"data directory {tmp_path / 'nowhere'} does not exist" in error_line(
        ["train", "--dataset", "fashion-mnist", "--data-dir", tmp_path / "nowhere"])
    line = error_line(["train", "--dataset", "mnist", "--data-dir", tmp_path])
    assert "dataset files not found" in line and "train-images-idx3-ubyte.gz" in line


@pytest.mark.parametrize("content, expected", [
    ("learning_rate = 0.1\n", "unknown key 'learning_rate'; valid keys: model, hidden, activation"),
    ('dataset = "svhn"\n', "dataset must be one of 'digits', 'mnist', 'fashion-mnist', 'cifar10', got 'svhn'"),
    ('optimizer = "lbfgs"\n', f"optimizer must be one of {OPTIMIZERS}, got 'lbfgs'"),
    ("epochs = 2.5\n", "epochs must be an int, got 2.5 (float)"),
    ("lr = [0.1\n", "is not valid TOML"),
    ("[training]\nlr = 0.1\n", "expected plain keys"),
])
def test_bad_config_files(error_line, tmp_path, content, expected):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    assert expected in error_line(["train", "--config", path])


def test_a_bad_value_in_the_config_file_names_the_file(error_line, tmp_path):
    path = tmp_path / "run.toml"
    path.write_text('epochs = "two"\n')
    assert error_line(["train", "--config", path]) == (
        f"error: {path}: epochs must be an int, got 'two' (str)")
    # a flag replaces the file's value (flags override the file): its error is the flag's
    assert error_line(["train", "--config", path, "--epochs", "0"]) == (
        "error: epochs must be a positive int, got 0")


def test_config_file_that_is_not_utf8(error_line, tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes("lr = 0.1  # café\n".encode("latin-1"))   # é is byte 0xe9, at offset 15
    assert error_line(["train", "--config", path]) == \
        f"error: config file {path} is not UTF-8 text (byte 15: b'\\xe9')"


def test_missing_config_file(error_line, tmp_path):
    assert f"config file not found: {tmp_path / 'none.toml'}" in error_line(["train", "--config", tmp_path / "none.toml"])


def test_out_must_be_a_directory(error_line, tmp_path):
    (tmp_path / "file").write_text("x")
    assert "exists and is not a directory" in error_line(["train", "--epochs", "1", "--out", tmp_path / "file"])


def test_out_never_overwrites_an_earlier_run(error_line, tmp_path, small_run):
    import shutil

    earlier = tmp_path / "earlier"
    shutil.copytree(small_run[0], earlier)
    before = {p.name: p.read_bytes() for p in earlier.iterdir()}
    line = error_line(["train", "--epochs", "1", "--hidden", "8", "--out", earlier])
    assert line == (f"error: --out: {earlier} already holds a trained model (model.safetensors); "
                    "choose a new directory or delete that one first (to continue it: gradcraft "
                    f"train --resume {earlier})")
    assert {p.name: p.read_bytes() for p in earlier.iterdir()} == before   # untouched
    # a run that diverged left config.json and metrics.csv but no model: retrying there is fine
    failed = tmp_path / "failed"
    failed.mkdir()
    for name in ("config.json", "metrics.csv"):
        shutil.copy(earlier / name, failed / name)
    assert main(["train", "--epochs", "1", "--hidden", "8", "--quiet", "--out", str(failed)]) == 0
    assert (failed / "model.safetensors").is_file()
    assert json.loads((failed / "config.json").read_text())["config"]["hidden"] == [8]


def test_evaluate_errors(error_line, tmp_path, small_run):
    assert f"run directory not found: {tmp_path / 'none'}" in error_line(["evaluate", tmp_path / "none"])
    (tmp_path / "a_file").write_text("x")
    assert f"{tmp_path / 'a_file'} is a file, not a run directory" in error_line(["evaluate", tmp_path / "a_file"])
    assert "missing config.json, model.safetensors" in error_line(["evaluate", tmp_path])
    assert "top-k must be an int in [1, 10]" in error_line(["evaluate", small_run[0], "--top-k", "11"])
    assert "invalid int value: 'five'" in error_line(["evaluate", small_run[0], "--top-k", "five"])


def test_evaluate_refuses_foreign_weights(error_line, tmp_path, small_run):
    import shutil

    from gradcraft import nn, serialization

    shutil.copy(small_run[0] / "config.json", tmp_path / "config.json")
    serialization.save(nn.Sequential(nn.Linear(3, 2)), tmp_path / "model.safetensors")
    assert "has no run metadata" in error_line(["evaluate", tmp_path])


def test_diverging_run_stops_with_one_line_and_exit_1(error_line, tmp_path):
    line = error_line(["train", "--optimizer", "sgd", "--lr", "1e6", "--hidden", "32", "--epochs", "2",
                       "--out", tmp_path / "nan"], expected_code=2)
    assert line.startswith("error: loss became nan at epoch 1, step ")
    assert "The learning rate (1e+06) is probably too high: try a lower one, e.g. 100000" in line
    assert (tmp_path / "nan" / "metrics.csv").read_text().strip() == \
        "epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds"  # no epoch completed


def test_real_command_prints_one_line_without_traceback():
    """The installed entry point, in a fresh process (nothing captured or patched)."""
    env = {k: v for k, v in os.environ.items() if k != "GRADCRAFT_DATA"}
    command = Path(sys.executable).with_name("gradcraft")  # the console script pip installed
    result = subprocess.run([str(command), "train", "--dataset", "cifar10"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: dataset 'cifar10' is read from files")
