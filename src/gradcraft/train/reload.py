"""Reading a run directory back: `load_run(DIR)` rebuilds the model and its preprocessing,
`evaluate_run(DIR)` scores it on the test split again (`gradcraft evaluate`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import metrics, serialization
from ..data import Standardizer, load_dataset
from ..data.registry import EMBEDDED_DATASETS
from ..losses import softmax_cross_entropy
from ..models import build_model
from ..validation import check_int
from .config import TrainConfig
from .evaluation import predict
from .rundir import MODEL_FILE, RUN_METADATA_KEY, check_run_dir, read_record
from .runs import model_options

__all__ = ["load_run", "evaluate_run", "LoadedRun", "EvaluationReport"]

_EVAL_BATCH = 1024


@dataclass
class LoadedRun:
    run_dir: Path
    config: TrainConfig
    model: object
    standardizer: Standardizer | None
    dataset: dict
    results: dict  # config.json's "results": the test scores, or how the run was interrupted


def load_run(run_dir) -> LoadedRun:
    """Rebuild a run's model (weights loaded, eval mode) and its standardisation from DIR.

    The weights are those of DIR/model.safetensors: the run's final weights, or those of its
    last finished epoch if it was stopped."""
    run_dir = check_run_dir(run_dir)
    missing = [name for name in ("config.json", MODEL_FILE) if not (run_dir / name).is_file()]
    if missing:
        raise ValueError(f"{run_dir} is not a complete gradcraft run: missing {', '.join(missing)} "
                         "(written by `gradcraft train --out DIR`)")
    record = read_record(run_dir)
    try:
        config = TrainConfig.from_dict(record["config"], source=str(run_dir / "config.json"))
    except TypeError as error:
        raise ValueError(f"{run_dir / 'config.json'} is not a gradcraft run config: {error}") from None
    saved = serialization.load_metadata(run_dir / MODEL_FILE).get(RUN_METADATA_KEY)
    if saved is None:
        raise ValueError(f"{run_dir / MODEL_FILE} has no run metadata (not written by gradcraft train)")
    dataset = saved["dataset"]
    model = build_model(config.model, dataset["input_shape"], dataset["num_classes"], **model_options(config))
    serialization.load(model, run_dir / MODEL_FILE)
    model.eval()
    scaler = None
    if saved.get("standardizer") is not None:
        scaler = Standardizer.from_state_dict({k: np.array(v) for k, v in saved["standardizer"].items()})
    return LoadedRun(run_dir, config, model, scaler, dataset, record.get("results") or {})


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
    interrupted: str | None = None   # the signal that stopped the run early (SIGINT...), if any
    epochs_trained: int | None = None
    epochs: int | None = None        # the epochs the run was meant to train


def evaluate_run(run_dir, data_dir=None, top_k: int | None = None) -> EvaluationReport:
    """Score a run's model on its dataset's test split (data from `data_dir`, else the run's;
    an embedded dataset such as digits needs none and ignores it)."""
    run = load_run(run_dir)
    config = run.config
    if data_dir is not None and config.dataset not in EMBEDDED_DATASETS:
        config = config.replace(data_dir=str(data_dir))
    splits = load_dataset(config.dataset, root=config.data_dir)
    if list(splits.input_shape) != list(run.dataset["input_shape"]):
        raise ValueError(f"the {config.dataset} data found has samples of shape {splits.input_shape}, "
                         f"the model was trained on {tuple(run.dataset['input_shape'])}")
    test = splits.test if run.standardizer is None else run.standardizer.transform_dataset(splits.test)
    scores = predict(run.model, test, batch_size=_EVAL_BATCH)
    labels = test.arrays[1]
    num_classes = scores.shape[1]
    k = min(5, num_classes - 1) if top_k is None else check_int(top_k, "top-k", low=1, high=num_classes)
    loss = float(softmax_cross_entropy(scores, labels).item())
    return EvaluationReport(
        dataset=splits.name, samples=len(labels), accuracy=metrics.accuracy(scores, labels), loss=loss,
        top_k=k, top_k_error=metrics.top_k_error(scores, labels, k=k),
        confusion=metrics.confusion_matrix(labels, scores.argmax(axis=1), num_classes=num_classes),
        class_names=list(run.dataset["class_names"]),
        interrupted=run.results.get("interrupted"), epochs_trained=run.results.get("epochs_trained"),
        epochs=run.config.epochs,
    )
