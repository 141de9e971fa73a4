"""Resuming with EarlyStopping(restore_best=True) ends exactly like the uninterrupted run, also
when the best epoch came before the checkpoint the run resumed from (its weights travel in the
checkpoint's companion file as tensors callbacks.<i>.best.<state_dict key>).

The validation loss is scripted per epoch so the best epoch is fixed by the test, not by the
weights:
    EARLY = 1.0, 0.8, 0.9, 0.7, 0.75, 0.72, ...   patience=2: improves at epochs 1, 2, 4; epochs
                                                   5 and 6 do not -> stops after 6, best epoch 4.
    LATE_BEST_FIRST = 1.0, 0.5, 0.9, 0.8, 0.7, 0.6 patience=10, 6 epochs: best epoch 2, no stop.
A "crash" is an exception raised when the epoch after the checkpoint begins.
"""

import io

import numpy as np
import pytest
import safetensors.numpy
from rich.console import Console

import gradcraft as gc
from gradcraft import data, optim, serialization
from gradcraft.losses import softmax_cross_entropy
from gradcraft.train import EarlyStopping, LambdaCallback, ModelCheckpoint, fit

EARLY = [1.0, 0.8, 0.9, 0.7, 0.75, 0.72, 0.5, 0.4]
LATE_BEST_FIRST = [1.0, 0.5, 0.9, 0.8, 0.7, 0.6]
STOPPER_INDEX = 2  # callbacks sorted by order: script, crash (order 0), stopper, checkpoint (100)


class Crash(Exception):
    pass


class Session:
    """Model (dropout: its generator must be restored too), Adam, shuffled batches, a scripted
    validation loss, a crash switch, EarlyStopping and ModelCheckpoint; `run` calls fit."""

    def __init__(self, make_tiny_mlp, blobs, *, seed, values, patience, path, crash_at=None):
        self.model = make_tiny_mlp(seed=seed, dropout=0.3, hidden=16)
        self.optimizer = optim.Adam(self.model.parameters(), lr=0.05)
        self.values, self.epoch, self.crash_at = values, None, crash_at
        self.blobs = blobs
        self.snapshots = {}  # epoch -> weights at the end of that epoch
        self.stopper = EarlyStopping(patience=patience, restore_best=True)
        self.checkpoint = ModelCheckpoint(path)
        self.callbacks = [LambdaCallback(on_epoch_begin=self._begin, on_epoch_end=self._end),
                          LambdaCallback(on_epoch_begin=self._maybe_crash),
                          self.stopper, self.checkpoint]
        self.console_text = io.StringIO()

    def _begin(self, state):
        self.epoch = state.epoch

    def _end(self, state):
        self.snapshots[state.epoch] = weights(state.model)

    def _maybe_crash(self, state):
        if state.epoch == self.crash_at:
            raise Crash(f"killed when epoch {state.epoch} began")

    def loss(self, scores, labels):
        real = softmax_cross_entropy(scores, labels)
        if gc.is_grad_enabled():
            return real                                  # training: the real loss
        return real * 0.0 + self.values[self.epoch - 1]  # validation: the scripted value

    def run(self, epochs, resume_from=None):
        return fit(self.model, self.loss, self.optimizer,
                   data.DataLoader(self.blobs, batch_size=10, shuffle=True, seed=4),
                   data.DataLoader(self.blobs, batch_size=len(self.blobs)), epochs=epochs,
                   callbacks=self.callbacks, resume_from=resume_from, verbose=True,
                   console=Console(file=self.console_text, width=200))


def weights(model):
    return {name: value.copy() for name, value in model.state_dict().items()}


def assert_same_weights(actual, expected):
    assert actual.keys() == expected.keys()
    for name in expected:
        assert np.array_equal(actual[name], expected[name]), name


def assert_same_history(actual, expected):
    # "seconds" is wall-clock time: it cannot repeat; every other column must, bit for bit.
    for column in ("epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr"):
        assert actual.column(column) == expected.column(column), column


def interrupted_then_resumed(make_tiny_mlp, blobs, tmp_path, *, values, patience, epochs, crash_at):
    """Run until `crash_at` begins (checkpoint after every epoch), then resume, in a fresh
    session of another seed, from the checkpoint of epoch crash_at - 1."""
    pattern = str(tmp_path / "ckpt-{epoch}.safetensors")
    crashed = Session(make_tiny_mlp, blobs, seed=0, values=values, patience=patience, path=pattern,
                      crash_at=crash_at)
    with pytest.raises(Crash):
        crashed.run(epochs)
    path = tmp_path / f"ckpt-{crash_at - 1}.safetensors"
    resumed = Session(make_tiny_mlp, blobs, seed=9, values=values, patience=patience, path=pattern)
    history = resumed.run(epochs, resume_from=path)
    return crashed, resumed, history, path


