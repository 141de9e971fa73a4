"""Callbacks: code `fit` runs at fixed points of training (Keras's hooks, PyTorch-style objects).

A callback subclasses `Callback` and overrides any of

    on_train_begin(state)   on_epoch_begin(state)   on_epoch_end(state)   on_train_end(state)

`state` is the `TrainingState` of the run: `state.model`, `state.optimizer`, `state.history`
(`state.history[-1]` is the epoch just finished), `state.epoch` (1-based, the epoch running or
just finished), `state.epochs`, and `state.stop_training` (set it to True to stop after this
epoch). A callback with state worth resuming (counters, best value) returns it from
`state_dict()` (JSON-able) and takes it back in `load_state_dict()`; state that is arrays (e.g.
weights) goes through `state_arrays()` -> {name: array} and `load_state_arrays(arrays)`.
Checkpoints keep both: the JSON in the model file's metadata, the arrays as tensors of its
companion file (see `checkpoint.py`).
"""

from __future__ import annotations

import math
from pathlib import Path

from ..validation import check_bool, check_int, check_real
from . import checkpoint
from .history import COLUMNS, resolve_mode
from .signals import deferred_signals

__all__ = ["Callback", "EarlyStopping", "ModelCheckpoint", "LambdaCallback"]


class Callback:
    #: Callbacks run in increasing `order` (then as given); checkpoints go last, so the state
    #: they save includes what the other callbacks did this epoch.
    order = 0

    def on_train_begin(self, state) -> None: ...

    def on_epoch_begin(self, state) -> None: ...

    def on_epoch_end(self, state) -> None: ...

    def on_train_end(self, state) -> None: ...

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None: ...

    def state_arrays(self) -> dict:
        """{name: NumPy array}: array state worth resuming (names: any str without spaces)."""
        return {}

    def load_state_arrays(self, arrays: dict) -> None:
        """Take back the arrays `state_arrays()` returned when the checkpoint was written (an
        empty dict if it returned none); called on resume right after `load_state_dict`."""


class LambdaCallback(Callback):
    """A callback from plain functions: `LambdaCallback(on_epoch_end=lambda state: ...)`."""

    def __init__(self, on_train_begin=None, on_epoch_begin=None, on_epoch_end=None, on_train_end=None):
        for name, fn in (("on_train_begin", on_train_begin), ("on_epoch_begin", on_epoch_begin),
                         ("on_epoch_end", on_epoch_end), ("on_train_end", on_train_end)):
            if fn is not None:
                if not callable(fn):
                    raise TypeError(f"LambdaCallback: {name} must be callable, got {type(fn).__name__}")
                setattr(self, name, fn)


