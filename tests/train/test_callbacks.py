"""EarlyStopping and ModelCheckpoint, driven by scripted validation losses."""

import numpy as np
import pytest

import gradcraft as gc
from gradcraft import data, optim, serialization
from gradcraft.losses import softmax_cross_entropy
from gradcraft.train import EarlyStopping, LambdaCallback, ModelCheckpoint, fit


def scripted_val_loss(values):
    """A loss_fn whose training loss is the real cross-entropy and whose validation loss (the
    calls made without a graph) is the next value of `values` (one validation batch per epoch)."""
    remaining = list(values)

    def loss_fn(scores, labels):
        real = softmax_cross_entropy(scores, labels)
        if gc.is_grad_enabled():
            return real
        return real * 0.0 + remaining.pop(0)
    return loss_fn


def run(blobs, model, val_losses, callbacks, epochs):
    snapshots = {}
    record = LambdaCallback(on_epoch_end=lambda s: snapshots.__setitem__(
        s.epoch, {n: p.data.copy() for n, p in s.model.named_parameters()}))
    history = fit(model, scripted_val_loss(val_losses), optim.SGD(model.parameters(), lr=0.1),
                  data.DataLoader(blobs, batch_size=16, shuffle=True, seed=0),
                  data.DataLoader(blobs, batch_size=len(blobs)), epochs=epochs,
                  callbacks=[record, *callbacks], verbose=False)
    return history, snapshots


def test_stops_after_patience_epochs_without_improvement_and_restores_best(blobs, make_tiny_mlp, snapshot):
    # best at epoch 2 (0.8); epochs 3 (0.9) and 4 (0.85) do not improve -> with patience 2 stop after 4
    model = make_tiny_mlp()
    stopper = EarlyStopping(patience=2)
    history, snapshots = run(blobs, model, [1.0, 0.8, 0.9, 0.85, 0.7, 0.6], [stopper], epochs=6)
    assert history.epoch == [1, 2, 3, 4]
    assert history.val_loss == pytest.approx([1.0, 0.8, 0.9, 0.85])  # float32 losses
    assert stopper.stopped_epoch == 4 and stopper.best_epoch == 2 and stopper.best == pytest.approx(0.8)
    final = snapshot(model)
    assert all(np.array_equal(final[n], snapshots[2][n]) for n in final)
    assert not np.array_equal(final["0.weight"], snapshots[4]["0.weight"])  # training did move on


def test_without_restore_best_keeps_last_weights(blobs, make_tiny_mlp, snapshot):
    model = make_tiny_mlp()
    _, snapshots = run(blobs, model, [1.0, 0.8, 0.9, 0.85], [EarlyStopping(patience=2, restore_best=False)], epochs=4)
    final = snapshot(model)
    assert all(np.array_equal(final[n], snapshots[4][n]) for n in final)


def test_improvement_must_exceed_min_delta(blobs, make_tiny_mlp):
    # 0.95 and 0.92 improve on 1.0 by less than 0.1: they count as no improvement
    history, _ = run(blobs, make_tiny_mlp(), [1.0, 0.95, 0.92, 0.5], [EarlyStopping(patience=2, min_delta=0.1)], epochs=4)
    assert len(history) == 3


def test_accuracy_is_maximised():
    stopper = EarlyStopping(monitor="val_acc", patience=1)

    class State:  # the part of TrainingState that EarlyStopping reads
        def __init__(self):
            self.history, self.stop_training, self.epoch = [], False, 0
            self.model = None

    state = State()
    for epoch, acc in enumerate([0.5, 0.7, 0.6], start=1):
        state.epoch = epoch
        state.history.append({"epoch": epoch, "val_acc": acc})
        stopper.restore_best = False
        stopper.on_epoch_end(state)
    assert stopper.best == 0.7 and stopper.best_epoch == 2 and state.stop_training


def test_monitoring_validation_without_val_loader_is_a_clear_error(blobs, make_tiny_mlp):
    model = make_tiny_mlp()
    with pytest.raises(ValueError, match="monitors 'val_loss'.*pass val_loader"):
        fit(model, softmax_cross_entropy, optim.SGD(model.parameters(), lr=0.1),
            data.DataLoader(blobs, batch_size=16), epochs=2, callbacks=[EarlyStopping()], verbose=False)


@pytest.mark.parametrize("bad, message", [
    (dict(patience=0), "patience must be a positive int, got 0"),
    (dict(monitor="val_f1"), "monitor must be one of"),
    (dict(min_delta=-1), "min_delta must be >= 0, got -1.0"),
])
def test_bad_arguments(bad, message):
    with pytest.raises(ValueError, match=message):
        EarlyStopping(**bad)


def test_checkpoint_save_best_only_writes_improving_epochs(blobs, make_tiny_mlp, tmp_path):
    model = make_tiny_mlp()
    checkpoint = ModelCheckpoint(tmp_path / "ckpt-{epoch}.safetensors", save_best_only=True)
    _, snapshots = run(blobs, model, [1.0, 1.2, 0.7, 0.9], [checkpoint], epochs=4)
    # model files (each with its companion: the optimizer state)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".state.safetensors")) == \
        ["ckpt-1.safetensors", "ckpt-3.safetensors"]
    reloaded = make_tiny_mlp(seed=5)
    metadata = serialization.load(reloaded, tmp_path / "ckpt-3.safetensors")
    assert metadata["fit"]["epoch"] == 3
    assert all(np.array_equal(p.data, snapshots[3][n]) for n, p in reloaded.named_parameters())


def test_checkpoint_path_fields_must_exist(blobs, make_tiny_mlp, tmp_path):
    with pytest.raises(ValueError, match="cannot fill path"):
        run(blobs, make_tiny_mlp(), [1.0], [ModelCheckpoint(tmp_path / "{step}.safetensors")], epochs=1)


@pytest.mark.parametrize("callback", [EarlyStopping(patience=2), ModelCheckpoint("unused.safetensors", save_best_only=True)])
def test_validation_monitor_without_val_loader_is_refused_before_any_training(blobs, make_tiny_mlp, callback):
    model = make_tiny_mlp()
    before = {n: p.data.copy() for n, p in model.named_parameters()}
    with pytest.raises(ValueError, match=r"monitors 'val_loss', but fit got no val_loader \(pass val_loader="):
        fit(model, softmax_cross_entropy, optim.SGD(model.parameters(), lr=0.1),
            data.DataLoader(blobs, batch_size=16), epochs=2, callbacks=[callback], verbose=False)
    assert all(np.array_equal(p.data, before[n]) for n, p in model.named_parameters())  # no step taken
