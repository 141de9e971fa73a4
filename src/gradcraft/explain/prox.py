"""The proximal operator of t |.|_1: soft-thresholding, component by component.

    prox_t(x) = argmin_z 1/2 |z - x|^2 + t |z|_1,   solved per component from 0 in z - x + t d|z|:
        x_i >  t   ->  z_i = x_i - t
        x_i < -t   ->  z_i = x_i + t
        |x_i| <= t ->  z_i = 0            (0 is in x_i - t [-1, 1])
    i.e. S_t(x) = sign(x) max(|x| - t, 0).
"""

from __future__ import annotations

import numpy as np

from ..ops.functions import abs as abs_op, maximum, where
from ..tensor import Tensor
from ..validation import check_real
from . import _inputs
from .result import Explanation, Given


def soft_threshold(x: np.ndarray, t: float) -> np.ndarray:
    """sign(x) max(|x| - t, 0) with gradcraft's ops."""
    v = Tensor(x)
    shrunk = maximum(abs_op(v) - t, 0.0)
    return where(x < 0, -shrunk, shrunk).data


def prox(x, t: float) -> Explanation:
    """Explain soft-thresholding of the vector `x` (N,) at the threshold `t` >= 0.

    Result keys: prox (N,) S_t(x) = sign(x) max(|x| - t, 0); zeroed: how many components are
    set to 0 (|x_i| <= t).
    """
    x = _inputs.vector("x", x)
    t = check_real(t, "t", low=0.0)
    z = soft_threshold(x, t)
    result = Explanation("prox", "Soft-thresholding: prox of t |.|_1")
    result.add("x", x, given=True)
    result.add("t", t, given=True)
    for i, (xi, zi) in enumerate(zip(x, z)):
        if xi > t:
            result.add(f"z_{i}", zi, "x > t: x - t = {} - {}", Given(xi), Given(t))
        elif xi < -t:
            result.add(f"z_{i}", zi, "x < -t: x + t = {} + {}", Given(xi), Given(t))
        else:
            result.add(f"z_{i}", zi, "|x| = {} <= t: 0", Given(abs(xi)))
    result.add("prox_t(x)", z, "sign(x) max(|x| - t, 0)")
    zeroed = int(np.sum(np.abs(x) <= t))
    result.record(prox=z, zeroed=zeroed)
    result.summary = (f"{zeroed} of {x.size} components set to 0 (|x_i| <= t); the others move "
                      "t = {} toward 0. This is why L1 regularisation gives sparse weights.")
    result.summary_args = (Given(t),)
    return result
