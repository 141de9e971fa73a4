"""Corner cases of the training loop: resuming a run that has already ended, and `predict` /
`evaluate` on a shuffling DataLoader (results must follow the dataset's order).

The resume scenarios script the validation loss per epoch, so early stopping happens at an epoch
fixed by the test (not by the weights): VALUES with patience=2 improve at epochs 1, 2 and 4
(best 0.7), then epochs 5 and 6 do not, so the run stops after epoch 6 and its best is epoch 4.
"""

import io

import numpy as np
import pytest
from rich.console import Console

import gradcraft as gc
from gradcraft import data, optim, serialization
from gradcraft.losses import softmax_cross_entropy
from gradcraft.train import EarlyStopping, LambdaCallback, ModelCheckpoint, evaluate, fit, predict

VALUES = [1.0, 0.8, 0.9, 0.7, 0.75, 0.72, 0.5, 0.4, 0.3, 0.2]


class ScriptedValidation:
    """A loss_fn: the real cross-entropy while training (a graph is recorded), VALUES[epoch - 1]
    on the single validation batch of an epoch. Its `callback` notes which epochs began."""

    def __init__(self, values):
        self.values = values
        self.epoch = None
        self.epochs_begun = []
        self.callback = LambdaCallback(on_epoch_begin=self._begin)

    def _begin(self, state):
        self.epoch = state.epoch
        self.epochs_begun.append(state.epoch)

    def __call__(self, scores, labels):
        real = softmax_cross_entropy(scores, labels)
        if gc.is_grad_enabled():
            return real
        return real * 0.0 + self.values[self.epoch - 1]


class Run:
    """One call of fit: dropout (its generator must be restored too), Adam, shuffled batches,
    EarlyStopping, an optional ModelCheckpoint, and a snapshot of the weights after each epoch."""

    def __init__(self, make_tiny_mlp, blobs, *, seed, epochs, patience=2, restore_best=True,
                 checkpoint=None, resume_from=None, console=None):
        self.model = make_tiny_mlp(seed=seed, dropout=0.3, hidden=16)
        self.optimizer = optim.Adam(self.model.parameters(), lr=0.05)
        self.script = ScriptedValidation(VALUES)
        self.stopper = EarlyStopping(patience=patience, restore_best=restore_best)
        self.snapshots = {}
        recorder = LambdaCallback(on_epoch_end=lambda s: self.snapshots.__setitem__(
            s.epoch, {n: p.data.copy() for n, p in s.model.named_parameters()}))
        callbacks = [self.script.callback, recorder, self.stopper]
        if checkpoint is not None:
            callbacks.append(checkpoint)
        self.history = fit(self.model, self.script, self.optimizer,
                           data.DataLoader(blobs, batch_size=10, shuffle=True, seed=4),
                           data.DataLoader(blobs, batch_size=len(blobs)), epochs=epochs,
                           callbacks=callbacks, resume_from=resume_from,
                           verbose=console is not None, console=console)

    def weights(self):
        return {n: p.data.copy() for n, p in self.model.named_parameters()}


def assert_same_weights(actual, expected):
    assert actual.keys() == expected.keys()
    for name in expected:
        assert np.array_equal(actual[name], expected[name]), name


def assert_same_history(actual, expected, *, seconds=True):
    columns = ("epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr") + (("seconds",) if seconds else ())
    for column in columns:
        assert actual.column(column) == expected.column(column), column


