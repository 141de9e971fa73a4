"""`fit`: the training loop (epochs of mini-batch steps, validation, callbacks, resume).

One step is the textbook sequence

    scores = model(x);  loss = loss_fn(scores, y) [+ l2/2 * sum ||W||^2];
    optimizer.zero_grad();  loss.backward();  optimizer.step()

An epoch is a pass over `train_loader`, then a pass over `val_loader` in eval mode, then the
scheduler step, then the callbacks. Everything a run depends on is deterministic given its
seeds, and a checkpoint (`ModelCheckpoint`) records all of it -- weights, optimizer state, the
scheduler, the callbacks' state (counters, and arrays such as EarlyStopping's best weights), the
history and the random generators' positions -- so
`fit(..., resume_from=checkpoint)` continues exactly as the uninterrupted run would have.

A run that has ended (a callback stopped it, or it trained all its epochs) is finished: its last
checkpoint is written after `on_train_end` (so it holds the weights the run ended with, e.g. the
best epoch's put back by `EarlyStopping(restore_best=True)`) and is marked finished. Resuming a
finished run trains nothing: `fit` returns its History and the model holds its final weights.
Only a run that trained all its epochs without being stopped can be extended, by resuming it
with a larger `epochs` -- and only if its final weights are still its last epoch's.
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
_CALLBACK_TENSORS = "callbacks."  # + "<callback index>.<name>": a callback's state_arrays()


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
        self.finished = False        # set when no epoch is left to run, before on_train_end
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
            "stopped": self.stop_training,       # a callback ended the run after this epoch
            "finished": self.finished,           # written at the end of the run (on_train_end)
            "restored_epoch": self.restored_epoch,
        }}

    def save_checkpoint(self, path) -> None:
        """Write weights, optimizer state, `checkpoint_metadata()` and the callbacks'
        `state_arrays()` (tensors callbacks.<index>.<name>) to `path` (atomically)."""
        metadata = self.checkpoint_metadata()
        tensors, names = {}, {}
        for index, (key, callback) in enumerate(zip(self._callback_keys(), self.callbacks)):
            arrays = callback.state_arrays()
            if arrays:
                names[key] = list(arrays)  # so that resume can tell a tensor is missing
                tensors.update({f"{_CALLBACK_TENSORS}{index}.{name}": value for name, value in arrays.items()})
        metadata[_CHECKPOINT_KEY]["callback_arrays"] = names
        serialization.save(self.model, path, optimizer=self.optimizer, metadata=metadata,
                           extra_tensors=tensors)

    def resume(self, path) -> bool:
        """Load a checkpoint written by `save_checkpoint` into this run (model, optimizer, ...).

        Returns True if that run is already over (nothing left to train). The saved training
        state is checked against this call (l2, epochs, generators, scheduler) before the
        weights and the optimizer state are loaded.
        """
        checkpoint = serialization.read_checkpoint(path)  # read once; a corrupt file fails here
        saved = checkpoint.metadata.get(_CHECKPOINT_KEY)
        if saved is None:
            raise ValueError(f"resume_from={str(path)!r}: the file holds weights but no training "
                             "state; write resumable checkpoints with ModelCheckpoint")
        if saved.get("l2", 0.0) != self.l2:
            raise ValueError(f"resume_from: the checkpoint was trained with l2={saved.get('l2')}, "
                             f"this run has l2={self.l2}")
        over = _run_is_over(saved, self.epochs, path)
        callback_arrays = _saved_callback_arrays(checkpoint, saved, path)
        # Generators first: their check refuses another architecture before anything is loaded.
        restore_generator_states(saved["generators"], model=self.model, train_loader=self.train_loader)
        if (saved["scheduler"] is None) != (self.scheduler is None):
            raise ValueError("resume_from: the checkpoint and this run disagree on having a scheduler")
        checkpoint.load_into(self.model, self.optimizer)
        if self.scheduler is not None:
            self.scheduler.load_state_dict(saved["scheduler"])
        for key, callback in zip(self._callback_keys(), self.callbacks):
            if key in saved["callbacks"]:
                callback.load_state_dict(saved["callbacks"][key])
                callback.load_state_arrays(callback_arrays.get(key, {}))
        self.history = History.from_dict(saved["history"])
        self.epoch = int(saved["epoch"])
        self.stop_training = bool(saved.get("stopped", False))
        self.finished = over
        self.restored_epoch = saved.get("restored_epoch")
        return over


def _saved_callback_arrays(checkpoint, saved: dict, path) -> dict:
    """{callback key: {name: array}} of the checkpoint, every array its metadata lists present."""
    arrays = {}
    for key, names in saved.get("callback_arrays", {}).items():
        prefix = f"{_CALLBACK_TENSORS}{key.split(':', 1)[0]}."
        tensors = checkpoint.extra_tensors(prefix)
        missing = [prefix + name for name in names if name not in tensors]
        if missing:
            raise ValueError(f"resume_from={str(path)!r}: the checkpoint lacks the tensors {missing} "
                             f"of callback {key}")
        arrays[key] = {name: tensors[name] for name in names}
    return arrays


def _run_is_over(saved: dict, epochs: int, path) -> bool:
    """Whether the checkpointed run (its saved training state) has nothing left to train when
    resumed with `epochs`; ValueError if `epochs` contradicts it or the run cannot go on."""
    trained = int(saved["epoch"])
    if epochs < trained:
        raise ValueError(f"fit: epochs={epochs}, but the checkpoint resume_from={str(path)!r} has "
                         f"already trained {trained} epochs; pass epochs >= {trained}")
    if not saved.get("finished", False):
        return False  # a mid-run checkpoint: replay the rest (a stopped one only ends the run)
    if saved.get("stopped", False) or epochs == trained:
        return True
    # A run that trained all its epochs, extended to more: it goes on from its final weights,
    # which must be its last epoch's for the new epochs to continue the same run.
    restored = saved.get("restored_epoch")
    if restored is not None:
        raise ValueError(
            f"fit: cannot extend the finished run in resume_from={str(path)!r} to epochs={epochs}: "
            f"at its end EarlyStopping(restore_best=True) put back the weights of epoch {restored}, "
            f"so the checkpoint no longer holds epoch {trained}'s weights that epoch {trained + 1} "
            "would start from. Train these weights further in a new run (serialization.load(model, "
            "path), then fit without resume_from), or use EarlyStopping(restore_best=False) in runs "
            "you mean to extend")
    return False


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
    if isinstance(callbacks, Callback) or not hasattr(callbacks, "__iter__"):
        raise TypeError(f"fit: callbacks must be a list of Callbacks, got a single "
                        f"{type(callbacks).__name__}; wrap it: callbacks=[...]")
    callbacks = sorted(callbacks, key=lambda c: getattr(c, "order", 0))  # stable
    _check_args(model, loss_fn, optimizer, train_loader, epochs, callbacks, l2)
    state = TrainingState(model, optimizer, loss_fn, train_loader, val_loader, scheduler, int(epochs),
                          callbacks, float(l2))
    progress = RichProgress(console) if verbose else SilentProgress()
    if resume_from is not None and state.resume(resume_from):  # the run had already ended
        return _finished_run(state, callbacks, progress, resume_from)
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
        state.finished = True
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


def _finished_run(state: TrainingState, callbacks, progress, path) -> History:
    """Resuming a run that is over: no hook runs (training does not begin); the user sees why."""
    how = "a callback stopped it" if state.stop_training else "it trained all its epochs"
    progress.note(f"resume_from={str(path)!r}: this run already ended after epoch {state.epoch} "
                  f"({how}); nothing left to train")
    for note in _stop_notes(state, callbacks):
        progress.note(note)
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
