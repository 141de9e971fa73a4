"""`fit`: the training loop (epochs of mini-batch steps, validation, callbacks, resume).

One step is the textbook sequence

    scores = model(x);  loss = loss_fn(scores, y) [+ l2/2 * sum ||W||^2];
    optimizer.zero_grad();  loss.backward();  optimizer.step()

An epoch is a pass over `train_loader`, then a pass over `val_loader` in eval mode, then the
scheduler step, then the callbacks. Everything a run depends on is deterministic given its
seeds, and a checkpoint (`ModelCheckpoint`) records all of it -- weights, optimizer state, the
scheduler, the callbacks' counters, the history and the random generators' positions -- so
`fit(..., resume_from=checkpoint)` continues exactly as the uninterrupted run would have.
"""

from __future__ import annotations

import math
import numbers
import time

import numpy as np

from .. import serialization
from ..optim.lr_scheduler import ReduceLROnPlateau
from ..tensor import Tensor
from .callbacks import Callback
from .evaluation import evaluate
from .history import History
from .progress import RichProgress, SilentProgress
from .random_state import generator_states, restore_generator_states

__all__ = ["fit", "TrainingState", "NonFiniteLossError", "l2_penalty"]

_CHECKPOINT_KEY = "fit"  # the key of the training state in a checkpoint's metadata


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


class TrainingState:
    """Everything about a run in progress that callbacks may read (and `stop_training` to set)."""

    def __init__(self, model, optimizer, loss_fn, train_loader, val_loader, scheduler, epochs,
                 callbacks, l2):
        self.model, self.optimizer, self.loss_fn = model, optimizer, loss_fn
        self.train_loader, self.val_loader, self.scheduler = train_loader, val_loader, scheduler
        self.epochs = epochs
        self.callbacks = callbacks
        self.l2 = l2
        self.history = History()
        self.epoch = 0               # 1-based: the epoch running, or the last one finished
        self.stop_training = False
        self.restored_epoch = None   # set by EarlyStopping(restore_best=True) when it restores
        self.notes: list[str] = []   # one-line messages for the user (shown when verbose)

    @property
    def lr(self) -> float | None:
        groups = getattr(self.optimizer, "param_groups", None)
        return float(groups[0]["lr"]) if groups else None

    def _callback_keys(self):
        return [f"{i}:{type(c).__name__}" for i, c in enumerate(self.callbacks)]

    def checkpoint_metadata(self) -> dict:
        """The JSON-able training state a checkpoint stores beside the weights."""
        return {_CHECKPOINT_KEY: {
            "epoch": self.epoch,
            "history": self.history.to_dict(),
            "generators": generator_states(model=self.model, train_loader=self.train_loader),
            "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
            "callbacks": {k: c.state_dict() for k, c in zip(self._callback_keys(), self.callbacks)},
            "l2": self.l2,
        }}

    def save_checkpoint(self, path) -> None:
        """Write weights, optimizer state and `checkpoint_metadata()` to `path` (atomically)."""
        serialization.save(self.model, path, optimizer=self.optimizer,
                           metadata=self.checkpoint_metadata())

    def resume(self, path) -> None:
        """Load a checkpoint written by `save_checkpoint` into this run (model, optimizer, ...)."""
        saved = serialization.load_metadata(path).get(_CHECKPOINT_KEY)
        if saved is None:
            raise ValueError(f"resume_from={str(path)!r}: the file holds weights but no training "
                             "state; write resumable checkpoints with ModelCheckpoint")
        if saved.get("l2", 0.0) != self.l2:
            raise ValueError(f"resume_from: the checkpoint was trained with l2={saved.get('l2')}, "
                             f"this run has l2={self.l2}")
        # Generators first: their check refuses another architecture before anything is loaded.
        restore_generator_states(saved["generators"], model=self.model, train_loader=self.train_loader)
        serialization.load(self.model, path, optimizer=self.optimizer)
        if (saved["scheduler"] is None) != (self.scheduler is None):
            raise ValueError("resume_from: the checkpoint and this run disagree on having a scheduler")
        if self.scheduler is not None:
            self.scheduler.load_state_dict(saved["scheduler"])
        for key, callback in zip(self._callback_keys(), self.callbacks):
            if key in saved["callbacks"]:
                callback.load_state_dict(saved["callbacks"][key])
        self.history = History.from_dict(saved["history"])
        self.epoch = int(saved["epoch"])


