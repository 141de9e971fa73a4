"""Ctrl-C (SIGINT) or SIGTERM during `gradcraft train` keeps every finished epoch, says how to go
on, and exits 130; `gradcraft train --resume DIR` then ends exactly as the uninterrupted run
(weights, optimizer state, metrics, test results: bit for bit)."""

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file

from gradcraft import serialization
from gradcraft.cli import main
from gradcraft.train import History

# The default run (digits, Adam, cosine schedule, dropout, shuffling), small and slow enough per
# epoch (batch 2: ~0.15 s) that a signal sent after epoch 2 arrives well before epoch 8.
RUN = ["--hidden", "16", "--batch-size", "2", "--epochs", "8", "--seed", "4"]
GRADCRAFT = str(Path(sys.executable).with_name("gradcraft"))   # the console script pip installed


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("full") / "run"
    assert main(["train", *RUN, "--quiet", "--out", str(out)]) == 0
    return out


def epochs_in(metrics: Path) -> int:
    try:
        return max(len(metrics.read_text().splitlines()) - 1, 0)
    except FileNotFoundError:
        return 0


def interrupted_run(out: Path, signum, after_epochs: int = 2):
    """Start `gradcraft train` in a process of its own, send `signum` once `after_epochs` epochs
    are in metrics.csv; return the CompletedProcess-like (returncode, stdout, stderr)."""
    env = {k: v for k, v in os.environ.items() if k != "GRADCRAFT_DATA"}
    process = subprocess.Popen([GRADCRAFT, "train", *RUN, "--out", str(out)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 120
    while epochs_in(out / "metrics.csv") < after_epochs:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run did not reach its second epoch"
        time.sleep(0.005)
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=120)
    return process.returncode, stdout, stderr


def assert_same_run(resumed: Path, full: Path):
    """Bit-identical end: weights, optimizer state, every metric but wall time, test results."""
    for name in ("model.safetensors",):
        mine, theirs = load_file(resumed / name), load_file(full / name)
        assert mine.keys() == theirs.keys()
        for key in theirs:
            assert np.array_equal(mine[key], theirs[key]), key
    mine = load_file(serialization.companion_path(resumed / "model.safetensors"))
    theirs = load_file(serialization.companion_path(full / "model.safetensors"))
    assert mine.keys() == theirs.keys() and all(np.array_equal(mine[k], theirs[k]) for k in theirs)
    a, b = History.from_csv(resumed / "metrics.csv"), History.from_csv(full / "metrics.csv")
    for column in ("epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr"):
        assert a.column(column) == b.column(column), column
    results = [json.loads((d / "config.json").read_text())["results"] for d in (resumed, full)]
    for key in ("test_accuracy", "test_loss", "epochs_trained", "best_epoch"):
        assert results[0][key] == results[1][key], key


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stopped_run_keeps_its_epochs_and_resumes_to_the_same_end(tmp_path, uninterrupted, signum, capsys):
    out = tmp_path / "run"
    code, stdout, stderr = interrupted_run(out, signum)
    assert code == 130, stderr
    assert "Traceback" not in stderr
    name = signal.Signals(signum).name

    # What was saved: a checkpoint of the last finished epoch, its metrics and curves.
    done = serialization.load_metadata(out / "model.safetensors")["fit"]["epoch"]
    assert 2 <= done < 8
    assert History.from_csv(out / "metrics.csv").epoch == list(range(1, done + 1))
    assert (out / "curves.png").read_bytes()[:4] == b"\x89PNG"
    assert serialization.companion_path(out / "model.safetensors").is_file()
    assert json.loads((out / "config.json").read_text())["results"] == {"interrupted": name,
                                                                        "epochs_trained": done}
    first, second = stderr.strip().splitlines()
    assert first == (f"interrupted by {name} during epoch {done + 1} of 8: saved the {done} finished "
                     f"epochs in {out}/ (model.safetensors with the training state, metrics.csv, curves.png)")
    assert second == f"resume with: gradcraft train --resume {shlex.quote(str(out))}"
    # The table so far and no further (the row of the epoch just saved may not be printed yet).
    assert "1/8" in stdout and f"{done + 1}/8" not in stdout
    # `gradcraft evaluate` scores the saved epoch and says the run is unfinished.
    capsys.readouterr()
    assert main(["evaluate", str(out)]) == 0
    assert (f"note: the run was interrupted ({name}) after {done} of 8 epochs: these are the weights "
            f"of epoch {done} (continue it: gradcraft train --resume {shlex.quote(str(out))})"
            in capsys.readouterr().out)

    # The printed command continues the run; it ends exactly as the uninterrupted one.
    argv = shlex.split(second.removeprefix("resume with: "))
    assert argv[:2] == ["gradcraft", "train"]
    assert main(argv[1:]) == 0
    printed = capsys.readouterr().out
    assert f"resuming at epoch {done + 1} of 8" in printed
    assert f"8 epochs, {8 - done} of them after resuming at epoch {done + 1}" in printed
    assert_same_run(out, uninterrupted)


def test_resuming_a_finished_run_trains_nothing(uninterrupted, capsys):
    before = {p.name: p.read_bytes() for p in uninterrupted.iterdir()}
    assert main(["train", "--resume", str(uninterrupted)]) == 0
    out = capsys.readouterr().out
    assert f"{uninterrupted}: the run already finished (it trained all its 8 epochs); nothing to train" in out
    results = json.loads((uninterrupted / "config.json").read_text())["results"]
    assert f"test accuracy: {results['test_accuracy']:.2%}" in out
    assert {p.name: p.read_bytes() for p in uninterrupted.iterdir()} == before   # nothing rewritten


def _interrupt_at(step: str, signum, seed: int, tmp_path, monkeypatch, capsys):
    """Run a small `gradcraft train` whose `step` (a function of gradcraft.train.runs: 'fit',
    'evaluate') is interrupted by `signum`, beside the same run uninterrupted.
    Returns (the interrupted run's directory, the uninterrupted one's, the lines on stderr)."""
    import gradcraft.train.runs as runs
    from gradcraft.train.signals import Interrupted

    small = ["--hidden", "8", "--epochs", "2", "--seed", str(seed)]
    full = tmp_path / "full"
    assert main(["train", *small, "--quiet", "--out", str(full)]) == 0

    def stopped(*args, **kwargs):
        raise Interrupted(signum)

    out = tmp_path / "run"
    monkeypatch.setattr(runs, step, stopped)
    capsys.readouterr()
    assert main(["train", *small, "--out", str(out)]) == 130
    monkeypatch.undo()
    return out, full, capsys.readouterr().err.strip().splitlines()


def test_a_run_stopped_before_its_first_epoch_resumes_from_the_start(tmp_path, monkeypatch, capsys):
    """Interrupted while epoch 1 runs (here: SIGTERM arriving as the loop starts), the directory
    holds config.json alone; --resume trains the run from the beginning, as if never stopped."""
    out, full, (first, second) = _interrupt_at("fit", signal.SIGTERM, 2, tmp_path, monkeypatch, capsys)
    assert first == (f"interrupted by SIGTERM during epoch 1 of 2, before any epoch finished: nothing to "
                     f"save beyond {out}/config.json (resuming starts the run from the beginning)")
    assert second == f"resume with: gradcraft train --resume {out}"
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "metrics.csv"]
    assert main(["train", "--resume", str(out), "--quiet"]) == 0
    assert_same_run(out, full)


