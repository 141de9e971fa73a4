"""Scoring a model on data without training it: `predict` and `evaluate`."""

from __future__ import annotations

import numpy as np

from ..data import DataLoader, Dataset
from ..autograd import no_grad
from ..losses import softmax_cross_entropy
from ..tensor import Tensor
from ..validation import check_int

__all__ = ["predict", "evaluate"]


class _EvalMode:
    """`with _EvalMode(model):` runs in eval mode (dropout off) and restores the previous mode."""

    def __init__(self, model):
        self.model = model

    def __enter__(self):
        self.was_training = getattr(self.model, "training", False)
        if hasattr(self.model, "eval"):
            self.model.eval()
        return self.model

    def __exit__(self, *exc):
        if self.was_training:
            self.model.train()


def _batches(data, batch_size: int, who: str):
    """(features Tensor, labels array or None) batches of `data`, always in dataset order.

    A gradcraft `DataLoader` is read through its dataset, in order, with its own batch size and
    dtypes: its `shuffle` and `drop_last` are ignored (predictions must line up with the dataset
    and cover all of it), and the caller's loader is not iterated, so its epoch counter -- the
    next shuffle order of a training loader -- is left alone. A `Dataset` (TensorDataset, Subset,
    anything with `get_batch`) is batched in order keeping its dtypes; anything else is taken as
    a features array (N, ...).
    """
    if isinstance(data, DataLoader):
        loader = DataLoader(data.dataset, batch_size=data.batch_size, float_dtype=data.float_dtype)
    elif hasattr(data, "batch_size") and hasattr(data, "__iter__"):  # another loader: as it yields
        if getattr(data, "shuffle", False):
            raise ValueError(f"{who}: data is a shuffling {type(data).__name__} (shuffle=True), so "
                             "its batches would not come in dataset order; pass its dataset instead")
        loader = data
    elif isinstance(data, Dataset) or hasattr(data, "get_batch"):
        loader = DataLoader(data, batch_size=batch_size, float_dtype=None)
    else:
        x = data.data if isinstance(data, Tensor) else np.asarray(data)
        for start in range(0, len(x), batch_size):
            yield Tensor(x[start:start + batch_size]), None
        return
    for batch in loader:
        x, y = (batch[0], batch[1] if len(batch) > 1 else None) if isinstance(batch, tuple) else (batch, None)
        yield x, (None if y is None else np.asarray(y.data if isinstance(y, Tensor) else y))


def predict(model, data, batch_size: int = 512) -> np.ndarray:
    """The model's outputs (e.g. logits (N, K)) for `data`, in eval mode without recording a graph.

    `data`: a `DataLoader`, a `Dataset` (e.g. TensorDataset) or a features array (N, ...). Row i
    of the result is always the output for sample i of the dataset: a shuffling DataLoader is
    read in dataset order (so `predict(model, loader)` equals `predict(model, loader.dataset,
    batch_size=loader.batch_size)`), all of its samples (`drop_last` ignored), with its own batch
    size; `batch_size` applies to datasets and arrays.
    """
    batch_size = check_int(batch_size, "batch_size", low=1)
    outputs = []
    with no_grad(), _EvalMode(model):
        for x, _ in _batches(data, batch_size, "predict"):
            outputs.append(model(x).data)
    if not outputs:
        raise ValueError("predict: data holds no samples")
    return np.concatenate(outputs)


def evaluate(model, data, loss_fn=None, batch_size: int = 512) -> dict:
    """{'loss': mean loss, 'accuracy': fraction correct, 'samples': N} on `data` (a DataLoader,
    or a Dataset of (features, labels) pairs such as a TensorDataset), in eval mode.

    Every sample of the dataset is scored once, in dataset order, each output beside its own
    label (a DataLoader is read as in `predict`: in order, `shuffle` and `drop_last` ignored).

    Classification (outputs are class scores (N, K), labels integer class indices (N,)): the
    accuracy is argmax(scores) == label, and without `loss_fn` the loss is the softmax
    cross-entropy of the scores (mean over the samples), the loss `gradcraft train` uses.
    Anything else: the accuracy is None, and so is the loss unless `loss_fn` is given.

    `loss_fn(scores, labels)` (reducing by mean) chooses another loss; the mean loss is then the
    sample-weighted mean of the batch losses.
    """
    batch_size = check_int(batch_size, "batch_size", low=1)
    total_loss, correct, samples = 0.0, 0, 0
    classification = True  # every batch so far: scores (n, K) for integer labels (n,)
    with no_grad(), _EvalMode(model):
        for x, y in _batches(data, batch_size, "evaluate"):
            if y is None:
                raise ValueError("evaluate: data must hold (features, labels) pairs")
            scores = model(x)
            n = len(y)
            classification = classification and scores.ndim == 2 and y.ndim == 1 \
                and np.issubdtype(y.dtype, np.integer)
            if classification:
                correct += int(np.count_nonzero(scores.data.argmax(axis=1) == y))
            batch_loss = loss_fn if loss_fn is not None else (softmax_cross_entropy if classification else None)
            if batch_loss is not None:
                total_loss += float(batch_loss(scores, Tensor._from_op(y, None)).data) * n
            samples += n
    if samples == 0:
        raise ValueError("evaluate: data holds no samples")
    loss_known = loss_fn is not None or classification
    return {"loss": total_loss / samples if loss_known else None,
            "accuracy": correct / samples if classification else None,
            "samples": samples}