class _Monitor:
    """The best value so far of one History column, and whether a new value improves on it."""

    def __init__(self, monitor: str, mode: str, min_delta: float):
        self.monitor = monitor
        self.mode = resolve_mode(monitor, mode)
        self.min_delta = check_real(min_delta, "min_delta", low=0.0)
        self.best = None
        self.best_epoch = None

    def value(self, state, who: str) -> float:
        value = state.history[-1][self.monitor]
        if value is None:
            hint = " (pass val_loader= to fit, or monitor a train_ column)" if self.monitor.startswith("val") else ""
            raise ValueError(f"{who} monitors {self.monitor!r}, but epoch {state.epoch} recorded no "
                             f"such value{hint}")
        return float(value)

    def check_data(self, state, who: str) -> None:
        """Refuse at the start a validation column that a run without val_loader never fills
        (rather than after the first, possibly long, epoch)."""
        if self.monitor.startswith("val") and getattr(state, "val_loader", True) is None:
            raise ValueError(f"{who} monitors {self.monitor!r}, but fit got no val_loader (pass "
                             "val_loader= to fit, or monitor a train_ column)")

    def improves(self, value: float) -> bool:
        """Better than the best by more than min_delta (the first value always is)."""
        if self.best is None:
            return math.isfinite(value)
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def state_dict(self) -> dict:
        return {"best": self.best, "best_epoch": self.best_epoch}

    def load_state_dict(self, state: dict) -> None:
        self.best, self.best_epoch = state.get("best"), state.get("best_epoch")


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved for `patience` epochs in a row.

    An epoch improves when its value beats the best so far by more than `min_delta` (lower for
    losses, higher for accuracies: `mode='auto'`). With `restore_best`, the model gets back the
    weights of its best epoch when training ends (stopped early or not); a `ModelCheckpoint`
    writes its final file after that, so resuming the finished run gives those weights too.
    The best weights are part of the resumable state (`state_arrays`): a checkpoint written
    after epoch k whose best epoch j < k stores epoch j's weights beside epoch k's (as tensors
    `callbacks.<i>.best.<state_dict key>` of its companion file), so a run resumed from it
    restores the same weights as the uninterrupted run. When j == k they are the checkpoint's own weights and are not
    stored twice.

    Example: val_loss 1.0, 0.8, 0.9, 0.85 with patience=2 stops after epoch 4 (epochs 3 and 4
    did not improve on epoch 2) and restores epoch 2's weights.
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 5, restore_best: bool = True,
                 min_delta: float = 0.0, mode: str = "auto"):
        self.patience = check_int(patience, "patience", low=1)
        self.tracker = _Monitor(monitor, mode, min_delta)
        self.restore_best = check_bool(restore_best, "restore_best")
        self.wait = 0
        self.stopped_epoch = None
        self.best_weights = None   # {state_dict key: array} of the best epoch (restore_best only)
        self._weights_epoch = None  # the epoch whose weights the model holds, as last seen

    monitor = property(lambda self: self.tracker.monitor)
    best = property(lambda self: self.tracker.best)
    best_epoch = property(lambda self: self.tracker.best_epoch)

    def on_train_begin(self, state) -> None:
        self.tracker.check_data(state, "EarlyStopping")
        self._weights_epoch = state.epoch  # 0, or the resumed checkpoint's epoch
        if not self.restore_best:
            return
        if self.best_weights is not None:  # from a checkpoint: check before training on
            self._check_fits(self.best_weights, state.model.state_dict())
        elif self.tracker.best_epoch is not None and self.tracker.best_epoch == state.epoch:
            # Resumed at the best epoch itself: the model just loaded holds exactly those weights.
            self.best_weights = state.model.state_dict()

    def on_epoch_end(self, state) -> None:
        self._weights_epoch = state.epoch
        value = self.tracker.value(state, "EarlyStopping")
        if self.tracker.improves(value):
            self.tracker.best, self.tracker.best_epoch = value, state.epoch
            self.wait = 0
            if self.restore_best:
                self.best_weights = state.model.state_dict()  # copies
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = state.epoch
            state.stop_training = True

    def on_train_end(self, state) -> None:
        last_epoch = state.history[-1]["epoch"] if len(state.history) else None
        if self.restore_best and self.best_weights is not None and self.tracker.best_epoch != last_epoch:
            state.model.load_state_dict(self.best_weights)
            state.restored_epoch = self._weights_epoch = self.tracker.best_epoch

    def state_dict(self) -> dict:
        return {**self.tracker.state_dict(), "wait": self.wait, "stopped_epoch": self.stopped_epoch}

    def load_state_dict(self, state: dict) -> None:
        self.tracker.load_state_dict(state)
        self.wait = int(state.get("wait", 0))
        self.stopped_epoch = state.get("stopped_epoch")

    def state_arrays(self) -> dict:
        """The best epoch's weights as {'best.<state_dict key>': array}, unless the model holds
        them itself (the best epoch is the one just finished, or they were put back)."""
        if not self.restore_best or self.best_weights is None \
                or self.tracker.best_epoch == self._weights_epoch:
            return {}
        return {f"best.{key}": value for key, value in self.best_weights.items()}

    def load_state_arrays(self, arrays: dict) -> None:
        unknown = sorted(name for name in arrays if not name.startswith("best."))
        if unknown:
            raise ValueError(f"EarlyStopping: unexpected state arrays {unknown} (only 'best.*')")
        best = {name[len("best."):]: value for name, value in arrays.items()}
        # None when the checkpoint stored none: on_train_begin then takes the loaded weights
        # if the best epoch is the checkpoint's own; never keep weights of an earlier run.
        self.best_weights = best if self.restore_best and best else None

    @staticmethod
    def _check_fits(best: dict, current: dict) -> None:
        problems = [f"missing {sorted(set(current) - set(best))}"] if set(current) - set(best) else []
        problems += [f"unexpected {sorted(set(best) - set(current))}"] if set(best) - set(current) else []
        problems += [f"{key}: shape {best[key].shape}, the model has {value.shape}"
                     for key, value in current.items() if key in best and best[key].shape != value.shape]
        if problems:
            raise ValueError("EarlyStopping: the best weights from the checkpoint do not fit the "
                             "model: " + "; ".join(problems))

    def __repr__(self) -> str:
        return (f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience}, "
                f"restore_best={self.restore_best}, min_delta={self.tracker.min_delta})")


