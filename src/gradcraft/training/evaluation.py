"""Scoring a model on data without training it: `predict` and `evaluate`."""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor, no_grad

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


def _batches(data, batch_size: int):
    """(features Tensor, labels array or None) batches from a DataLoader, a dataset or an array."""
    if hasattr(data, "batch_size") and hasattr(data, "__iter__"):  # a DataLoader
        for batch in data:
            x, y = (batch[0], batch[1]) if isinstance(batch, tuple) else (batch, None)
            yield x, (None if y is None else np.asarray(y.data if isinstance(y, Tensor) else y))
        return
    arrays = getattr(data, "arrays", None)  # a TensorDataset
    x, y = (arrays[0], arrays[1] if len(arrays) > 1 else None) if arrays else (np.asarray(data), None)
    for start in range(0, len(x), batch_size):
        yield Tensor(x[start:start + batch_size]), (None if y is None else y[start:start + batch_size])


def predict(model, data, batch_size: int = 512) -> np.ndarray:
    """The model's outputs (e.g. logits (N, K)) for `data` (a DataLoader, a TensorDataset or a
    features array (N, ...)), computed in eval mode without recording a graph."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    outputs = []
    with no_grad(), _EvalMode(model):
        for x, _ in _batches(data, batch_size):
            outputs.append(model(x).data)
    if not outputs:
        raise ValueError("predict: data holds no samples")
    return np.concatenate(outputs)


def evaluate(model, data, loss_fn=None, batch_size: int = 512) -> dict:
    """{'loss': mean loss (if `loss_fn`), 'accuracy': fraction correct, 'samples': N} on `data`
    (a DataLoader or a TensorDataset of (features, integer labels)), in eval mode.

    The mean loss is the sample-weighted mean of the batch losses (`loss_fn` reduces by mean).
    Accuracy is None when the outputs are not class scores (N, K) for integer labels (N,).
    """
    total_loss, correct, samples = 0.0, 0, 0
    accuracy_known = True
    with no_grad(), _EvalMode(model):
        for x, y in _batches(data, batch_size):
            if y is None:
                raise ValueError("evaluate: data must hold (features, labels) pairs")
            scores = model(x)
            n = len(y)
            if loss_fn is not None:
                total_loss += float(loss_fn(scores, Tensor._from_op(y, None)).data) * n
            if accuracy_known and scores.ndim == 2 and y.ndim == 1 and np.issubdtype(y.dtype, np.integer):
                correct += int(np.count_nonzero(scores.data.argmax(axis=1) == y))
            else:
                accuracy_known = False
            samples += n
    if samples == 0:
        raise ValueError("evaluate: data holds no samples")
    return {"loss": total_loss / samples if loss_fn is not None else None,
            "accuracy": correct / samples if accuracy_known else None,
            "samples": samples}
