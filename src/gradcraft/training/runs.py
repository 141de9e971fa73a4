"""Run directories: what `gradcraft train` writes and `gradcraft evaluate` reads back.

    DIR/config.json        the resolved TrainConfig, the dataset's description, the results
    DIR/metrics.csv        the History, one line per epoch
    DIR/model.safetensors  the trained weights; metadata: the config, the dataset (name, class
                           names, input shape) and the standardisation statistics
    DIR/curves.png         loss and accuracy per epoch, train vs validation

`train_run(config)` does the whole recipe (data, standardisation, model, optimizer, fit, test,
files); `load_run(DIR)` rebuilds the model and its preprocessing; `evaluate_run(DIR)` scores it
on the test split again.
"""

from __future__ import annotations

import datetime
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import __version__, metrics, optim, serialization
from ..data import DataLoader, Standardizer, load_dataset
from ..losses import softmax_cross_entropy
from ..models import build_model
from .callbacks import EarlyStopping
from .config import DEFAULT_WEIGHT_DECAY, TrainConfig
from .evaluation import evaluate, predict
from .history import History
from .loop import NonFiniteLossError, fit

__all__ = ["train_run", "load_run", "evaluate_run", "make_optimizer", "prepare_data", "RunResult",
           "LoadedRun", "EvaluationReport", "RUN_FILES", "new_run_dir"]

RUN_FILES = ("config.json", "metrics.csv", "model.safetensors", "curves.png")
_METADATA_KEY = "gradcraft_run"
_EVAL_BATCH = 1024


def make_optimizer(name: str, params, lr: float, weight_decay: float | None = None):
    """The optimizer called `name` (`gradcraft train --optimizer`); 'momentum' is SGD with 0.9.
    `weight_decay` None: the optimizer's own default (DEFAULT_WEIGHT_DECAY: 0.01 for adamw)."""
    params = list(params)
    if weight_decay is None and name in DEFAULT_WEIGHT_DECAY:
        weight_decay = DEFAULT_WEIGHT_DECAY[name]
    builders = {
        "sgd": lambda: optim.SGD(params, lr=lr, weight_decay=weight_decay),
        "momentum": lambda: optim.SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay),
        "adagrad": lambda: optim.Adagrad(params, lr=lr, weight_decay=weight_decay),
        "rmsprop": lambda: optim.RMSprop(params, lr=lr, weight_decay=weight_decay),
        "adam": lambda: optim.Adam(params, lr=lr, weight_decay=weight_decay),
        "adamw": lambda: optim.AdamW(params, lr=lr, weight_decay=weight_decay),
    }
    if name not in builders:
        raise ValueError(f"unknown optimizer {name!r}; valid: {', '.join(builders)}")
    return builders[name]()


