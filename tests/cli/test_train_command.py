"""`gradcraft train`: the run directory, the printed table, the config file, flags over config."""

import json

import numpy as np
import pytest
from safetensors.numpy import load_file

from gradcraft import serialization
from gradcraft.cli import main
from gradcraft.train import History
from gradcraft.train.reload import load_run


def test_writes_the_four_files(small_run):
    run_dir, _ = small_run
    # model.safetensors is the run's last checkpoint: its companion holds the optimizer state
    companion = serialization.companion_path(run_dir / "model.safetensors")
    assert companion.parent == run_dir and companion.name.endswith(".state.safetensors")
    assert sorted(p.name for p in run_dir.iterdir()) == sorted(["config.json", "curves.png", "metrics.csv",
                                                                 "model.safetensors", companion.name])
    assert (run_dir / "curves.png").read_bytes()[:4] == b"\x89PNG"
    weights = load_file(str(run_dir / "model.safetensors"))
    assert set(weights) == {"1.weight", "1.bias", "4.weight", "4.bias"}  # Flatten, Linear, ReLU, Dropout, Linear
    assert weights["1.weight"].shape == (32, 64)
    assert weights["4.weight"].shape == (10, 32)
    history = History.from_csv(run_dir / "metrics.csv")
    assert history.epoch == [1, 2] and all(v is not None for v in history.val_acc)


def test_config_json_records_settings_dataset_and_results(small_run):
    run_dir, _ = small_run
    record = json.loads((run_dir / "config.json").read_text())
    config = record["config"]
    assert (config["epochs"], config["hidden"], config["seed"], config["dataset"]) == (2, [32], 1, "digits")
    assert (config["optimizer"], config["lr"], config["batch_size"], config["val_fraction"]) == ("adam", 0.01, 64, 0.1)
    assert record["dataset"]["train_samples"] + record["dataset"]["val_samples"] == 1437
    assert record["dataset"]["test_samples"] == 360
    assert record["results"]["epochs_trained"] == 2


def test_reported_test_accuracy_is_the_models(small_run):
    """Reload the weights and score the test split independently (scikit-learn's accuracy)."""
    from sklearn.metrics import accuracy_score

    from gradcraft import data

    run_dir, stdout = small_run
    run = load_run(run_dir)
    test = data.load_dataset("digits").test
    scores = run.model(run.standardizer.transform(test.arrays[0])).data
    accuracy = accuracy_score(test.arrays[1], scores.argmax(axis=1))
    assert json.loads((run_dir / "config.json").read_text())["results"]["test_accuracy"] == pytest.approx(accuracy)
    assert f"test accuracy: {accuracy:.2%}" in stdout
    assert accuracy >= 0.85  # 2 epochs of a 64-32-10 MLP at lr 0.01, cosine: measured 91.1%


def test_output_is_a_clean_table(small_run):
    _, stdout = small_run
    assert "\x1b" not in stdout                              # no control codes when not a terminal
    lines = stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["epoch", "train"])
    assert [line.split()[0] for line in lines[header + 1:header + 3]] == ["1/2", "2/2"]
    assert lines[0].startswith("dataset digits: 1293 train / 144 val / 360 test")
    assert lines[-1].startswith("wrote ") and "config.json, metrics.csv, model.safetensors, curves.png" in lines[-1]


def test_toml_config_and_flags_override_it(tmp_path, capsys):
    config = tmp_path / "run.toml"
    config.write_text('hidden = [16]\nbatch-size = 32\nepochs = 3\nlr = 0.01\nval_fraction = 0.2\n'
                      'optimizer = "momentum"\n')
    out = tmp_path / "run"
    assert main(["train", "--config", str(config), "--epochs", "1", "--out", str(out), "--quiet"]) == 0
    settings = json.loads((out / "config.json").read_text())["config"]
    assert settings["epochs"] == 1                      # the flag wins
    assert (settings["hidden"], settings["batch_size"], settings["lr"]) == ([16], 32, 0.01)
    assert (settings["val_fraction"], settings["optimizer"]) == (0.2, "momentum")
    assert json.loads((out / "config.json").read_text())["dataset"]["val_samples"] == 288  # 20% of 1437
    assert capsys.readouterr().out.startswith("test accuracy:")  # --quiet: only the result


def test_optimizer_default_learning_rates(tmp_path):
    for optimizer, lr in (("sgd", 0.1), ("adagrad", 0.01), ("adamw", 0.001)):
        out = tmp_path / optimizer
        assert main(["train", "--optimizer", optimizer, "--epochs", "1", "--hidden", "8", "--out", str(out), "--quiet"]) == 0
        assert json.loads((out / "config.json").read_text())["config"]["lr"] == lr


def test_early_stopping_keeps_the_best_epoch(tmp_path):
    out = tmp_path / "es"
    assert main(["train", "--early-stopping", "1", "--epochs", "40", "--hidden", "64", "--lr", "0.01",
                 "--out", str(out), "--quiet"]) == 0
    history = History.from_csv(out / "metrics.csv")
    best = history.best("val_loss")["epoch"]
    assert len(history) == best + 1 < 40                  # stopped one epoch after the best
    record = json.loads((out / "config.json").read_text())["results"]
    assert record["best_epoch"] == best and record["epochs_trained"] == len(history)


def test_default_timestamped_run_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--epochs", "1", "--hidden", "8", "--quiet"]) == 0
    (run_dir,) = (tmp_path / "runs").iterdir()
    assert len(run_dir.name) == len("20240101-120000") and (run_dir / "model.safetensors").is_file()
    assert np.isfinite(json.loads((run_dir / "config.json").read_text())["results"]["test_loss"])


def test_cosine_schedule(tmp_path):
    out = tmp_path / "cos"
    assert main(["train", "--schedule", "cosine", "--epochs", "3", "--lr", "0.01", "--hidden", "8",
                 "--out", str(out), "--quiet"]) == 0
    # lr_e = lr/2 (1 + cos(pi (e-1) / 3)): 0.01, 0.01 * 3/4, 0.01 * 1/4
    assert History.from_csv(out / "metrics.csv").lr == pytest.approx([0.01, 0.0075, 0.0025])
