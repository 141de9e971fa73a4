"""Losses between probability distributions p and q over the last axis (natural log).

p, q: arrays or Tensors of the same shape (..., K), each row non-negative and summing to 1
(within 1e-3; normalise counts first with p / p.sum(axis=-1, keepdims=True)). Both may
require grad. The loss of each row has shape (...); reduction 'mean' averages over the rows
(the batch), 'sum' adds them, 'none' returns them. A single distribution (K,) gives a scalar.

Terms where p_k = 0 contribute 0. Where p_k > 0 but q_k = 0 the loss is +inf and a
RuntimeWarning says so (the limit p log p -> 0 at p_k = 0, whatever q_k is). The gradient
conventions follow from the same limits: at p_k = 0 the loss does not depend on q_k
(dq_k = 0); where q_k = 0 raising p_k costs +inf.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..backend import xp
from ..tensor import Tensor
from .inputs import float_tensor, like
from .reduction import LossFunction, check_batch, check_reduction

__all__ = ["kl_divergence", "cross_entropy", "KLDivergence", "DistributionCrossEntropy"]

def _log_or_neg_inf(x):
    with xp.errstate(divide="ignore"):
        return xp.log(x)


def _grad_q(p, q):
    """-p/q: the derivative of -p log q (shared by both losses); 0 where p = 0."""
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.where(p == 0, 0, -p / q).astype(q.dtype, copy=False)


class KLDivergence(LossFunction):
    """KL(p || q) = sum_k p_k log(p_k / q_k).

    dKL/dq_k = -p_k / q_k;   dKL/dp_k = log(p_k / q_k) + 1  (-inf at p_k = 0 < q_k: the slope
    of p log p at 0; +inf where q_k = 0).
    """

    def losses(self, p, q):
        log_p, log_q = _log_or_neg_inf(p), _log_or_neg_inf(q)
        with xp.errstate(invalid="ignore"):  # 0 * -inf and -inf - -inf at p = 0, masked out
            log_ratio = log_p - log_q
            terms = xp.where(p > 0, p * log_ratio, 0)
        need_p, need_q = self.needs_input_grad
        # dKL/dq reads p and q; dKL/dp only the op's own arrays (its log ratio, where q = 0)
        if need_q:
            self.save_for_backward(p, q)
        if need_p:
            self.grad_p = xp.where(q == 0, xp.inf, log_ratio + 1).astype(q.dtype, copy=False)
        return terms.sum(axis=-1)

    def input_grads(self, weights):
        w = self.column(weights)
        grad_p = w * self.grad_p if self.needs_input_grad[0] else None
        grad_q = w * _grad_q(*self.saved) if self.needs_input_grad[1] else None
        return grad_p, grad_q


class DistributionCrossEntropy(LossFunction):
    """H(p, q) = -sum_k p_k log q_k = H(p) + KL(p || q).

    dH/dq_k = -p_k / q_k;   dH/dp_k = -log q_k  (+inf where q_k = 0).
    """

    def losses(self, p, q):
        log_q = _log_or_neg_inf(q)
        need_p, need_q = self.needs_input_grad
        # dH/dp = -log q (the op's own array); dH/dq reads p and q
        if need_q:
            self.save_for_backward(p, q)
        self.log_q = log_q if need_p else None
        with xp.errstate(invalid="ignore"):
            return xp.where(p > 0, -p * log_q, 0).sum(axis=-1)

    def input_grads(self, weights):
        w = self.column(weights)
        grad_p = -self.log_q * w if self.needs_input_grad[0] else None
        grad_q = w * _grad_q(*self.saved) if self.needs_input_grad[1] else None
        return grad_p, grad_q


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
