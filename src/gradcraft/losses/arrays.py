"""Losses on plain arrays, for worked examples: the loss value and its gradient in one call."""

from __future__ import annotations

import numpy as np

from ..backend import is_float_dtype
from ..tensor import Tensor


def value_and_grad(loss_fn, scores, *args, **kwargs):
    """Evaluate `loss_fn(scores, *args, **kwargs)` and its gradient with respect to `scores`.

    Returns `(loss, dscores)`: `loss` a Python float for a scalar loss, else a NumPy array (e.g.
    reduction='none'); `dscores` a NumPy array of the scores' shape. For a non-scalar loss the
    gradient is that of the sum of its elements. `scores` is copied, never modified: a float
    NumPy array or Tensor keeps its dtype; lists, Python numbers and integer arrays are computed
    in float64, so hand-checked arithmetic comes out exact.

        >>> from gradcraft.losses import multiclass_hinge, value_and_grad
        >>> value_and_grad(multiclass_hinge, [3.0, -1.0, 4.0], 0)     # cat, dog, bird; y = cat
        (2.0, array([-1.,  0.,  1.]))

    The gradient is taken with respect to the first argument; for another one, reorder with a
    lambda, e.g. dKL(p||q)/dq: value_and_grad(lambda q, p: kl_divergence(p, q), q, p).
    """
    data = scores.data if isinstance(scores, Tensor) else scores
    array = np.array(data)  # a copy
    if not is_float_dtype(array.dtype):
        if not np.issubdtype(array.dtype, np.integer):
            raise ValueError(f"value_and_grad: scores must be numbers, got dtype {array.dtype}")
        array = array.astype(np.float64)
    if not isinstance(data, np.ndarray | Tensor):
        array = array.astype(np.float64)
    leaf = Tensor(array, requires_grad=True)
    out = loss_fn(leaf, *args, **kwargs)
    if not isinstance(out, Tensor):
        raise TypeError(f"value_and_grad: loss_fn must return a Tensor, got {type(out).__name__}")
    if out.requires_grad:
        out.backward(np.ones(out.shape, dtype=out.dtype))
    grad = leaf.grad if leaf.grad is not None else np.zeros_like(array)
    value = out.data.item() if out.ndim == 0 else out.data.copy()
    return value, grad
