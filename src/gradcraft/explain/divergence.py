"""KL divergence in both directions between two discrete distributions (given as counts or
probabilities), and its gradient with respect to q.

    KL(p || q) = sum_d p_d log(p_d / q_d)        dKL(p||q)/dq_d = -p_d / q_d
    KL(q || p) = sum_d q_d log(q_d / p_d)        dKL(q||p)/dq_d = log(q_d / p_d) + 1

(gradients with q's entries treated as free variables, as in the course's homework). KL is not
symmetric: KL(p||q) weighs the log-ratio by p (it punishes q for missing mass where p has it),
KL(q||p) by q. Values and gradients come from `gradcraft.losses.kl_divergence`.
"""

from __future__ import annotations

import numpy as np

from ..losses import kl_divergence, value_and_grad
from . import _inputs
from .result import Explanation


def _distribution(name: str, values) -> tuple[np.ndarray, bool]:
    """Normalised probabilities, and whether the input were counts (did not sum to 1)."""
    v = _inputs.vector(name, values)
    if v.min() < 0:
        raise ValueError(f"{name} must be non-negative counts or probabilities, got {v.tolist()}")
    with np.errstate(over="ignore"):
        total = v.sum()
    if not np.isfinite(total):
        raise ValueError(f"{name}'s total overflows float64 (max {v.max():g}): divide the counts "
                         "by a common factor")
    if total <= 0:
        raise ValueError(f"{name} must have a positive total, got {v.tolist()}")
    return v / total, not np.isclose(total, 1.0, rtol=0, atol=1e-9)


def kl(p, q) -> Explanation:
    """Explain KL(p||q) and KL(q||p) for p, q (K,) counts or probabilities (normalised here).

    Both directions must be finite, so every entry must be positive (a zero in q where p > 0
    makes KL(p||q) infinite, and a zero in p where q > 0 makes KL(q||p) infinite).
    """
    p_raw, q_raw = _inputs.vector("p", p), _inputs.vector("q", q)
    _inputs.same_length("p", p_raw, "q", q_raw)
    p, p_counts = _distribution("p", p_raw)
    q, q_counts = _distribution("q", q_raw)
    for name, v, other in (("q", q, "p"), ("p", p, "q")):
        if (v == 0).any():
            where = int(np.flatnonzero(v == 0)[0])
            raise ValueError(
                f"{name}[{where}] is 0, so KL({other}||{name}) is infinite; every entry of p and q "
                "must be positive to compare both directions"
            )
    pq, grad_pq = value_and_grad(lambda q_, p_: kl_divergence(p_, q_), q, p)
    qp, grad_qp = value_and_grad(kl_divergence, q, p)

    result = Explanation("kl", "KL divergence in both directions")
    result.add("p", p, "normalised: counts / {}".format(_total(p_raw)) if p_counts else "")
    result.add("q", q, "normalised: counts / {}".format(_total(q_raw)) if q_counts else "")
    result.add("log(p/q)", np.log(p / q))
    result.add("KL(p||q)", pq, "sum_d p_d log(p_d / q_d)")
    result.add("KL(q||p)", qp, "sum_d q_d log(q_d / p_d)")
    result.add("dKL(p||q)/dq", grad_pq, "-p_d / q_d")
    result.add("dKL(q||p)/dq", grad_qp, "log(q_d / p_d) + 1")
    if np.isclose(pq, qp, rtol=1e-12, atol=1e-15):
        result.summary = "KL(p||q) = KL(q||p) = {} here, but KL is not symmetric in general."
        result.summary_args = (pq,)
    else:
        result.summary = ("KL(p||q) = {} != KL(q||p) = {}: KL is asymmetric. dKL(p||q)/dq = -p/q does "
                          "not involve log q, which is why KL(p||q) is the easier objective in q "
                          "(minimising it is minimising the cross-entropy -sum p log q).")
        result.summary_args = (pq, qp)
    return result


def _total(raw: np.ndarray) -> str:
    total = raw.sum()
    return str(int(total)) if float(total).is_integer() else f"{total:g}"
