"""`gradcraft train` as functions: `train_run(config)` does the whole recipe (data,
standardisation, model, optimizer, fit, test, files) into a run directory (see `rundir.py`), and
`resume_run(DIR)` continues a run that was stopped, exactly as it would have gone on.

Every finished epoch is checkpointed into DIR/model.safetensors (and metrics.csv rewritten), so
a run stopped at any moment -- Ctrl-C, `kill`, a crash -- loses at most the epoch it was in.
Both functions build the run from its config in one place (`_assemble`), so a resumed run is
made of the same pieces as the uninterrupted one, and `fit(..., resume_from=DIR/model.safetensors)`
puts them back where they were (weights, optimizer, schedule, early stopping, random generators).

A KeyboardInterrupt (Ctrl-C; SIGTERM too inside `signals.interruptible()`, as the CLI runs it)
makes them write metrics.csv and curves.png of the epochs the checkpoint holds and raise
`RunInterrupted`, which says what was saved.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import __version__, optim
from ..data import DataLoader, Standardizer, load_dataset
from ..losses import softmax_cross_entropy
from ..models import build_model
from ..optim.registry import make_optimizer
from . import checkpoint
from .callbacks import Callback, EarlyStopping, ModelCheckpoint
from .config import TrainConfig
from .evaluation import evaluate
from .history import History
from .loop import NonFiniteLossError, fit
from .rundir import (MODEL_FILE, RUN_METADATA_KEY, check_run_dir, new_run_dir, read_record,
                     remove_model, write_record)
from .wording import plural

__all__ = ["train_run", "resume_run", "prepare_data", "model_options", "RunResult",
           "RunInterrupted"]

_EVAL_BATCH = 1024


class RunInterrupted(KeyboardInterrupt):
    """A run stopped by a signal (or Ctrl-C); its directory holds its last finished epoch.

    Attributes: `run_dir`, `epochs_done` (finished and checkpointed), `epochs` (the run's total),
    `signal` ('SIGINT', 'SIGTERM'), `training_finished` (every epoch was done: only the test
    results were still to be written).
    """

    def __init__(self, run_dir: Path, epochs_done: int, epochs: int, signal: str,
                 training_finished: bool):
        self.run_dir, self.epochs_done, self.epochs = run_dir, epochs_done, epochs
        self.signal, self.training_finished = signal, training_finished
        super().__init__(f"{signal}: {run_dir} holds {plural(epochs_done, 'finished epoch')} of {epochs}")


@dataclass
class RunResult:
    out_dir: Path
    history: History
    test_accuracy: float
    test_loss: float
    model: object                # None when `resume_run` found nothing to do
    seconds: float               # wall time of this call
    epochs_before: int = 0       # epochs already trained when this call began (resumed runs)
    already_done: bool = False   # `resume_run` of a finished run: nothing trained, nothing written
    note: str = ""               # how a finished run ended (already_done)


def model_options(config: TrainConfig) -> dict:
    """The keyword arguments of `build_model` that the config decides."""
    return dict(hidden=config.hidden, activation=config.activation, dropout=config.dropout,
                batch_norm=config.batch_norm,
                seed=config.seed)


def prepare_data(config: TrainConfig, test_only: bool = False):
    """(splits, standardizer or None): the dataset with train-fitted standardisation applied."""
    splits = load_dataset(config.dataset, root=config.data_dir,
                          val_fraction=0.0 if test_only else config.val_fraction, seed=config.seed)
    scaler = None
    if config.standardize != "none":
        scaler = Standardizer(per=config.standardize).fit(splits.train.arrays[0])
        splits.train = scaler.transform_dataset(splits.train)
        splits.test = scaler.transform_dataset(splits.test)
        if splits.val is not None:
            splits.val = scaler.transform_dataset(splits.val)
    return splits, scaler


# ---------------------------------------------------------------------------------- running
def train_run(config: TrainConfig, console=None, data=None) -> RunResult:
    """Train as `gradcraft train` does and write the run directory (`config.out`, default
    runs/<timestamp>/). `console` (a rich Console) shows progress; None trains silently. `data`:
    the result of `prepare_data(config)` if already loaded. NonFiniteLossError propagates after
    metrics.csv and config.json of the failed run are written (and no model file is left);
    RunInterrupted when stopped (see the module docstring)."""
    started = time.perf_counter()
    splits, scaler = prepare_data(config) if data is None else data
    out_dir = new_run_dir(config.out)
    run = _assemble(config.replace(out=str(out_dir)), splits, scaler, out_dir)
    write_record(out_dir, run.record)
    _print_banner(run, console)
    return _train(run, console, started, resume_from=None, epochs_before=0)


def resume_run(run_dir, console=None, epochs: int | None = None, data_dir=None) -> RunResult:
    """Continue the run in `run_dir` from its last finished epoch, with the settings it was
    started with: it ends exactly as the uninterrupted run would have (weights, metrics, test
    results). `epochs` changes the total (more, to extend a run; not fewer than already
    trained; not for a cosine schedule, whose learning rates depend on the total); `data_dir`
    says where the dataset's files are now. A run that has finished is not trained again:
    the result has `already_done` and nothing is written. A directory whose first epoch never
    finished is trained from the start."""
    started = time.perf_counter()
    run_dir = check_run_dir(run_dir)
    record = read_record(run_dir)
    config = TrainConfig.from_dict(record["config"], source=str(run_dir / "config.json"))
    changes = {"out": str(run_dir)}
    if data_dir is not None:
        changes["data_dir"] = str(data_dir)
    if epochs is not None:
        if epochs != config.epochs and config.schedule == "cosine":
            raise ValueError(f"epochs: the run in {run_dir} anneals its learning rate over its "
                             f"{plural(config.epochs, 'epoch')} (cosine schedule), so it cannot continue to "
                             f"{epochs}; start a new run (--schedule constant runs can be extended)")
        changes["epochs"] = epochs
    config = config.replace(**changes)
    model_file = run_dir / MODEL_FILE
    saved = _saved_state(model_file)
    if saved is not None:
        _check_resumable(saved, config, run_dir)
        results = record.get("results") or {}
        if checkpoint.run_is_over(saved, config.epochs, model_file) and "test_accuracy" in results:
            trained = int(saved["epoch"])
            note = (f"early stopping ended it after epoch {trained}" if saved.get("stopped")
                    else f"it trained all its {plural(trained, 'epoch')}")
            return RunResult(run_dir, History.from_dict(saved["history"]), results["test_accuracy"],
                             results["test_loss"], None, time.perf_counter() - started,
                             epochs_before=trained, already_done=True, note=note)
    splits, scaler = prepare_data(config)
    run = _assemble(config, splits, scaler, run_dir)
    if run.dataset != record.get("dataset"):
        raise ValueError(f"the {config.dataset} data found now ({_sizes(run.dataset)}) are not those "
                         f"the run in {run_dir} was trained on ({_sizes(record.get('dataset') or {})})")
    write_record(run_dir, run.record)
    _print_banner(run, console)
    epochs_before = int(saved["epoch"]) if saved is not None else 0
    return _train(run, console, started, resume_from=model_file if saved is not None else None,
                  epochs_before=epochs_before)


def _saved_state(model_file: Path) -> dict | None:
    """The training state of a run directory's model file; None if there is no model file."""
    if not model_file.exists():
        return None  # no epoch finished: the run starts from the beginning
    saved = checkpoint.saved_training_state(model_file)
    if saved is None:
        raise ValueError(f"{model_file} holds weights without a training state (not written by "
                         "gradcraft train as a checkpoint): the run cannot be resumed")
    return saved


def _check_resumable(saved: dict, config: TrainConfig, run_dir: Path) -> None:
    """The refusals of `checkpoint.run_is_over`, worded for the command line."""
    trained = int(saved["epoch"])
    if config.epochs < trained:
        raise ValueError(f"epochs: the run in {run_dir} already trained {plural(trained, 'epoch')}; "
                         f"resume it with epochs >= {trained}, got {config.epochs}")
    restored = saved.get("restored_epoch")
    extending = saved.get("finished") and not saved.get("stopped") and config.epochs > trained
    if extending and restored is not None:
        raise ValueError(f"epochs: the run in {run_dir} finished its {plural(trained, 'epoch')} and early "
                         f"stopping then put back the weights of its best epoch ({restored}), so "
                         f"epoch {trained + 1} has nothing to start from; start a new run")


def _sizes(dataset: dict) -> str:
    return (f"{dataset.get('train_samples')} train / {dataset.get('val_samples')} val / "
            f"{dataset.get('test_samples')} test, input {dataset.get('input_shape')}")


# ---------------------------------------------------------------------------------- assembly
@dataclass
class _Run:
    """Everything a run is made of; `_assemble` builds it the same way for a new and a resumed run."""
    config: TrainConfig
    out_dir: Path
    splits: object
    dataset: dict
    record: dict                  # config.json without the results
    model: object
    optimizer: object
    train_loader: DataLoader
    val_loader: DataLoader | None
    callbacks: list
    scheduler: object


class _WriteMetrics(Callback):
    """Rewrites metrics.csv after every epoch (after its checkpoint), so it can be followed live."""

    order = 200

    def __init__(self, path: Path):
        self.path = path

    def on_epoch_end(self, state) -> None:
        state.history.to_csv(self.path)


def _assemble(config: TrainConfig, splits, scaler, out_dir: Path) -> _Run:
    dataset = _describe(splits)
    model = build_model(config.model, splits.input_shape, splits.num_classes, **model_options(config))
    optimizer = make_optimizer(config.optimizer, model.parameters(), config.lr, config.weight_decay)
    train_loader = DataLoader(splits.train, batch_size=config.batch_size, shuffle=True, seed=config.seed)
    val_loader = DataLoader(splits.val, batch_size=_EVAL_BATCH) if splits.val is not None else None
    scheduler = optim.CosineAnnealingLR(optimizer, T_max=config.epochs) if config.schedule == "cosine" else None
    how_to_rebuild = {RUN_METADATA_KEY: {
        "config": config.to_dict(), "dataset": dataset,
        "standardizer": None if scaler is None else {k: v.tolist() for k, v in scaler.state_dict().items()},
    }}
    callbacks = [EarlyStopping(patience=config.early_stopping)] if config.early_stopping else []
    callbacks += [ModelCheckpoint(out_dir / MODEL_FILE, metadata=how_to_rebuild),
                  _WriteMetrics(out_dir / "metrics.csv")]
    record = {"gradcraft_version": __version__, "config": config.to_dict(), "dataset": dataset}
    return _Run(config, out_dir, splits, dataset, record, model, optimizer, train_loader, val_loader,
                callbacks, scheduler)


def _describe(splits) -> dict:
    return {"name": splits.name, "class_names": list(splits.class_names),
            "input_shape": list(splits.input_shape), "num_classes": splits.num_classes,
            "train_samples": len(splits.train), "val_samples": len(splits.val) if splits.val else 0,
            "test_samples": len(splits.test)}


def _print_banner(run: _Run, console) -> None:
    if console is None:
        return
    config, dataset, splits = run.config, run.dataset, run.splits
    sizes = f"{dataset['train_samples']} train / {dataset['val_samples']} val / {dataset['test_samples']} test"
    widths = "-".join(str(w) for w in (int(np.prod(splits.input_shape)), *config.hidden, splits.num_classes))
    shape = f"{widths}, " if config.model == "mlp" else ("batch norm, " if config.batch_norm else "")
    console.print(f"dataset {splits.name}: {sizes}, input {tuple(splits.input_shape)}, "
                  f"{plural(splits.num_classes, 'class', 'classes')}", highlight=False)
    console.print(f"model {config.model} ({shape}{plural(run.model.num_parameters(), 'parameter')}), "
                  f"{config.activation}, dropout {config.dropout:g}; optimizer {config.optimizer}, "
                  f"lr {config.lr:g} ({config.schedule}), weight decay {config.weight_decay:g}, "
                  f"batch {config.batch_size}", highlight=False)


# ---------------------------------------------------------------------------------- training
def _train(run: _Run, console, started: float, resume_from, epochs_before: int) -> RunResult:
    try:
        history = fit(run.model, softmax_cross_entropy, run.optimizer, run.train_loader,
                      run.val_loader, epochs=run.config.epochs, callbacks=run.callbacks,
                      scheduler=run.scheduler, l2=run.config.l2, resume_from=resume_from,
                      verbose=console is not None, console=console)
        return _finish(run, history, started, epochs_before)
    except NonFiniteLossError as error:
        History(getattr(error, "history", ())).to_csv(run.out_dir / "metrics.csv")
        if resume_from is None:
            remove_model(run.out_dir)  # a diverged new run leaves no model: retry into DIR freely
        write_record(run.out_dir, {**run.record, "results": {"failed": str(error)}})
        raise
    except KeyboardInterrupt as interrupt:
        raise _interrupted(run, getattr(interrupt, "signal", "SIGINT")) from None


def _finish(run: _Run, history: History, started: float, epochs_before: int) -> RunResult:
    """Score the test split and write metrics.csv, curves.png and the results."""
    test = evaluate(run.model, DataLoader(run.splits.test, batch_size=_EVAL_BATCH), softmax_cross_entropy)
    history.to_csv(run.out_dir / "metrics.csv")
    _plot(run, history, f"test accuracy {test['accuracy']:.2%}")
    seconds = time.perf_counter() - started
    best = history.best("val_loss") if run.dataset["val_samples"] else None
    results = {"test_accuracy": test["accuracy"], "test_loss": test["loss"],
               "epochs_trained": len(history), "best_epoch": best["epoch"] if best else None,
               "seconds": round(seconds, 2)}
    if epochs_before:
        results["resumed_after_epoch"] = epochs_before
    write_record(run.out_dir, {**run.record, "results": results})
    return RunResult(run.out_dir, history, test["accuracy"], test["loss"], run.model, seconds,
                     epochs_before=epochs_before)


def _plot(run: _Run, history: History, subtitle: str) -> None:
    from ..viz import plot_history  # matplotlib loads in ~0.5 s: only when a run is written

    plot_history(history, run.out_dir / "curves.png",
                 title=f"{run.config.model} on {run.splits.name}: {subtitle}")


def _interrupted(run: _Run, signal: str) -> RunInterrupted:
    """Write what the checkpoint holds (metrics.csv, curves.png, config.json) after a stop."""
    try:
        saved = _saved_state(run.out_dir / MODEL_FILE)
    except (OSError, ValueError):
        saved = None
    history = History.from_dict(saved["history"]) if saved is not None else History()
    history.to_csv(run.out_dir / "metrics.csv")
    if len(history):
        _plot(run, history, f"{len(history)} of {plural(run.config.epochs, 'epoch')} (interrupted)")
    write_record(run.out_dir, {**run.record, "results": {"interrupted": signal,
                                                           "epochs_trained": len(history)}})
    finished = bool(saved is not None and saved.get("finished"))
    return RunInterrupted(run.out_dir, len(history), run.config.epochs, signal, finished)
