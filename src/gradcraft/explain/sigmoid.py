"""The sigmoid S(x) = 1 / (1 + e^-x) at given points: value, derivative, odds, logit, saturation.

S is the inverse of the logit: if p = S(x) then the odds of the positive event are
p / (1 - p) = e^x and logit(p) = log(odds) = x. Its derivative S'(x) = S(x)(1 - S(x)) peaks at
0.25 (x = 0) and decays like e^-|x|, so a unit deep in either tail passes almost no gradient.
"""

from __future__ import annotations

import numpy as np

from ..ops.functions import exp, sigmoid as sigmoid_op
from ..tensor import Tensor
from ..validation import check_real
from . import _inputs
from .result import Explanation, Given

#: the points of the course's homework (S(x) and S'(x) at +-100, +-10, 0)
HOMEWORK_POINTS = (-100.0, -10.0, 0.0, 10.0, 100.0)


def sigmoid(x=HOMEWORK_POINTS, saturation: float = 0.01) -> Explanation:
    """Explain the sigmoid at the points `x` (N,).

    A point is flagged *saturated* when S'(x) < `saturation` (0.01 by default: under 4% of the
    maximum slope 0.25, i.e. |x| > 4.6).

    Result keys, one entry per point (N,): sigmoid S(x); derivative S'(x); odds e^x (inf past
    x = 709); logit log(odds); saturated (bools).
    """
    x = _inputs.vector("x", x)
    saturation = check_real(saturation, "saturation", low=0.0)
    values = sigmoid_op(Tensor(x)).data
    # S'(x) = S(x)(1 - S(x)) = S(x) S(-x). The symmetric product keeps full precision where S(x)
    # rounds to 1 (x = 100: 1 - S(x) is 0 in float64, S(-x) is 3.7e-44); autograd's S(1 - S),
    # like PyTorch's, would print 0 there.
    derivative = values * sigmoid_op(Tensor(-x)).data
    with np.errstate(over="ignore"):
        odds = exp(Tensor(x)).data  # e^x overflows to inf past x = 709
    # logit(S(x)) = log S(x) - log(1 - S(x)) = log S(x) - log S(-x), and log S(x) = -softplus(-x).
    # In log space it gives back x for every finite x; log(odds) gives -inf once e^x underflows
    # (x < -745) and inf once it overflows.
    logit = np.logaddexp(0.0, x) - np.logaddexp(0.0, -x)
    saturated = derivative < saturation

    result = Explanation("sigmoid", "Sigmoid S(x) = 1 / (1 + e^-x)")
    result.add("x", x, given=True)
    result.add("S(x)", values, "probability of the positive event, in (0, 1)")
    result.add("S'(x)", derivative, "S(x) (1 - S(x)) = S(x) S(-x); at most 0.25, at x = 0")
    result.add("odds", odds, "S / (1 - S) = e^x")
    result.add("logit", logit, "log(odds): gives back x, the logit is the inverse of S")
    result.add("saturated", saturated, "S'(x) < {}", Given(saturation))
    result.record(sigmoid=values, derivative=derivative, odds=odds, logit=logit, saturated=saturated)
    if saturated.any():
        result.summary = ("Saturated (S'(x) < {}) at x = {}: the smallest slope is {}, so gradients "
                          "through the sigmoid all but vanish there (S'(x) ~ e^-|x| for large |x|).")
        result.summary_args = (Given(saturation), Given(x[saturated]), derivative.min())
    else:
        result.summary = "No point is saturated: S'(x) >= {} everywhere."
        result.summary_args = (Given(saturation),)
    return result