# ------------------------------------------------------------------ resuming a run that ended
@pytest.mark.parametrize("restore_best", [True, False])
@pytest.mark.parametrize("resume_epochs", [8, 20])
def test_resuming_an_early_stopped_run_trains_nothing(make_tiny_mlp, blobs, tmp_path, restore_best, resume_epochs):
    path = tmp_path / "ckpt.safetensors"
    full = Run(make_tiny_mlp, blobs, seed=0, epochs=8, restore_best=restore_best, checkpoint=ModelCheckpoint(path))
    assert full.history.epoch == [1, 2, 3, 4, 5, 6] and full.stopper.stopped_epoch == 6
    # What the run left: epoch 4's weights when restoring the best, else epoch 6's (they differ).
    assert not np.array_equal(full.snapshots[4]["0.weight"], full.snapshots[6]["0.weight"])
    assert_same_weights(full.weights(), full.snapshots[4 if restore_best else 6])
    saved_bytes = path.read_bytes()

    # Another seed: until the checkpoint is loaded, weights and dropout generator differ.
    resumed = Run(make_tiny_mlp, blobs, seed=9, epochs=resume_epochs, restore_best=restore_best,
                  checkpoint=ModelCheckpoint(path), resume_from=path)
    assert resumed.script.epochs_begun == []                       # no epoch ran
    assert_same_history(resumed.history, full.history)             # as saved, seconds included
    assert_same_weights(resumed.weights(), full.weights())
    assert (resumed.stopper.stopped_epoch, resumed.stopper.best_epoch) == (6, 4)
    assert resumed.stopper.best == full.stopper.best == pytest.approx(0.7)   # a float32 loss
    for index, entries in full.optimizer.state_dict()["state"].items():
        assert np.array_equal(resumed.optimizer.state_dict()["state"][index]["exp_avg"], entries["exp_avg"])
    assert path.read_bytes() == saved_bytes                        # nothing rewritten


def test_the_final_checkpoint_holds_the_weights_the_run_ended_with(make_tiny_mlp, blobs, tmp_path):
    path = tmp_path / "ckpt-{epoch}.safetensors"
    full = Run(make_tiny_mlp, blobs, seed=0, epochs=8, checkpoint=ModelCheckpoint(path))
    files = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".state.safetensors"))
    assert files == [f"ckpt-{e}.safetensors" for e in range(1, 7)]       # model files (+ companions)
    reloaded = make_tiny_mlp(seed=9, dropout=0.3, hidden=16)
    metadata = serialization.load(reloaded, tmp_path / "ckpt-6.safetensors")
    assert_same_weights({n: p.data for n, p in reloaded.named_parameters()}, full.snapshots[4])
    assert {k: metadata["fit"][k] for k in ("epoch", "stopped", "finished", "restored_epoch")} == \
        {"epoch": 6, "stopped": True, "finished": True, "restored_epoch": 4}
    # A mid-run checkpoint holds that epoch's weights and is not finished.
    metadata = serialization.load(reloaded, tmp_path / "ckpt-5.safetensors")
    assert_same_weights({n: p.data for n, p in reloaded.named_parameters()}, full.snapshots[5])
    assert (metadata["fit"]["stopped"], metadata["fit"]["finished"]) == (False, False)


def test_resuming_a_finished_run_says_why_nothing_is_trained(make_tiny_mlp, blobs, tmp_path):
    path = tmp_path / "ckpt.safetensors"
    Run(make_tiny_mlp, blobs, seed=0, epochs=8, checkpoint=ModelCheckpoint(path))
    console = Console(file=io.StringIO(), width=300)
    Run(make_tiny_mlp, blobs, seed=0, epochs=8, resume_from=path, console=console)
    text = console.file.getvalue()
    assert "this run already ended after epoch 6 (a callback stopped it); nothing left to train" in text
    assert "early stopping after epoch 6: val_loss did not improve for 2 epochs (best 0.7000 at epoch 4)" in text
    assert "restored the weights of epoch 4" in text
    assert "epoch  train loss" not in text                        # no table: no epoch ran


