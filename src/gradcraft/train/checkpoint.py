"""Checkpoints of a run in progress: what `ModelCheckpoint` writes and `fit(resume_from=)` reads.

A checkpoint is a model file (`gradcraft.serialization.save`): the weights as the tensor table,
the optimizer state and the callbacks' arrays (e.g. EarlyStopping's best weights) in its
companion file, and in its metadata, under "fit", the JSON-able rest of the run:

    epoch            the last epoch finished
    history          the History so far
    generators       the positions of every random Generator of the model and train loader
    scheduler        the scheduler's state_dict (None without one)
    callbacks        {"<index>:<class>": callback.state_dict()}
    callback_arrays  {"<index>:<class>": [names of its state_arrays()]}, stored as tensors
                     callbacks.<index>.<name>
    l2, stopped (a callback ended the run), finished (written at the end of the run),
    restored_epoch (EarlyStopping put back that epoch's weights)

With all of it restored, `fit(..., resume_from=path)` continues exactly as the uninterrupted run
would have. `resume` checks the saved state against the run being resumed (l2, epochs, the
generators' layout, the scheduler) before it loads anything.

A run is over -- resuming it trains nothing -- when a callback stopped it, or when it trained
all its epochs and is resumed with the same total. A run that trained all its epochs can be
extended with a larger total, unless EarlyStopping(restore_best=True) replaced its last
weights by its best epoch's (the next epoch would not start from where the last one ended).
"""

from __future__ import annotations

from .. import serialization
from .history import History
from .random_state import generator_states, restore_generator_states
from .wording import plural

__all__ = ["CHECKPOINT_KEY", "save_checkpoint", "resume", "run_is_over", "saved_training_state"]

CHECKPOINT_KEY = "fit"  # the key of the training state in a checkpoint's metadata
_CALLBACK_TENSORS = "callbacks."  # + "<callback index>.<name>": a callback's state_arrays()


def _callback_keys(callbacks) -> list[str]:
    return [f"{i}:{type(c).__name__}" for i, c in enumerate(callbacks)]


def save_checkpoint(state, path, metadata: dict | None = None) -> None:
    """Write the run `state` (a TrainingState) to `path`: weights, optimizer state, the training
    state under metadata["fit"] beside the user's `metadata`, the callbacks' arrays."""
    if metadata is not None and CHECKPOINT_KEY in metadata:
        raise ValueError(f"checkpoint metadata: the key {CHECKPOINT_KEY!r} is reserved for the "
                         "training state")
    keys = _callback_keys(state.callbacks)
    tensors, names = {}, {}
    for index, (key, callback) in enumerate(zip(keys, state.callbacks)):
        arrays = callback.state_arrays()
        if arrays:
            names[key] = list(arrays)  # so that resume can tell a tensor is missing
            tensors.update({f"{_CALLBACK_TENSORS}{index}.{name}": value for name, value in arrays.items()})
    training = {
        "epoch": state.epoch,
        "history": state.history.to_dict(),
        "generators": generator_states(model=state.model, train_loader=state.train_loader),
        "scheduler": state.scheduler.state_dict() if state.scheduler is not None else None,
        "callbacks": {key: c.state_dict() for key, c in zip(keys, state.callbacks)},
        "callback_arrays": names,
        "l2": state.l2,
        "stopped": state.stop_training,
        "finished": state.finished,
        "restored_epoch": state.restored_epoch,
    }
    serialization.save(state.model, path, optimizer=state.optimizer,
                       metadata={**(metadata or {}), CHECKPOINT_KEY: training}, extra_tensors=tensors)


def saved_training_state(path) -> dict | None:
    """The training state ("fit" metadata) of the model file `path`, or None if it holds
    weights only. Reads the model file alone."""
    return serialization.load_metadata(path).get(CHECKPOINT_KEY)


def resume(state, path) -> bool:
    """Load the checkpoint `path` into the run `state` (model, optimizer, scheduler, callbacks,
    history, generators). Returns True if that run is already over (nothing left to train).
    Everything is checked before anything is loaded."""
    checkpoint = serialization.read_checkpoint(path)  # both files, read once; corrupt ones fail here
    saved = checkpoint.metadata.get(CHECKPOINT_KEY)
    if saved is None:
        raise ValueError(f"resume_from={str(path)!r}: the file holds weights but no training "
                         "state; write resumable checkpoints with ModelCheckpoint")
    if saved.get("l2", 0.0) != state.l2:
        raise ValueError(f"resume_from: the checkpoint was trained with l2={saved.get('l2')}, "
                         f"this run has l2={state.l2}")
    over = run_is_over(saved, state.epochs, path)
    callback_arrays = _saved_callback_arrays(checkpoint, saved, path)
    # Generators first: their check refuses another architecture before anything is loaded.
    restore_generator_states(saved["generators"], model=state.model, train_loader=state.train_loader)
    if (saved["scheduler"] is None) != (state.scheduler is None):
        raise ValueError("resume_from: the checkpoint and this run disagree on having a scheduler")
    checkpoint.load_into(state.model, state.optimizer)
    if state.scheduler is not None:
        state.scheduler.load_state_dict(saved["scheduler"])
    for key, callback in zip(_callback_keys(state.callbacks), state.callbacks):
        if key in saved["callbacks"]:
            callback.load_state_dict(saved["callbacks"][key])
            callback.load_state_arrays(callback_arrays.get(key, {}))
    state.history = History.from_dict(saved["history"])
    state.epoch = int(saved["epoch"])
    state.stop_training = bool(saved.get("stopped", False))
    state.finished = over
    state.restored_epoch = saved.get("restored_epoch")
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


def run_is_over(saved: dict, epochs: int, path) -> bool:
    """Whether the checkpointed run (its saved training state) has nothing left to train when
    resumed with `epochs`; ValueError if `epochs` contradicts it or the run cannot go on."""
    trained = int(saved["epoch"])
    if epochs < trained:
        raise ValueError(f"fit: epochs={epochs}, but the checkpoint resume_from={str(path)!r} has "
                         f"already trained {plural(trained, 'epoch')}; pass epochs >= {trained}")
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
