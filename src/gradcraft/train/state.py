"""`TrainingState`: everything about a run in progress that callbacks may read."""

from __future__ import annotations

from .history import History

__all__ = ["TrainingState"]


class TrainingState:
    """The run `fit` is doing: `model`, `optimizer`, `loss_fn`, the loaders, `scheduler`,
    `epochs` (the total), `callbacks`, `l2`, the `history` so far, `epoch` (1-based: the epoch
    running, or the last one finished), and `stop_training` (a callback sets it to True to end
    the run after this epoch)."""

    def __init__(self, model, optimizer, loss_fn, train_loader, val_loader, scheduler, epochs,
                 callbacks, l2):
        self.model, self.optimizer, self.loss_fn = model, optimizer, loss_fn
        self.train_loader, self.val_loader, self.scheduler = train_loader, val_loader, scheduler
        self.epochs = epochs
        self.callbacks = callbacks
        self.l2 = l2
        self.history = History()
        self.epoch = 0
        self.stop_training = False
        self.restored_epoch = None   # set by EarlyStopping(restore_best=True) when it restores
        self.finished = False        # set when no epoch is left to run, before on_train_end
        self.notes: list[str] = []   # one-line messages for the user (shown when verbose)

    @property
    def lr(self) -> float | None:
        """The learning rate of the first parameter group (None for an optimizer without groups)."""
        groups = getattr(self.optimizer, "param_groups", None)
        return float(groups[0]["lr"]) if groups else None
