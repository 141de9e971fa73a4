"""Normalising what the losses are given: every bad input becomes one clear error that names
the argument and what was seen, before any array math runs."""

from __future__ import annotations

import numpy as np

from ..backend import default_float, is_float_dtype
from ..ops.functions import reshape
from ..tensor import Tensor, as_tensor
from .reduction import check_batch, check_reduction

__all__ = ["float_tensor", "like", "ClassificationInputs", "run_classification"]


def float_tensor(x, name: str) -> Tensor:
    """`x` as a floating-point Tensor. Tensors and NumPy arrays keep their dtype and must already
    be floating point; Python numbers and lists become float32 (like `gradcraft.tensor`)."""
    if isinstance(x, Tensor | np.ndarray):
        dtype = x.dtype
        if not is_float_dtype(dtype):
            raise ValueError(f"{name} must be a floating-point array, got dtype {dtype}; "
                             "convert with .astype('float32')")
        return x if isinstance(x, Tensor) else as_tensor(x)
    array = np.asarray(x)
    if not (is_float_dtype(array.dtype) or np.issubdtype(array.dtype, np.integer)):
        raise ValueError(f"{name} must be numbers, got {type(x).__name__} of dtype {array.dtype}")
    return as_tensor(array.astype(default_float))


def like(target, reference: Tensor, name: str) -> Tensor:
    """A float target for `reference`: same shape exactly (no silent broadcast); a target that
    does not require grad is cast to the reference's dtype."""
    target = float_tensor(target, name)
    if target.shape != reference.shape:
        raise ValueError(f"{name} must have the shape of the input {reference.shape}, got {target.shape}")
    if target.dtype != reference.dtype and not target.requires_grad:
        target = as_tensor(target.data.astype(reference.dtype))
    return target


def _array(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


class ClassificationInputs:
    """Scores and targets of a classification loss, normalised to a batch.

    `scores` (N, K) Tensor; exactly one of `labels` (N,) int64 array and `targets` (N, K)
    Tensor is set. A single sample, scores (K,) with a scalar label, becomes N = 1 and
    `single` is True (so 'none' can return a scalar again).
    """

    def __init__(self, scores, labels, *, loss: str, soft_targets: bool):
        scores = float_tensor(scores, "scores")
        if scores.ndim not in (1, 2):
            raise ValueError(f"{loss}: scores must have shape (N, K), or (K,) for one sample, "
                             f"got {scores.shape}")
        num_classes = scores.shape[-1]
        if num_classes == 0:
            raise ValueError(f"{loss}: scores must have at least one class, got shape {scores.shape}")
        self.single = scores.ndim == 1
        self.labels = self.targets = None
        raw = _array(labels)
        if is_float_dtype(raw.dtype):
            if raw.shape != scores.shape:
                raise ValueError(
                    f"{loss}: float targets must be probabilities with the shape of scores "
                    f"{scores.shape}, got {raw.shape}; class indices must be integers")
            if soft_targets:
                self.targets = like(labels, scores, "targets")
            else:
                raw = _one_hot_to_indices(raw, loss)
        elif not np.issubdtype(raw.dtype, np.integer):
            raise ValueError(f"{loss}: labels must be integer class indices, got dtype {raw.dtype}")
        if self.targets is None:
            self.labels = _check_indices(raw, scores.shape, loss)
        if self.single:
            scores = reshape(scores, (1, num_classes))
            if self.targets is not None:
                self.targets = reshape(self.targets, (1, num_classes))
        self.scores = scores

    def finish(self, losses: Tensor, reduction: str) -> Tensor:
        """Undo the single-sample batching on per-sample losses."""
        if self.single and reduction == "none":
            return reshape(losses, ())
        return losses


def _one_hot_to_indices(targets, loss: str):
    rows_ok = np.all((targets == 0) | (targets == 1), axis=-1) & (targets.sum(axis=-1) == 1)
    if not np.all(rows_ok):
        raise ValueError(
            f"{loss}: float targets of shape {targets.shape} must be one-hot rows (a single 1): "
            "this loss has one true class per sample; pass integer class indices, or use "
            "softmax_cross_entropy for probability targets")
    return targets.argmax(axis=-1)


def _check_indices(labels, scores_shape, loss: str):
    num_classes = scores_shape[-1]
    if len(scores_shape) == 1:
        if labels.shape != ():
            raise ValueError(f"{loss}: labels for one sample, scores of shape {scores_shape}, must be "
                             f"a single class index, got shape {labels.shape}")
        labels = labels.reshape(1)
    elif labels.shape != scores_shape[:1]:
        raise ValueError(f"{loss}: labels must have shape (N,) = ({scores_shape[0]},), got {labels.shape}"
                         + (" (one-hot or probability targets must be floats)" if labels.ndim == 2 else ""))
    if labels.size:
        low, high = labels.min(), labels.max()
        if low < 0 or high >= num_classes:
            raise ValueError(f"{loss}: labels must lie in [0, {num_classes}) for scores with "
                             f"{num_classes} classes, got values from {low} to {high}")
    return labels.astype(np.intp)  # a copy: the op keeps it, whatever the caller does to theirs


def run_classification(op, loss: str, scores, labels, reduction: str, **options) -> Tensor:
    """Apply the fused loss `op` to scores (N, K) (or (K,)) and class indices (N,) (or one-hot
    rows): checked and batched by `ClassificationInputs`, the single-sample shape restored."""
    check_reduction(reduction)
    inputs = ClassificationInputs(scores, labels, loss=loss, soft_targets=False)
    check_batch(inputs.scores.shape[0], reduction)
    out = op.apply(inputs.scores, labels=inputs.labels, reduction=reduction, **options)
    return inputs.finish(out, reduction)
