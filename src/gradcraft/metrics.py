"""Classification metrics on NumPy arrays or Tensors (scikit-learn's definitions).

- `accuracy(predictions_or_scores, labels)`: fraction correct; scores (N, K) are argmaxed.
- `top_k_error(scores, labels, k=5)`: fraction whose true class is not among the k highest
  scores (the ImageNet "top-5 error").
- `confusion_matrix(y_true, y_pred, num_classes=None)`: C[i, j] = number of samples of true
  class i predicted as j (rows are true classes, as in scikit-learn).
- `precision_recall(y_true, y_pred, num_classes=None)`: per-class precision TP / (TP + FP) and
  recall TP / (TP + FN); a class never predicted (or never present) gets 0, like
  scikit-learn's `zero_division=0`.

Labels are integer class indices 0..K-1. Every function checks shapes and values and names the
argument in its error.
"""

from __future__ import annotations

import numpy as np

from .tensor import Tensor
from .validation import check_int

__all__ = ["accuracy", "top_k_error", "confusion_matrix", "precision_recall"]


def _array(x) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _labels(x, name: str, n: int | None = None) -> np.ndarray:
    """`x` as int64 class indices of shape (N,), checked."""
    x = _array(x)
    if x.ndim != 1:
        expected = "(N,)" if n is None else f"(N,) = ({n},)"
        raise ValueError(f"{name} must have shape {expected}, got {x.shape}")
    if n is not None and len(x) != n:
        raise ValueError(f"{name} must have shape (N,) = ({n},), got {x.shape}")
    if x.size and not np.issubdtype(x.dtype, np.integer):
        raise ValueError(f"{name} must be integer class indices, got dtype {x.dtype}")
    if x.size and x.min() < 0:
        raise ValueError(f"{name} must be class indices >= 0, got {x.min()}")
    return x.astype(np.int64, copy=False)


def _scores(x, name: str) -> np.ndarray:
    x = _array(x)
    if x.ndim != 2 or x.shape[1] == 0:
        raise ValueError(f"{name} must have shape (N, K) with K >= 1 classes, got {x.shape}")
    if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
        raise ValueError(f"{name} must be numeric, got dtype {x.dtype}")
    if np.issubdtype(x.dtype, np.floating) and np.isnan(x).any():
        raise ValueError(f"{name} contain NaN (in {int(np.isnan(x).any(axis=1).sum())} rows)")
    return x


def _nonempty(n: int, name: str) -> None:
    if n == 0:
        raise ValueError(f"{name} is empty: a metric needs at least one sample")


def accuracy(predictions_or_scores, labels) -> float:
    """Fraction of samples classified correctly, in [0, 1].

    `predictions_or_scores`: predicted class indices (N,), or scores/logits/probabilities
    (N, K) whose argmax is the prediction. `labels`: true class indices (N,).
    """
    predictions = _array(predictions_or_scores)
    num_classes = None
    if predictions.ndim == 2:
        num_classes = predictions.shape[1]
        predictions = _scores(predictions, "scores").argmax(axis=1)
    elif predictions.ndim == 1:
        predictions = _labels(predictions, "predictions")
    else:
        raise ValueError(
            f"predictions_or_scores must be predicted labels (N,) or scores (N, K), "
            f"got shape {predictions.shape}"
        )
    labels = _labels(labels, "labels", len(predictions))
    _nonempty(len(labels), "labels")
    if num_classes is not None and labels.max() >= num_classes:  # e.g. labels 1..K, not 0..K-1
        raise ValueError(f"labels must lie in [0, {num_classes}) for scores of {num_classes} "
                         f"classes, got a label {labels.max()}")
    return float(np.mean(predictions == labels))


def top_k_error(scores, labels, k: int = 5) -> float:
    """Fraction of samples whose true class is not among the `k` highest of `scores` (N, K).

    A true class ranks r = number of classes scored strictly higher; it is in the top k when
    r < k, so ties are resolved in its favour. k = 1 gives 1 - accuracy when there are no ties.
    """
    scores = _scores(scores, "scores")
    labels = _labels(labels, "labels", len(scores))
    _nonempty(len(labels), "labels")
    num_classes = scores.shape[1]
    k = check_int(k, "k", low=1, high=num_classes)  # at most the number of classes, as torch.topk
    if labels.max() >= num_classes:
        raise ValueError(f"labels must lie in [0, {num_classes}), got a label {labels.max()}")
    true_scores = scores[np.arange(len(labels)), labels]
    rank = (scores > true_scores[:, None]).sum(axis=1)
    return float(np.mean(rank >= k))


def _num_classes(num_classes, *label_arrays) -> int:
    largest = max((int(a.max()) for a in label_arrays if a.size), default=-1)
    if num_classes is None:
        return largest + 1
    num_classes = check_int(num_classes, "num_classes", low=1)
    if largest >= num_classes:
        raise ValueError(
            f"labels must lie in [0, num_classes) = [0, {num_classes}), got a label {largest}"
        )
    return num_classes


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """Counts C (K, K), int64: C[i, j] = samples of true class i predicted as class j.

    K = `num_classes`, or else 1 + the largest label seen in either array.
    """
    y_pred = _array(y_pred)
    y_true = _labels(y_true, "y_true")
    y_pred = _labels(y_pred, "y_pred", len(y_true))
    k = _num_classes(num_classes, y_true, y_pred)
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)


def precision_recall(y_true, y_pred, num_classes: int | None = None):
    """Per-class (precision, recall), two float64 arrays of shape (K,).

    precision[c] = TP / (TP + FP) = C[c, c] / column sum; recall[c] = TP / (TP + FN) =
    C[c, c] / row sum, from the confusion matrix C; 0 where the denominator is 0.
    """
    matrix = confusion_matrix(y_true, y_pred, num_classes)
    hits = np.diag(matrix).astype(np.float64)
    predicted, actual = matrix.sum(axis=0), matrix.sum(axis=1)
    precision = np.divide(hits, predicted, out=np.zeros_like(hits), where=predicted > 0)
    recall = np.divide(hits, actual, out=np.zeros_like(hits), where=actual > 0)
    return precision, recall