def uninterrupted(make_tiny_mlp, blobs, tmp_path, *, values, patience, epochs):
    full = Session(make_tiny_mlp, blobs, seed=0, values=values, patience=patience,
                   path=tmp_path / "full-{epoch}.safetensors")
    return full, full.run(epochs)


def companion_tensors(path):
    """The tensors of the checkpoint's companion file (optimizer state, callback arrays)."""
    return safetensors.numpy.load_file(serialization.companion_path(path))


def best_tensors(path):
    prefix = f"callbacks.{STOPPER_INDEX}.best."
    return {name[len(prefix):]: value for name, value in companion_tensors(path).items()
            if name.startswith(prefix)}


# ------------------------------------------------------------------------------ equivalence
def test_early_stopped_run_resumed_after_its_best_epoch_equals_the_uninterrupted_run(make_tiny_mlp, blobs, tmp_path):
    full, full_history = uninterrupted(make_tiny_mlp, blobs, tmp_path, values=EARLY, patience=2, epochs=8)
    assert full_history.epoch == [1, 2, 3, 4, 5, 6] and full.stopper.best_epoch == 4
    assert not np.array_equal(full.snapshots[4]["0.weight"], full.snapshots[6]["0.weight"])
    assert_same_weights(weights(full.model), full.snapshots[4])

    # Checkpoint after epoch 5 (best epoch 4 < 5), crash when epoch 6 begins, resume.
    crashed, resumed, history, path = interrupted_then_resumed(
        make_tiny_mlp, blobs, tmp_path, values=EARLY, patience=2, epochs=8, crash_at=6)
    assert sorted(resumed.snapshots) == [6]                            # only epoch 6 was trained
    assert_same_weights(best_tensors(path), crashed.snapshots[4])      # the file carries epoch 4
    assert_same_weights(weights(resumed.model), weights(full.model))   # bit-identical end
    assert_same_history(history, full_history)
    assert (resumed.stopper.stopped_epoch, resumed.stopper.best_epoch) == (6, 4)
    restored = [serialization.load_metadata(p)["fit"]["restored_epoch"]
                for p in (tmp_path / "ckpt-6.safetensors", tmp_path / "full-6.safetensors")]
    assert restored == [4, 4]
    assert "restored the weights of epoch 4" in resumed.console_text.getvalue()


def test_run_exhausting_its_epochs_resumed_after_its_best_epoch_equals_the_uninterrupted_run(make_tiny_mlp, blobs, tmp_path):
    full, full_history = uninterrupted(make_tiny_mlp, blobs, tmp_path, values=LATE_BEST_FIRST,
                                       patience=10, epochs=6)
    assert full_history.epoch == [1, 2, 3, 4, 5, 6] and full.stopper.stopped_epoch is None
    assert_same_weights(weights(full.model), full.snapshots[2])

    crashed, resumed, history, path = interrupted_then_resumed(
        make_tiny_mlp, blobs, tmp_path, values=LATE_BEST_FIRST, patience=10, epochs=6, crash_at=5)
    assert sorted(resumed.snapshots) == [5, 6]
    assert_same_weights(best_tensors(path), crashed.snapshots[2])
    assert_same_weights(weights(resumed.model), weights(full.model))
    assert not np.array_equal(weights(resumed.model)["0.weight"], resumed.snapshots[6]["0.weight"])
    assert_same_history(history, full_history)
    assert serialization.load_metadata(tmp_path / "ckpt-6.safetensors")["fit"]["restored_epoch"] == 2


def test_without_the_saved_best_weights_the_resumed_run_diverges(make_tiny_mlp, blobs, tmp_path, monkeypatch):
    """Control: the bug this file guards against. With state_arrays switched off the checkpoint
    holds no best weights and the resumed run ends on epoch 6's weights, not epoch 4's."""
    full, _ = uninterrupted(make_tiny_mlp, blobs, tmp_path, values=EARLY, patience=2, epochs=8)
    monkeypatch.setattr(EarlyStopping, "state_arrays", lambda self: {})
    _, resumed, _, path = interrupted_then_resumed(
        make_tiny_mlp, blobs, tmp_path, values=EARLY, patience=2, epochs=8, crash_at=6)
    assert best_tensors(path) == {}
    assert_same_weights(weights(resumed.model), resumed.snapshots[6])
    assert not np.array_equal(weights(resumed.model)["0.weight"], weights(full.model)["0.weight"])


def test_best_epoch_equal_to_the_checkpoint_epoch_is_not_stored_twice(make_tiny_mlp, blobs, tmp_path):
    full, full_history = uninterrupted(make_tiny_mlp, blobs, tmp_path, values=EARLY, patience=2, epochs=8)
    # Checkpoint after epoch 4, which is the best epoch: its model.* weights are the best ones.
    _, resumed, history, path = interrupted_then_resumed(
        make_tiny_mlp, blobs, tmp_path, values=EARLY, patience=2, epochs=8, crash_at=5)
    names = set(safetensors.numpy.load_file(path)) | set(companion_tensors(path))
    assert not any(name.startswith("callbacks.") for name in names)
    assert serialization.load_metadata(path)["fit"]["callback_arrays"] == {}
    assert_same_weights(weights(resumed.model), weights(full.model))
    assert_same_history(history, full_history)
    # Nor in the final checkpoint, written after the best weights were put back into the model.
    assert not any(name.startswith("callbacks.")
                   for name in companion_tensors(tmp_path / "ckpt-6.safetensors"))