def _model_options(config: TrainConfig) -> dict:
    return dict(hidden=config.hidden, activation=config.activation, dropout=config.dropout,
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


@dataclass
class RunResult:
    out_dir: Path
    history: History
    test_accuracy: float
    test_loss: float
    model: object
    seconds: float


def new_run_dir(out=None) -> Path:
    """Create (if needed) and return `out`, or a fresh runs/<YYYYmmdd-HHMMSS>/ directory."""
    if out is not None:
        path = Path(out)
        if path.exists() and not path.is_dir():
            raise ValueError(f"{out} exists and is not a directory")
        path.mkdir(parents=True, exist_ok=True)
        return path
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = Path("runs") / stamp
    path, n = base, 1
    while path.exists():
        path, n = base.with_name(f"{stamp}-{n}"), n + 1
    path.mkdir(parents=True)
    return path


def _describe(splits) -> dict:
    return {"name": splits.name, "class_names": list(splits.class_names),
            "input_shape": list(splits.input_shape), "num_classes": splits.num_classes,
            "train_samples": len(splits.train), "val_samples": len(splits.val) if splits.val else 0,
            "test_samples": len(splits.test)}


def _write_json(path: Path, value: dict) -> None:
    serialization.write_atomically(path, json.dumps(value, indent=2) + "\n", who="gradcraft train")


def train_run(config: TrainConfig, console=None, data=None) -> RunResult:
    """Train as `gradcraft train` does and write the run directory (`config.out`, default
    runs/<timestamp>/). `console` (a rich Console) shows progress; None trains silently. `data`:
    the result of `prepare_data(config)` if already loaded. NonFiniteLossError propagates after
    metrics.csv and config.json of the failed run are written."""
    started = time.perf_counter()
    splits, scaler = prepare_data(config) if data is None else data
    model = build_model(config.model, splits.input_shape, splits.num_classes, **_model_options(config))
    optimizer = make_optimizer(config.optimizer, model.parameters(), config.lr, config.weight_decay)
    train_loader = DataLoader(splits.train, batch_size=config.batch_size, shuffle=True, seed=config.seed)
    val_loader = DataLoader(splits.val, batch_size=_EVAL_BATCH) if splits.val is not None else None
    callbacks = [EarlyStopping(patience=config.early_stopping)] if config.early_stopping else []
    scheduler = optim.CosineAnnealingLR(optimizer, T_max=config.epochs) if config.schedule == "cosine" else None
    out_dir = new_run_dir(config.out)
    dataset = _describe(splits)
    record = {"gradcraft_version": __version__, "config": config.to_dict(), "dataset": dataset}
    _write_json(out_dir / "config.json", record)
    if console is not None:
        sizes = f"{dataset['train_samples']} train / {dataset['val_samples']} val / {dataset['test_samples']} test"
        widths = "-".join(str(w) for w in (int(np.prod(splits.input_shape)), *config.hidden, splits.num_classes))
        console.print(f"dataset {splits.name}: {sizes}, input {tuple(splits.input_shape)}, "
                      f"{splits.num_classes} classes", highlight=False)
        console.print(f"model {config.model} {widths} ({model.num_parameters():,} parameters), "
                      f"{config.activation}, dropout {config.dropout:g}; optimizer {config.optimizer}, "
                      f"lr {config.lr:g} ({config.schedule}), weight decay {config.weight_decay:g}, "
                      f"batch {config.batch_size}", highlight=False)
    try:
        history = fit(model, softmax_cross_entropy, optimizer, train_loader, val_loader,
                      epochs=config.epochs, callbacks=callbacks, scheduler=scheduler, l2=config.l2,
                      verbose=console is not None, console=console)
    except NonFiniteLossError as error:
        History(getattr(error, "history", ())).to_csv(out_dir / "metrics.csv")
        _write_json(out_dir / "config.json", {**record, "results": {"failed": str(error)}})
        raise
    test = evaluate(model, DataLoader(splits.test, batch_size=_EVAL_BATCH), softmax_cross_entropy)
    metadata = {_METADATA_KEY: {
        "config": config.to_dict(), "dataset": dataset,
        "standardizer": None if scaler is None else {k: v.tolist() for k, v in scaler.state_dict().items()},
    }}
    serialization.save(model, out_dir / "model.safetensors", metadata=metadata)
    history.to_csv(out_dir / "metrics.csv")
    from ..viz import plot_history  # matplotlib loads in ~0.5 s: only when a run is written

    plot_history(history, out_dir / "curves.png",
                 title=f"{config.model} on {splits.name}: test accuracy {test['accuracy']:.2%}")
    seconds = time.perf_counter() - started
    best = history.best("val_loss") if dataset["val_samples"] else None
    _write_json(out_dir / "config.json", {**record, "results": {
        "test_accuracy": test["accuracy"], "test_loss": test["loss"], "epochs_trained": len(history),
        "best_epoch": best["epoch"] if best else None, "seconds": round(seconds, 2)}})
    return RunResult(out_dir, history, test["accuracy"], test["loss"], model, seconds)


# ---------------------------------------------------------------------------------- reading runs
@dataclass
class LoadedRun:
    run_dir: Path
    config: TrainConfig
    model: object
    standardizer: Standardizer | None
    dataset: dict


def load_run(run_dir) -> LoadedRun:
    """Rebuild a run's model (weights loaded, eval mode) and its standardisation from DIR."""
    run_dir = Path(run_dir)
    if not run_dir.exists():
        raise ValueError(f"run directory not found: {run_dir}")
    if not run_dir.is_dir():
        raise ValueError(f"{run_dir} is a file, not a run directory (written by gradcraft train --out)")
    missing = [name for name in ("config.json", "model.safetensors") if not (run_dir / name).is_file()]
    if missing:
        raise ValueError(f"{run_dir} is not a complete gradcraft run: missing {', '.join(missing)} "
                         "(written by `gradcraft train --out DIR`)")
    try:
        record = json.loads((run_dir / "config.json").read_text())
        config = TrainConfig.from_dict(record["config"], source=str(run_dir / "config.json"))
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"{run_dir / 'config.json'} is not a gradcraft run config: {error!r}") from None
    saved = serialization.load_metadata(run_dir / "model.safetensors").get(_METADATA_KEY)
    if saved is None:
        raise ValueError(f"{run_dir / 'model.safetensors'} has no run metadata (not written by gradcraft train)")
    dataset = saved["dataset"]
    model = build_model(config.model, dataset["input_shape"], dataset["num_classes"], **_model_options(config))
    serialization.load(model, run_dir / "model.safetensors")
    model.eval()
    scaler = None
    if saved.get("standardizer") is not None:
        scaler = Standardizer.from_state_dict({k: np.array(v) for k, v in saved["standardizer"].items()})
    return LoadedRun(run_dir, config, model, scaler, dataset)


@dataclass
class EvaluationReport:
    dataset: str
    samples: int
    accuracy: float
    loss: float
    top_k: int
    top_k_error: float
    confusion: np.ndarray        # (K, K): rows true class, columns predicted
    class_names: list


def evaluate_run(run_dir, data_dir=None, top_k: int | None = None) -> EvaluationReport:
    """Score a run's model on its dataset's test split (data from `data_dir`, else the run's)."""
    run = load_run(run_dir)
    config = run.config if data_dir is None else run.config.replace(data_dir=str(data_dir))
    splits = load_dataset(config.dataset, root=config.data_dir)
    if list(splits.input_shape) != list(run.dataset["input_shape"]):
        raise ValueError(f"the {config.dataset} data found has samples of shape {splits.input_shape}, "
                         f"the model was trained on {tuple(run.dataset['input_shape'])}")
    test = splits.test if run.standardizer is None else run.standardizer.transform_dataset(splits.test)
    scores = predict(run.model, test, batch_size=_EVAL_BATCH)
    labels = test.arrays[1]
    num_classes = scores.shape[1]
    k = min(5, num_classes - 1) if top_k is None else top_k
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= num_classes:
        raise ValueError(f"top-k must be an int in [1, {num_classes}] (the number of classes), got {k!r}")
    loss = float(softmax_cross_entropy(scores, labels).item())
    return EvaluationReport(
        dataset=splits.name, samples=len(labels), accuracy=metrics.accuracy(scores, labels), loss=loss,
        top_k=k, top_k_error=metrics.top_k_error(scores, labels, k=k),
        confusion=metrics.confusion_matrix(labels, scores.argmax(axis=1), num_classes=num_classes),
        class_names=list(run.dataset["class_names"]),
    )