def l2_penalty(model, lam: float) -> Tensor:
    """lam/2 * sum ||W||^2 over the model's weight matrices and kernels (parameters with 2 or
    more axes; biases and normalisation scales are not penalised).

    Its gradient is lam * W: the same as SGD's weight_decay=lam on those parameters.
    """
    weights = [p for _, p in model.named_parameters() if p.ndim >= 2 and p.requires_grad]
    if not weights:
        raise ValueError("l2 penalty: the model has no weight matrices (parameters with ndim >= 2)")
    total = (weights[0] * weights[0]).sum()
    for w in weights[1:]:
        total = total + (w * w).sum()
    return total * (lam / 2)


def _check_args(model, loss_fn, optimizer, train_loader, epochs, callbacks, l2):
    if not callable(model) or not hasattr(model, "parameters"):
        raise TypeError(f"fit: model must be a gradcraft.nn.Module, got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"fit: loss_fn must be callable as loss_fn(scores, labels), got {type(loss_fn).__name__}")
    if not hasattr(optimizer, "step") or not hasattr(optimizer, "zero_grad"):
        raise TypeError(f"fit: optimizer must have step() and zero_grad(), got {type(optimizer).__name__}")
    if not hasattr(train_loader, "__iter__"):
        raise TypeError(f"fit: train_loader must be iterable (a DataLoader), got {type(train_loader).__name__}")
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1:
        raise ValueError(f"fit: epochs must be an int >= 1, got {epochs!r}")
    for c in callbacks:
        if not isinstance(c, Callback):
            raise TypeError(f"fit: callbacks must be Callback instances, got {type(c).__name__}")
    if isinstance(l2, bool) or not isinstance(l2, numbers.Real) or not l2 >= 0:
        raise ValueError(f"fit: l2 must be a number >= 0, got {l2!r}")


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
        val_loader: optional (x, y) batches scored after every epoch (eval mode, no graph).
        epochs: the total number of epochs; a resumed run trains the ones still missing.
        callbacks: `Callback`s, e.g. `EarlyStopping(patience=5)`, `ModelCheckpoint(path)`.
        scheduler: a learning-rate scheduler stepped once per epoch (ReduceLROnPlateau gets the
            validation loss, or the training loss without validation data).
        l2: adds the explicit penalty l2/2 * sum ||W||^2 over weight matrices to the loss
            (see `l2_penalty`); the reported losses exclude it, so train and val compare.
        resume_from: a checkpoint written by `ModelCheckpoint`: continue that run (same model,
            optimizer, loaders and callbacks as the original call).
        verbose: show a progress bar and a per-epoch table (through `console`, a rich Console).

    Raises:
        NonFiniteLossError: the loss became NaN or inf (the message names epoch and step).
    """
    if isinstance(callbacks, Callback) or not hasattr(callbacks, "__iter__"):
        raise TypeError(f"fit: callbacks must be a list of Callbacks, got a single "
                        f"{type(callbacks).__name__}; wrap it: callbacks=[...]")
    callbacks = sorted(callbacks, key=lambda c: getattr(c, "order", 0))  # stable
    _check_args(model, loss_fn, optimizer, train_loader, epochs, callbacks, l2)
    state = TrainingState(model, optimizer, loss_fn, train_loader, val_loader, scheduler, int(epochs),
                          callbacks, float(l2))
    if resume_from is not None:
        state.resume(resume_from)
    progress = RichProgress(console) if verbose else SilentProgress()
    progress.train_begin(state.epochs, state.epoch + 1)
    try:
        for callback in callbacks:
            callback.on_train_begin(state)
        while state.epoch < state.epochs and not state.stop_training:
            state.epoch += 1
            started = time.perf_counter()
            lr = state.lr
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
        for callback in callbacks:
            callback.on_train_end(state)
        for note in _stop_notes(state, callbacks):
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


def _stop_notes(state: TrainingState, callbacks) -> list[str]:
    notes = list(state.notes)
    for callback in callbacks:
        stopped = getattr(callback, "stopped_epoch", None)
        if stopped is not None and stopped == state.epoch:
            notes.append(f"early stopping after epoch {stopped}: {callback.monitor} did not improve "
                         f"for {callback.patience} epochs (best {callback.best:.4f} at epoch "
                         f"{callback.best_epoch})")
    if state.restored_epoch is not None:
        notes.append(f"restored the weights of epoch {state.restored_epoch}")
    return notes