# ------------------------------------------------------------------------ loading the file
def test_plain_load_of_a_checkpoint_with_best_weights_gives_the_checkpoint_epochs_weights(make_tiny_mlp, blobs, tmp_path):
    crashed, _, _, path = interrupted_then_resumed(
        make_tiny_mlp, blobs, tmp_path, values=EARLY, patience=2, epochs=8, crash_at=6)
    assert len(best_tensors(path)) == 4  # 0.weight 0.bias 3.weight 3.bias: the file has them
    plain = make_tiny_mlp(seed=5, dropout=0.3, hidden=16)
    metadata = gc.load(plain, path)
    assert metadata["fit"]["epoch"] == 5
    assert_same_weights(weights(plain), crashed.snapshots[5])  # epoch 5's, not the best (4)
    assert not np.array_equal(crashed.snapshots[5]["0.weight"], crashed.snapshots[4]["0.weight"])


def stopper_state(stopper):
    best = None if stopper.best_weights is None else weights_copy(stopper.best_weights)
    return stopper.state_dict(), best


def weights_copy(mapping):
    return {name: np.array(value) for name, value in mapping.items()}


@pytest.mark.parametrize("keep", ["half", "all but one byte", "header only"])
def test_a_truncated_checkpoint_with_best_weights_changes_nothing(make_tiny_mlp, blobs, tmp_path, keep):
    _, _, _, path = interrupted_then_resumed(
        make_tiny_mlp, blobs, tmp_path, values=EARLY, patience=2, epochs=8, crash_at=6)
    content = path.read_bytes()
    header_end = 8 + int.from_bytes(content[:8], "little")
    cut = {"half": len(content) // 2, "all but one byte": len(content) - 1, "header only": header_end}[keep]
    truncated = tmp_path / "truncated.safetensors"
    truncated.write_bytes(content[:cut])

    # A session with state of its own: 2 epochs trained (Adam moments, best weights in memory).
    victim = Session(make_tiny_mlp, blobs, seed=9, values=EARLY, patience=2,
                     path=tmp_path / "victim.safetensors")
    victim.run(2)
    before_model, before_opt = weights(victim.model), victim.optimizer.state_dict()
    before_stopper = stopper_state(victim.stopper)
    before_rng = victim.model[2].rng.bit_generator.state
    with pytest.raises(ValueError, match="truncated or corrupt"):
        victim.run(8, resume_from=truncated)
    with pytest.raises(ValueError, match="truncated or corrupt"):
        gc.load(victim.model, truncated, victim.optimizer)

    assert_same_weights(weights(victim.model), before_model)
    after_opt = victim.optimizer.state_dict()
    assert after_opt["param_groups"] == before_opt["param_groups"]
    for index, entries in before_opt["state"].items():
        assert after_opt["state"][index]["step"] == entries["step"]
        for name in ("exp_avg", "exp_avg_sq"):
            assert np.array_equal(after_opt["state"][index][name], entries[name])
    state, best = stopper_state(victim.stopper)
    assert state == before_stopper[0] and state["best_epoch"] == 2
    assert_same_weights(best, before_stopper[1])
    assert victim.model[2].rng.bit_generator.state == before_rng


def test_a_checkpoint_missing_a_listed_best_tensor_is_refused_before_anything_changes(make_tiny_mlp, blobs, tmp_path):
    _, _, _, path = interrupted_then_resumed(
        make_tiny_mlp, blobs, tmp_path, values=EARLY, patience=2, epochs=8, crash_at=6)
    companion = serialization.companion_path(path)
    with safetensors.safe_open(companion, framework="np") as handle:
        header = handle.metadata()
    tensors = safetensors.numpy.load_file(companion)
    del tensors[f"callbacks.{STOPPER_INDEX}.best.3.bias"]
    safetensors.numpy.save_file(tensors, companion, metadata=header)   # same save id: a valid pair
    damaged = path

    victim = Session(make_tiny_mlp, blobs, seed=9, values=EARLY, patience=2,
                     path=tmp_path / "victim.safetensors")
    before = weights(victim.model)
    with pytest.raises(ValueError, match=r"lacks the tensors \['callbacks.2.best.3.bias'\]"):
        victim.run(8, resume_from=damaged)
    assert_same_weights(weights(victim.model), before)
    assert victim.optimizer.state_dict()["state"] == {}
    assert victim.stopper.best_epoch is None and victim.stopper.best_weights is None