def test_resume_extends_a_constant_schedule_run_to_more_epochs(tmp_path):
    """--epochs with --resume: a finished run continues to the new total, as one longer run."""
    constant = ["--schedule", "constant", "--hidden", "8", "--seed", "5", "--quiet"]
    longer, short = tmp_path / "longer", tmp_path / "short"
    assert main(["train", *constant, "--epochs", "3", "--out", str(longer)]) == 0
    assert main(["train", *constant, "--epochs", "2", "--out", str(short)]) == 0
    assert main(["train", "--resume", str(short), "--epochs", "3", "--quiet"]) == 0
    assert json.loads((short / "config.json").read_text())["config"]["epochs"] == 3
    assert_same_run(short, longer)


@pytest.mark.parametrize("flags, expected", [
    (["--lr", "0.1"], "got --lr"),
    (["--hidden", "8", "--seed", "3"], "got --hidden, --seed"),
    (["--out", "elsewhere"], "got --out"),
])
def test_resume_accepts_only_epochs_data_dir_and_quiet(error_line, uninterrupted, flags, expected):
    line = error_line(["train", "--resume", uninterrupted, *flags])
    assert line == (f"error: --resume continues the run with the settings it was started with "
                    f"({uninterrupted / 'config.json'}); only --epochs, --data-dir and --quiet may "
                    f"accompany it, {expected}")


def test_resume_refusals(error_line, uninterrupted, tmp_path):
    toml = tmp_path / "run.toml"
    toml.write_text("lr = 0.1\n")
    assert error_line(["train", "--resume", uninterrupted, "--config", toml]).endswith("got --config")
    assert error_line(["train", "--resume", uninterrupted, "--epochs", "12"]) == (
        f"error: epochs: the run in {uninterrupted} anneals its learning rate over its 8 epochs "
        "(cosine schedule), so it cannot continue to 12; start a new run (--schedule constant runs "
        "can be extended)")
    assert error_line(["train", "--resume", tmp_path / "none"]) == f"error: run directory not found: {tmp_path / 'none'}"
    assert "is not a gradcraft run: missing config.json" in error_line(["train", "--resume", tmp_path])
    assert "data-dir: the dataset 'digits' is embedded" in error_line(
        ["train", "--resume", uninterrupted, "--data-dir", tmp_path])


def test_resume_with_fewer_epochs_than_trained_is_refused(error_line, tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--schedule", "constant", "--hidden", "8", "--epochs", "3", "--quiet",
                 "--out", str(out)]) == 0
    assert error_line(["train", "--resume", out, "--epochs", "2"]) == (
        f"error: epochs: the run in {out} already trained 3 epochs; resume it with epochs >= 3, got 2")


def test_a_run_stopped_after_its_last_epoch_resumes_to_write_its_results(tmp_path, monkeypatch, capsys):
    """Stopped while the test split is scored (every epoch done): --resume trains nothing and
    writes the results, the same as the uninterrupted run's."""
    # "evaluate": the test-split scoring after training
    out, full, err = _interrupt_at("evaluate", signal.SIGINT, 3, tmp_path, monkeypatch, capsys)
    assert err[0] == (f"interrupted by SIGINT after the last epoch, before the test results were written: "
                      f"{out}/ holds all 2 epochs (resuming writes the results)")
    assert main(["train", "--resume", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "this run already ended after epoch 2 (it trained all its epochs); nothing left to train" in printed
    assert "2 epochs, all trained before resuming (the results were written now)" in printed
    assert_same_run(out, full)
