"""Losses between probability distributions p and q over the last axis (natural log).

p, q: arrays or Tensors of the same shape (..., K), each row non-negative and summing to 1
(within 1e-3; normalise counts first with p / p.sum(axis=-1, keepdims=True)). Both may
require grad. The loss of each row has shape (...); reduction 'mean' averages over the rows
(the batch), 'sum' adds them, 'none' returns them. A single distribution (K,) gives a scalar.

Terms where p_k = 0 contribute 0. Where p_k > 0 but q_k = 0 the loss is +inf and a
RuntimeWarning says so.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..ops.loss_distribution import DistributionCrossEntropy, KLDivergence
from ..tensor import Tensor
from ._validate import check_batch, check_reduction, float_tensor, like

#: How far a row sum may be from 1 (float32 softmax outputs are within ~1e-6).
SUM_TOLERANCE = 1e-3


def _distributions(p, q, reduction, loss: str):
    check_reduction(reduction)
    p = float_tensor(p, "p")
    q = like(q, p, "q")
    if p.ndim == 0 or p.shape[-1] == 0:
        raise ValueError(f"{loss}: p and q must be distributions over the last axis, shape (..., K) "
                         f"with K >= 1, got {p.shape}")
    for name, x in (("p", p.data), ("q", q.data)):
        if x.size == 0:
            continue
        if x.min() < 0:
            raise ValueError(f"{loss}: {name} must be non-negative (a probability distribution), "
                             f"got a minimum of {x.min():g}")
        sums = x.sum(axis=-1)
        if np.any(np.abs(sums - 1) > SUM_TOLERANCE):
            raise ValueError(
                f"{loss}: {name} must sum to 1 over the last axis, got sums from {sums.min():g} to "
                f"{sums.max():g}; normalise with {name} / {name}.sum(axis=-1, keepdims=True)")
    check_batch(p.size // p.shape[-1], reduction, "batch of distributions")
    impossible = int(np.count_nonzero((p.data > 0) & (q.data == 0)))
    if impossible:
        warnings.warn(f"{loss}: q is 0 where p > 0 at {impossible} position(s); the loss is "
                      "infinite there", RuntimeWarning, stacklevel=3)
    return p, q


def kl_divergence(p, q, reduction: str = "mean") -> Tensor:
    """KL(p || q) = sum_k p_k log(p_k / q_k) over the last axis (>= 0; asymmetric).

    dKL/dq = -p / q (0 where p = 0);  dKL/dp = log(p / q) + 1 (-inf where p = 0 < q, the slope
    of p log p at 0; +inf where q = 0).
    PyTorch: `kl_div(q.log(), p, reduction='batchmean')` for 2-D inputs (its input is log q).
    """
    p, q = _distributions(p, q, reduction, "kl_divergence")
    return KLDivergence.apply(p, q, reduction=reduction)


def cross_entropy(p, q, reduction: str = "mean") -> Tensor:
    """H(p, q) = -sum_k p_k log q_k between a target distribution p and a predicted one q
    (probabilities, not logits: for logits use `softmax_cross_entropy`). H(p, q) = H(p) + KL(p || q).

    dH/dq = -p / q (0 where p = 0);  dH/dp = -log q.
    """
    q_array = q.data if isinstance(q, Tensor) else np.asarray(q)
    if np.issubdtype(q_array.dtype, np.integer):
        raise ValueError("cross_entropy(p, q) compares two distributions; for scores and integer "
                         "class labels use softmax_cross_entropy(scores, labels)")
    p, q = _distributions(p, q, reduction, "cross_entropy")
    return DistributionCrossEntropy.apply(p, q, reduction=reduction)