def test_a_completed_run_with_its_best_restored_is_finished_and_cannot_be_extended(make_tiny_mlp, blobs, tmp_path):
    # patience 3: epochs 5 (0.75) is not an improvement, the run completes its 5 epochs and
    # restore_best puts back epoch 4's weights.
    path = tmp_path / "ckpt.safetensors"
    full = Run(make_tiny_mlp, blobs, seed=0, epochs=5, patience=3, checkpoint=ModelCheckpoint(path))
    assert full.history.epoch == [1, 2, 3, 4, 5] and full.stopper.stopped_epoch is None
    assert_same_weights(full.weights(), full.snapshots[4])

    resumed = Run(make_tiny_mlp, blobs, seed=9, epochs=5, patience=3, resume_from=path)
    assert resumed.script.epochs_begun == []
    assert_same_history(resumed.history, full.history)
    assert_same_weights(resumed.weights(), full.snapshots[4])

    with pytest.raises(ValueError, match=r"cannot extend the finished run .* to epochs=7: .* put back the "
                                         r"weights of epoch 4, so the checkpoint no longer holds epoch 5's"):
        Run(make_tiny_mlp, blobs, seed=9, epochs=7, patience=3, resume_from=path)


def test_extending_a_completed_run_equals_one_longer_run(make_tiny_mlp, blobs, tmp_path):
    """A run that trained all its epochs, its last weights kept (restore_best=False), resumed with
    more epochs, gives exactly the run made with the larger number (nothing here depends on it)."""
    longer = Run(make_tiny_mlp, blobs, seed=0, epochs=8, patience=10, restore_best=False)
    assert longer.history.epoch == list(range(1, 9))

    path = tmp_path / "ckpt.safetensors"
    Run(make_tiny_mlp, blobs, seed=0, epochs=5, patience=10, restore_best=False, checkpoint=ModelCheckpoint(path))
    assert serialization.load_metadata(path)["fit"]["finished"] is True
    extended = Run(make_tiny_mlp, blobs, seed=9, epochs=8, patience=10, restore_best=False, resume_from=path)
    assert extended.script.epochs_begun == [6, 7, 8]
    assert_same_history(extended.history, longer.history, seconds=False)
    assert_same_weights(extended.weights(), longer.weights())
    assert (extended.stopper.best_epoch, extended.stopper.wait) == (longer.stopper.best_epoch, longer.stopper.wait) == (8, 0)


def test_resuming_a_best_only_checkpoint_replays_the_rest_of_the_run(make_tiny_mlp, blobs, tmp_path):
    """save_best_only writes epochs 1, 2 and 4 (not finished): resuming the last replays epochs 5
    and 6, stops as the uninterrupted run did and restores epoch 4 (the checkpoint's own)."""
    path = tmp_path / "best.safetensors"
    full = Run(make_tiny_mlp, blobs, seed=0, epochs=8, checkpoint=ModelCheckpoint(path, save_best_only=True))
    assert serialization.load_metadata(path)["fit"]["epoch"] == 4
    resumed = Run(make_tiny_mlp, blobs, seed=9, epochs=8, resume_from=path)
    assert resumed.script.epochs_begun == [5, 6]
    assert_same_history(resumed.history, full.history, seconds=False)
    assert_same_weights(resumed.weights(), full.snapshots[4])
    assert_same_weights(resumed.snapshots[6], full.snapshots[6])   # the replay took the same steps


def test_resuming_with_fewer_epochs_than_trained_is_refused_before_loading(make_tiny_mlp, blobs, tmp_path):
    path = tmp_path / "ckpt.safetensors"
    Run(make_tiny_mlp, blobs, seed=0, epochs=8, checkpoint=ModelCheckpoint(path))
    model = make_tiny_mlp(seed=9, dropout=0.3, hidden=16)
    before = {n: p.data.copy() for n, p in model.named_parameters()}
    with pytest.raises(ValueError, match=r"epochs=3, but the checkpoint resume_from=.* has already trained 6 "
                                         r"epochs; pass epochs >= 6"):
        fit(model, softmax_cross_entropy, optim.Adam(model.parameters(), lr=0.05),
            data.DataLoader(blobs, batch_size=10, shuffle=True, seed=4), epochs=3, resume_from=path, verbose=False)
    assert_same_weights({n: p.data for n, p in model.named_parameters()}, before)


