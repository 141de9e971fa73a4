"""`fit`: the training loop (epochs of mini-batch steps, validation, callbacks).

One step is the textbook sequence

    scores = model(x);  loss = loss_fn(scores, y) [+ l2/2 * sum ||W||^2];
    optimizer.zero_grad();  loss.backward();  optimizer.step()

An epoch is a pass over `train_loader`, then a pass over `val_loader` in eval mode, then the
scheduler step, then the callbacks. Everything a run depends on is deterministic given its
seeds, and a checkpoint (`ModelCheckpoint`, see `checkpoint.py`) records all of it, so
`fit(..., resume_from=checkpoint)` continues exactly as the uninterrupted run would have.

A run that has ended (a callback stopped it, or it trained all its epochs) is finished: its last
checkpoint is written after `on_train_end` (so it holds the weights the run ended with, e.g. the
best epoch's put back by `EarlyStopping(restore_best=True)`) and is marked finished. Resuming a
finished run trains nothing: `fit` returns its History and the model holds its final weights.
"""

from __future__ import annotations

import math
import time

import numpy as np

from ..optim.lr_scheduler import ReduceLROnPlateau
from ..tensor import Tensor
from ..validation import check_int, check_real
from . import checkpoint
from .callbacks import Callback
from .evaluation import evaluate
from .history import History
from .penalty import l2_penalty
from .progress import RichProgress, SilentProgress
from .state import TrainingState
from .wording import plural

__all__ = ["fit", "NonFiniteLossError"]


class NonFiniteLossError(RuntimeError):
    """The loss became NaN or infinite; training stopped before that step's update.

    Attributes: `epoch`, `step` (1-based), `loss`, `lr`, and `history` (the epochs completed).
    """

    def __init__(self, epoch: int, step: int, steps: int | None, loss: float, lr: float | None):
        self.epoch, self.step, self.loss, self.lr = epoch, step, loss, lr
        of = f" of {steps}" if steps else ""
        advice = (f"the learning rate ({lr:g}) is probably too high: try a lower one, e.g. {lr / 10:g}"
                  if lr else "try a lower learning rate")
        super().__init__(f"loss became {loss} at epoch {epoch}, step {step}{of}; training stopped "
                         f"(the weights are those before that step). {advice[0].upper()}{advice[1:]}")


def fit(model, loss_fn, optimizer, train_loader, val_loader=None, *, epochs: int, callbacks=(),
        scheduler=None, l2: float = 0.0, resume_from=None, verbose: bool = True,
        console=None) -> History:
    """Train `model` for `epochs` epochs; return the `History` (one record per epoch).

    Args:
        model: a `gradcraft.nn.Module` mapping a batch of features to scores (N, K).
        loss_fn: `loss_fn(scores, labels) -> scalar Tensor` reduced by mean, e.g.
            `gradcraft.losses.softmax_cross_entropy`.
        optimizer: a `gradcraft.optim` optimizer over the model's parameters.
        train_loader: yields (x, y) batches; a `DataLoader` is told the epoch (`set_epoch`),
            so its shuffle order depends only on (seed, epoch).
        val_loader: optional (x, y) batches scored after every epoch (eval mode, no graph; a
            DataLoader is read in dataset order, see `evaluate`).
        epochs: the total number of epochs; a resumed run trains the ones still missing
            (never fewer than the checkpoint already trained: that is a ValueError).
        callbacks: `Callback`s, e.g. `EarlyStopping(patience=5)`, `ModelCheckpoint(path)`.
        scheduler: a learning-rate scheduler stepped once per epoch (ReduceLROnPlateau gets the
            validation loss, or the training loss without validation data).
        l2: adds the explicit penalty l2/2 * sum ||W||^2 over weight matrices to the loss
            (see `l2_penalty`); the reported losses exclude it, so train and val compare.
        resume_from: a checkpoint written by `ModelCheckpoint`: continue that run (same model,
            optimizer, loaders and callbacks as the original call). If the run had finished
            (a callback such as EarlyStopping stopped it, or it trained all its `epochs`),
            nothing is trained: the History is returned as saved, the model holds the weights
            the run ended with and the callbacks their final state. A run that trained all its
            epochs without being stopped may be extended with a larger `epochs` (as loading the
            last checkpoint and training on in PyTorch): it continues from its last epoch and
            gives what one run with the larger `epochs` gives when nothing depends on the total
            (a CosineAnnealingLR(T_max=epochs) does). That is refused (ValueError) when
            EarlyStopping(restore_best=True) replaced its last weights by its best epoch's.
        verbose: show a progress bar and a per-epoch table (through `console`, a rich Console).

    Raises:
        NonFiniteLossError: the loss became NaN or inf (the message names epoch and step).
    """
    callbacks, epochs, l2 = _check_args(model, loss_fn, optimizer, train_loader, epochs, callbacks, l2)
    state = TrainingState(model, optimizer, loss_fn, train_loader, val_loader, scheduler, epochs,
                          callbacks, l2)
    progress = RichProgress(console) if verbose else SilentProgress()
    if resume_from is not None and checkpoint.resume(state, resume_from):
        return _nothing_left_to_train(state, progress, resume_from)
    progress.train_begin(state.epochs, state.epoch + 1)
    try:
        for callback in callbacks:
            callback.on_train_begin(state)
        while state.epoch < state.epochs and not state.stop_training:
            state.epoch += 1
            started, lr = time.perf_counter(), state.lr
            for callback in callbacks:
                callback.on_epoch_begin(state)
            train_loss, train_acc = _train_one_epoch(state, progress)
            val = evaluate(model, val_loader, loss_fn) if val_loader is not None else {}
            state.history.append({
                "epoch": state.epoch, "train_loss": train_loss, "train_acc": train_acc,
                "val_loss": val.get("loss"), "val_acc": val.get("accuracy"), "lr": lr,
                "seconds": time.perf_counter() - started,
            })
            _step_scheduler(scheduler, val.get("loss", train_loss))
            for callback in callbacks:
                callback.on_epoch_end(state)
            progress.epoch_end(state.history[-1])
        state.finished = True
        for callback in callbacks:
            callback.on_train_end(state)
        for note in _stop_notes(state):
            progress.note(note)
    except NonFiniteLossError as error:
        error.history = state.history  # the epochs completed before the failure
        raise
    finally:
        progress.train_end()
    return state.history


