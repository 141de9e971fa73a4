"""Losses between two distributions over the last axis: p, q (..., K) -> losses (...).

Terms with p_k = 0 contribute 0 (the limit p log p -> 0), whatever q_k is; a term with p_k > 0
and q_k = 0 is +inf (the caller warns). The gradient conventions follow from the same limits:
at p_k = 0 the loss does not depend on q_k (dq_k = 0); where q_k = 0 raising p_k costs +inf.
"""

from __future__ import annotations

from ..backend import xp
from .loss_reduce import LossFunction


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
        self.p, self.q, self.log_ratio = p, q, log_ratio
        return terms.sum(axis=-1)

    def input_grads(self, weights):
        w = self.column(weights)
        grad_p = grad_q = None
        if self.needs_input_grad[0]:
            grad_p = w * xp.where(self.q == 0, xp.inf, self.log_ratio + 1).astype(self.p.dtype, copy=False)
        if self.needs_input_grad[1]:
            grad_q = w * _grad_q(self.p, self.q)
        return grad_p, grad_q


class DistributionCrossEntropy(LossFunction):
    """H(p, q) = -sum_k p_k log q_k = H(p) + KL(p || q).

    dH/dq_k = -p_k / q_k;   dH/dp_k = -log q_k  (+inf where q_k = 0).
    """

    def losses(self, p, q):
        log_q = _log_or_neg_inf(q)
        self.p, self.q, self.log_q = p, q, log_q
        with xp.errstate(invalid="ignore"):
            return xp.where(p > 0, -p * log_q, 0).sum(axis=-1)

    def input_grads(self, weights):
        w = self.column(weights)
        grad_p = -self.log_q * w if self.needs_input_grad[0] else None
        grad_q = w * _grad_q(self.p, self.q) if self.needs_input_grad[1] else None
        return grad_p, grad_q
