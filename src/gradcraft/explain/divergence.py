"""KL divergence in both directions between two discrete distributions (given as counts or
probabilities), and its gradient with respect to q.

    KL(p || q) = sum_d p_d log(p_d / q_d)        dKL(p||q)/dq_d = -p_d / q_d
    KL(q || p) = sum_d q_d log(q_d / p_d)        dKL(q||p)/dq_d = log(q_d / p_d) + 1

(gradients with q's entries treated as free variables, as in the course's homework). Zeros use
0 log 0 = 0; a direction is infinite where its second argument is 0 and its first is not. KL is not
symmetric: KL(p||q) weighs the log-ratio by p (it punishes q for missing mass where p has it),
KL(q||p) by q. Values and gradients come from `gradcraft.losses.kl_divergence`.
"""

from __future__ import annotations

import numpy as np

from ..losses import kl_divergence, value_and_grad
from . import _inputs
from .result import Explanation, format_given


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

    Zeros follow the convention 0 log 0 = 0 (as scipy.special.rel_entr and torch's kl_div): a
    term with p_d = 0 adds nothing to KL(p||q), and KL(p||q) is infinite exactly when some
    q_d = 0 where p_d > 0 (likewise KL(q||p) with the roles swapped). An infinite direction is
    reported as inf and its gradient as undefined (None entries).

    Result keys: p, q (K,) the normalised distributions; kl_pq = KL(p||q) and kl_qp = KL(q||p)
    (inf when infinite); grad_kl_pq = dKL(p||q)/dq and grad_kl_qp = dKL(q||p)/dq (K,), None
    when that KL is infinite, with None entries where a slope is undefined (q_d = 0 in KL(q||p)).
    """
    p_raw, q_raw = _inputs.vector("p", p), _inputs.vector("q", q)
    _inputs.same_length("p", p_raw, "q", q_raw)
    p, p_counts = _distribution("p", p_raw)
    q, q_counts = _distribution("q", q_raw)
    missing_q = np.flatnonzero((q == 0) & (p > 0))  # KL(p||q) = inf
    missing_p = np.flatnonzero((p == 0) & (q > 0))  # KL(q||p) = inf

    result = Explanation("kl", "KL divergence in both directions")
    result.add("p", p, "normalised: counts / {}".format(_total(p_raw)) if p_counts else "")
    result.add("q", q, "normalised: counts / {}".format(_total(q_raw)) if q_counts else "")
    result.add("log(p/q)", _log_ratio(p, q), "inf where q_d = 0 < p_d, -inf where p_d = 0 < q_d, "
               "undefined where both are 0 (those terms are 0 in either KL)" if (p == 0).any()
               or (q == 0).any() else "")
    if missing_q.size:
        pq, grad_pq = np.inf, np.full(p.size, None, dtype=object)
    else:
        pq, grad_pq = value_and_grad(lambda q_, p_: kl_divergence(p_, q_), q, p)
    if missing_p.size:
        qp, grad_qp = np.inf, np.full(p.size, None, dtype=object)
    else:
        qp, grad_qp = value_and_grad(kl_divergence, q, p)
        if (q == 0).any():
            # q_d log(q_d / p_d) has no finite slope at q_d = 0 (-inf if p_d > 0; a jump to inf if p_d = 0)
            grad_qp = np.where(q == 0, None, grad_qp.astype(object))
    result.add("KL(p||q)", pq, _infinite_note("p", "q", missing_q) or "sum_d p_d log(p_d / q_d), 0 log 0 = 0")
    result.add("KL(q||p)", qp, _infinite_note("q", "p", missing_p) or "sum_d q_d log(q_d / p_d), 0 log 0 = 0")
    result.add("dKL(p||q)/dq", grad_pq, "undefined: KL(p||q) is infinite" if missing_q.size else
               "-p_d / q_d" + ("; 0 where p_d = 0" if (p == 0).any() else ""))
    result.add("dKL(q||p)/dq", grad_qp, "undefined: KL(q||p) is infinite" if missing_p.size else
               "log(q_d / p_d) + 1" + ("; undefined where q_d = 0 (q log q has no finite slope at 0)"
                                       if (q == 0).any() else ""))
    result.record(p=p, q=q, kl_pq=float(pq), kl_qp=float(qp),
                  grad_kl_pq=None if missing_q.size else grad_pq,
                  grad_kl_qp=None if missing_p.size else grad_qp)
    if missing_q.size or missing_p.size:
        reasons = [f"KL({a}||{b}) is infinite because {b}_d = 0 where {a}_d > 0 (d = {_positions(where)})"
                   for a, b, where in (("p", "q", missing_q), ("q", "p", missing_p)) if where.size]
        finite = [f"KL({a}||{b}) = {{}}" for a, b, where in (("p", "q", missing_q), ("q", "p", missing_p))
                  if not where.size]
        result.summary = "; ".join(reasons) + (". " + finite[0] + " is finite: terms with a zero "
                                               "first argument are 0 (0 log 0 = 0)." if finite else ".")
        result.summary_args = ((qp if missing_q.size else pq),) if finite else ()
    elif np.isclose(pq, qp, rtol=1e-12, atol=1e-15):
        result.summary = "KL(p||q) = KL(q||p) = {} here, but KL is not symmetric in general."
        result.summary_args = (pq,)
    else:
        result.summary = ("KL(p||q) = {} != KL(q||p) = {}: KL is asymmetric. dKL(p||q)/dq = -p/q does "
                          "not involve log q, which is why KL(p||q) is the easier objective in q "
                          "(minimising it is minimising the cross-entropy -sum p log q).")
        result.summary_args = (pq, qp)
    return result


def _log_ratio(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """log(p_d / q_d): +-inf where exactly one is 0, None (undefined) where both are."""
    both = (p == 0) & (q == 0)
    if not ((p == 0) | (q == 0)).any():
        return np.log(p / q)
    with np.errstate(divide="ignore"):
        ratio = np.where(q == 0, np.inf, np.log(np.where(p == 0, 0.0, p) / np.where(q == 0, 1.0, q)))
    return np.where(both, None, ratio.astype(object)) if both.any() else ratio


def _infinite_note(a: str, b: str, where: np.ndarray) -> str:
    if not where.size:
        return ""
    return f"infinite: {b}_d = 0 where {a}_d > 0 (d = {_positions(where)}), a term {a}_d log({a}_d / 0)"


def _positions(where: np.ndarray) -> str:
    return ", ".join(str(int(d)) for d in where)


def _total(raw: np.ndarray) -> str:
    """The sum of the counts, as given when it is an integer that prints short (2e+300, not 301
    digits)."""
    return format_given(raw.sum())