def _train_one_epoch(state: TrainingState, progress) -> tuple[float, float | None]:
    """One pass over the training batches; returns (mean loss, accuracy or None)."""
    model, optimizer, loss_fn, loader = state.model, state.optimizer, state.loss_fn, state.train_loader
    if hasattr(loader, "set_epoch"):
        loader.set_epoch(state.epoch - 1)  # loaders count epochs from 0
    model.train()
    steps = len(loader) if hasattr(loader, "__len__") else None
    progress.epoch_begin(state.epoch, steps)
    total_loss, correct, seen, accuracy_known = 0.0, 0, 0, True
    for step, (x, y) in enumerate(loader, start=1):
        # A diverging run overflows long before the loss is checked; the loss check below is
        # the one clear report of it, so NumPy's overflow warnings would only be noise.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            scores = model(x)
            loss = loss_fn(scores, y)
            objective = loss + l2_penalty(model, state.l2) if state.l2 else loss
            value = float(objective.data)
            if not math.isfinite(value):
                raise NonFiniteLossError(state.epoch, step, steps, value, state.lr)
            optimizer.zero_grad()
            objective.backward()
            optimizer.step()
        labels = y.data if isinstance(y, Tensor) else np.asarray(y)
        n = len(labels)
        total_loss += float(loss.data) * n
        seen += n
        if accuracy_known and scores.ndim == 2 and labels.ndim == 1 and labels.dtype.kind in "iu":
            correct += int(np.count_nonzero(scores.data.argmax(axis=1) == labels))
        else:
            accuracy_known = False
        progress.step(total_loss / seen, correct / seen if accuracy_known else None)
    if seen == 0:
        raise ValueError("fit: train_loader yielded no batches")
    return total_loss / seen, (correct / seen if accuracy_known else None)


def _step_scheduler(scheduler, metric) -> None:
    if scheduler is None:
        return
    if isinstance(scheduler, ReduceLROnPlateau):
        scheduler.step(metric)
    else:
        scheduler.step()


def _stop_notes(state: TrainingState) -> list[str]:
    """What the user should know about how the run ended (early stopping, restored weights)."""
    notes = list(state.notes)
    for callback in state.callbacks:
        stopped = getattr(callback, "stopped_epoch", None)
        if stopped is not None and stopped == state.epoch:
            notes.append(f"early stopping after epoch {stopped}: {callback.monitor} did not improve "
                         f"for {plural(callback.patience, 'epoch')} (best {callback.best:.4f} at "
                         f"epoch {callback.best_epoch})")
    if state.restored_epoch is not None:
        notes.append(f"restored the weights of epoch {state.restored_epoch}")
    return notes


def _nothing_left_to_train(state: TrainingState, progress, path) -> History:
    """Resuming a run that is over: no hook runs (training does not begin); the user sees why."""
    how = "a callback stopped it" if state.stop_training else "it trained all its epochs"
    progress.note(f"{path}: this run already ended after epoch {state.epoch} ({how}); nothing "
                  "left to train")
    for note in _stop_notes(state):
        progress.note(note)
    return state.history


def _check_args(model, loss_fn, optimizer, train_loader, epochs, callbacks, l2):
    """(callbacks in running order, epochs, l2) checked; TypeError / ValueError naming the argument."""
    if not callable(model) or not hasattr(model, "parameters"):
        raise TypeError(f"fit: model must be a gradcraft.nn.Module, got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"fit: loss_fn must be callable as loss_fn(scores, labels), got {type(loss_fn).__name__}")
    if not hasattr(optimizer, "step") or not hasattr(optimizer, "zero_grad"):
        raise TypeError(f"fit: optimizer must have step() and zero_grad(), got {type(optimizer).__name__}")
    if not hasattr(train_loader, "__iter__"):
        raise TypeError(f"fit: train_loader must be iterable (a DataLoader), got {type(train_loader).__name__}")
    if isinstance(callbacks, Callback) or not hasattr(callbacks, "__iter__"):
        raise TypeError(f"fit: callbacks must be a list of Callbacks, got a single "
                        f"{type(callbacks).__name__}; wrap it: callbacks=[...]")
    callbacks = list(callbacks)
    for c in callbacks:
        if not isinstance(c, Callback):
            raise TypeError(f"fit: callbacks must be Callback instances, got {type(c).__name__}")
    callbacks.sort(key=lambda c: c.order)  # stable: equal orders run as given
    return callbacks, check_int(epochs, "epochs", low=1), check_real(l2, "l2", low=0.0)