def test_a_bad_checkpoint_path_field_is_refused_before_training(make_tiny_mlp, blobs, tmp_path):
    started = []
    model = make_tiny_mlp()
    with pytest.raises(ValueError, match=r"cannot fill path .*\{step\}"):
        fit(model, softmax_cross_entropy, optim.SGD(model.parameters(), lr=0.1), data.DataLoader(blobs, batch_size=16),
            epochs=3, callbacks=[LambdaCallback(on_epoch_begin=started.append),
                                 ModelCheckpoint(tmp_path / "{step}.safetensors")], verbose=False)
    assert started == []


# ------------------------------------------------------------------ predict / evaluate order
def by_hand(model, features, batch_size):
    """The model's outputs batch by batch in dataset order, in eval mode: what predict must give."""
    model.eval()
    with gc.no_grad():
        return np.concatenate([model(gc.tensor(features[i:i + batch_size])).data
                               for i in range(0, len(features), batch_size)])


def test_predict_on_a_shuffled_loader_follows_the_dataset_order(make_tiny_mlp, blobs):
    model = make_tiny_mlp(seed=3)
    features = blobs.arrays[0]
    loader = data.DataLoader(blobs, batch_size=10, shuffle=True, drop_last=True, seed=1)
    loader.set_epoch(5)
    expected = by_hand(model, features, 10)
    expected_classes = by_hand(model, features, 48).argmax(1)
    model.train()
    assert not np.array_equal(loader.order(), np.arange(48))       # the loader does shuffle
    assert not np.array_equal(expected[loader.order()], expected)  # so the order would show

    scores = predict(model, loader)
    assert np.array_equal(scores, expected)                        # all 48 rows, drop_last ignored
    assert np.array_equal(scores.argmax(1), expected_classes)
    assert np.array_equal(predict(model, loader.dataset, batch_size=loader.batch_size), scores)
    assert loader.epoch == 5                                       # its next shuffle is untouched
    assert model.training


def test_evaluate_on_a_shuffled_loader_pairs_each_output_with_its_label(make_tiny_mlp, blobs):
    model = make_tiny_mlp(seed=3)
    features, labels = blobs.arrays
    scores = by_hand(model, features, 48).astype(np.float64)
    # cross-entropy and accuracy by hand: -log softmax(s)_y, mean over the 48 samples
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    expected_loss = -log_probs[np.arange(48), labels].mean()
    expected_accuracy = np.count_nonzero(scores.argmax(1) == labels) / 48
    assert 0 < expected_accuracy < 1                               # a mispairing would change it

    loader = data.DataLoader(blobs, batch_size=10, shuffle=True, drop_last=True, seed=1)
    result = evaluate(model, loader, softmax_cross_entropy)
    assert result["samples"] == 48
    assert result["accuracy"] == expected_accuracy
    assert result["loss"] == pytest.approx(expected_loss, rel=1e-5)
    assert loader.epoch == 0


def test_predict_on_a_subset_and_on_features_only(make_tiny_mlp, blobs):
    model = make_tiny_mlp(seed=3)
    features = blobs.arrays[0]
    positions = np.array([40, 3, 17, 0, 25, 9, 33])
    expected = by_hand(model, features[positions], 4)
    assert np.array_equal(predict(model, data.Subset(blobs, positions), batch_size=4), expected)
    only_features = data.TensorDataset(features[positions])
    assert np.array_equal(predict(model, only_features, batch_size=4), expected)
    with pytest.raises(ValueError, match=r"\(features, labels\) pairs"):
        evaluate(model, only_features)


def test_a_shuffling_loader_of_another_kind_is_refused(make_tiny_mlp, blobs):
    class OtherLoader:  # not a gradcraft DataLoader: its dataset order cannot be recovered
        batch_size, shuffle = 10, True

        def __iter__(self):
            return iter(data.DataLoader(blobs, batch_size=10, shuffle=True, seed=0))

    with pytest.raises(ValueError, match=r"predict: data is a shuffling OtherLoader \(shuffle=True\)"):
        predict(make_tiny_mlp(), OtherLoader())
    with pytest.raises(ValueError, match=r"evaluate: data is a shuffling OtherLoader"):
        evaluate(make_tiny_mlp(), OtherLoader())
