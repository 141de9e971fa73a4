"""Resuming from a checkpoint continues exactly as the uninterrupted run (dropout masks included)."""

import numpy as np
import pytest

from gradcraft import data, optim
from gradcraft.losses import softmax_cross_entropy
from gradcraft.train import EarlyStopping, ModelCheckpoint, fit


def session(make_tiny_mlp, blobs, seed, epochs, checkpoint=None, resume_from=None):
    """One call of fit with dropout, Adam, a StepLR schedule, shuffling, validation and
    EarlyStopping (whose counters must survive too). `seed` sets weights and dropout masks."""
    model = make_tiny_mlp(seed=seed, dropout=0.3, hidden=16)
    optimizer = optim.Adam(model.parameters(), lr=0.02)
    callbacks = [EarlyStopping(patience=10)]
    if checkpoint is not None:
        callbacks.append(ModelCheckpoint(checkpoint))
    history = fit(model, softmax_cross_entropy, optimizer,
                  data.DataLoader(blobs, batch_size=10, shuffle=True, seed=4),
                  data.DataLoader(blobs, batch_size=48), epochs=epochs, callbacks=callbacks,
                  scheduler=optim.StepLR(optimizer, step_size=1, gamma=0.7),
                  resume_from=resume_from, verbose=False)
    return model, optimizer, history, callbacks[0]


def test_resume_equals_uninterrupted_run(make_tiny_mlp, blobs, tmp_path):
    full_model, full_opt, full_history, full_stopper = session(make_tiny_mlp, blobs, seed=0, epochs=4)

    path = tmp_path / "after-epoch-2.safetensors"
    session(make_tiny_mlp, blobs, seed=0, epochs=2, checkpoint=path)            # "interrupted"
    # A different seed: weights and dropout generator differ until the checkpoint restores them.
    model, opt, history, stopper = session(make_tiny_mlp, blobs, seed=9, epochs=4, resume_from=path)

    for name, value in full_model.state_dict().items():
        assert np.array_equal(model.state_dict()[name], value), name
    for column in ("epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr"):
        assert history.column(column) == full_history.column(column), column
    assert opt.param_groups[0]["lr"] == full_opt.param_groups[0]["lr"] == pytest.approx(0.02 * 0.7 ** 4)
    assert (stopper.best, stopper.best_epoch, stopper.wait) == \
        (full_stopper.best, full_stopper.best_epoch, full_stopper.wait)
    for index, entries in full_opt.state_dict()["state"].items():
        assert np.array_equal(opt.state_dict()["state"][index]["exp_avg"], entries["exp_avg"])


def test_dropout_generator_state_is_what_makes_it_exact(make_tiny_mlp, blobs, tmp_path, monkeypatch):
    """Control: with the generator restore switched off, the resumed run draws other dropout
    masks and ends elsewhere -- so the test above really checks the saved generator state."""
    import gradcraft.train.checkpoint as checkpoint

    full_model, *_ = session(make_tiny_mlp, blobs, seed=0, epochs=3)
    path = tmp_path / "ckpt.safetensors"
    session(make_tiny_mlp, blobs, seed=0, epochs=2, checkpoint=path)
    assert "model.2.rng" in __import__("gradcraft").serialization.load_metadata(path)["fit"]["generators"]
    monkeypatch.setattr(checkpoint, "restore_generator_states", lambda *args, **kwargs: None)
    model, *_ = session(make_tiny_mlp, blobs, seed=9, epochs=3, resume_from=path)
    assert not np.array_equal(model.state_dict()["0.weight"], full_model.state_dict()["0.weight"])


def test_resume_refuses_a_different_architecture(make_tiny_mlp, blobs, tmp_path):
    path = tmp_path / "ckpt.safetensors"
    session(make_tiny_mlp, blobs, seed=0, epochs=1, checkpoint=path)
    model = make_tiny_mlp(hidden=16)                                  # no dropout layer
    with pytest.raises(ValueError, match="random generators at"):
        fit(model, softmax_cross_entropy, optim.Adam(model.parameters()), data.DataLoader(blobs, batch_size=10),
            epochs=2, resume_from=path, verbose=False)


def test_resume_needs_a_training_checkpoint(make_tiny_mlp, blobs, tmp_path):
    from gradcraft import serialization

    model = make_tiny_mlp()
    serialization.save(model, tmp_path / "weights.safetensors")
    with pytest.raises(ValueError, match="no training state"):
        fit(model, softmax_cross_entropy, optim.SGD(model.parameters(), lr=0.1), data.DataLoader(blobs, batch_size=10),
            epochs=2, resume_from=tmp_path / "weights.safetensors", verbose=False)