class ModelCheckpoint(Callback):
    """Save the model, the optimizer and everything needed to resume, after each epoch (every
    `every` epochs) and at the end of the run.

    A checkpoint is a model file (it loads into PyTorch as it is, see `gradcraft.serialization`):
    its companion file holds the optimizer state and the callbacks' arrays, its metadata the rest
    of the training state and `metadata`, a JSON-able dict stored in every checkpoint (e.g. how
    to rebuild the model; the key 'fit' is reserved).

    The end of the run (a callback stopped it, or its last epoch) is saved after the other
    callbacks' `on_train_end`, so the file holds the weights the run ended with -- after
    `EarlyStopping(restore_best=True)` put back its best epoch -- and is marked finished:
    resuming it trains nothing more (see `fit`). With `save_best_only`, only the epochs that
    improve `monitor` are saved (right after the epoch, never marked finished): resuming one
    replays the rest of the run.

    `path` may hold format fields filled from the epoch's record, e.g.
    'ckpt-{epoch:03d}-{val_loss:.3f}.safetensors' (checked when training begins). Files are
    written atomically by `gradcraft.serialization.save`, so a crash never leaves a half-written
    checkpoint, and a SIGINT or SIGTERM arriving during a save is handled once it is complete.
    Resume with `fit(..., resume_from=path)`.
    """

    order = 100

    def __init__(self, path, monitor: str = "val_loss", save_best_only: bool = False,
                 mode: str = "auto", min_delta: float = 0.0, every: int = 1,
                 metadata: dict | None = None):
        self.path = str(path)
        self.tracker = _Monitor(monitor, mode, min_delta)
        self.save_best_only = check_bool(save_best_only, "save_best_only")
        self.every = check_int(every, "every", low=1)
        if metadata is not None and not isinstance(metadata, dict):
            raise TypeError(f"metadata must be a dict (JSON-able) or None, got {type(metadata).__name__}")
        if metadata and checkpoint.CHECKPOINT_KEY in metadata:
            raise ValueError(f"metadata: the key {checkpoint.CHECKPOINT_KEY!r} is reserved for the "
                             "training state")
        self.metadata = dict(metadata or {})
        self.last_saved = None  # path of the newest file written

    def on_train_begin(self, state) -> None:
        if self.save_best_only:
            self.tracker.check_data(state, "ModelCheckpoint")
        # A bad field in `path` fails now rather than when the run ends (the final save).
        self._fill_path({column: (0 if column == "epoch" else 0.0) for column in COLUMNS})

    def on_epoch_end(self, state) -> None:
        if self.save_best_only:
            value = self.tracker.value(state, "ModelCheckpoint")
            if not self.tracker.improves(value):
                return
            self.tracker.best, self.tracker.best_epoch = value, state.epoch
        elif state.stop_training or state.epoch >= state.epochs:
            return  # the run ends with this epoch: on_train_end saves its final state
        elif state.epoch % self.every:
            return
        self._save(state)

    def on_train_end(self, state) -> None:
        if not self.save_best_only and len(state.history):
            self._save(state)

    def _save(self, state) -> None:
        record = {k: (v if v is not None else float("nan")) for k, v in state.history[-1].items()}
        path = self._fill_path(record)
        # Everything resume needs, including this callback's own (just updated) state; a stop
        # signal waits until the files are written, so it lands after this epoch's checkpoint.
        with deferred_signals():
            checkpoint.save_checkpoint(state, path, self.metadata)
        self.last_saved = path

    def _fill_path(self, record: dict) -> Path:
        try:
            return Path(self.path.format(**record))
        except (KeyError, ValueError, IndexError, AttributeError, TypeError) as error:
            raise ValueError(f"ModelCheckpoint: cannot fill path {self.path!r} from the epoch's record "
                             f"(fields: {', '.join(record)}): {error}") from None

    def state_dict(self) -> dict:
        return self.tracker.state_dict()

    def load_state_dict(self, state: dict) -> None:
        self.tracker.load_state_dict(state)

    def __repr__(self) -> str:
        return (f"ModelCheckpoint({self.path!r}, monitor={self.tracker.monitor!r}, "
                f"save_best_only={self.save_best_only})")

