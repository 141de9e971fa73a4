"""SIGINT / SIGTERM at safe points: `interruptible` turns them into `Interrupted`, and
`deferred_signals` (around every ModelCheckpoint save) delivers them once the block is done."""

import os
import signal
import time

import pytest

from gradcraft import data, optim, serialization
from gradcraft.losses import softmax_cross_entropy
from gradcraft.train import ModelCheckpoint, fit
from gradcraft.train.signals import Interrupted, deferred_signals, interruptible


def send(signum):
    """Signal this process and give Python the moment it needs to run the handler."""
    os.kill(os.getpid(), signum)
    time.sleep(0.05)


def test_sigterm_becomes_an_exception_naming_it_and_the_handlers_come_back():
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    with pytest.raises(Interrupted) as caught:
        with interruptible():
            send(signal.SIGTERM)
    assert caught.value.signal == "SIGTERM" and isinstance(caught.value, KeyboardInterrupt)
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


def test_a_deferred_signal_is_handled_when_the_block_ends():
    steps = []
    with pytest.raises(KeyboardInterrupt):           # Python's own SIGINT handler, run later
        with deferred_signals():
            send(signal.SIGINT)
            steps.append("after the signal")         # the block runs on to its end
    assert steps == ["after the signal"]
    with pytest.raises(Interrupted, match="SIGTERM"):
        with interruptible(), deferred_signals():
            send(signal.SIGTERM)
            steps.append("still running")
    assert steps[-1] == "still running"


def test_a_ctrl_c_during_a_checkpoint_save_lands_after_it(make_tiny_mlp, blobs, tmp_path, monkeypatch):
    real_save = serialization.save

    def save_interrupted_midway(*args, **kwargs):
        send(signal.SIGINT)                          # Ctrl-C while the checkpoint is written
        real_save(*args, **kwargs)

    monkeypatch.setattr(serialization, "save", save_interrupted_midway)
    model = make_tiny_mlp()
    path = tmp_path / "ckpt.safetensors"
    with pytest.raises(KeyboardInterrupt):
        fit(model, softmax_cross_entropy, optim.SGD(model.parameters(), lr=0.1),
            data.DataLoader(blobs, batch_size=16), epochs=3, callbacks=[ModelCheckpoint(path)],
            verbose=False)
    monkeypatch.undo()
    checkpoint = serialization.read_checkpoint(path)     # complete: model file and companion
    assert checkpoint.metadata["fit"]["epoch"] == 1 and checkpoint.optimizer["class"] == "SGD"
