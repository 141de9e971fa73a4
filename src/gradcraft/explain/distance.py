"""Euclidean distance and cosine similarity of two vectors, and the identity linking them for
unit vectors:

    |x - y|^2 = |x|^2 + |y|^2 - 2 x.y = 2 - 2 cos(x, y)   when |x| = |y| = 1,
    so D_E = sqrt(2 - 2 D_C).

For vectors that are not unit length the identity is checked on x/|x| and y/|y| (normalising
does not change the cosine similarity). Values come from `gradcraft.losses`.
"""

from __future__ import annotations

import numpy as np

from ..losses import cosine_similarity, euclidean_distance
from . import _inputs
from .result import Explanation

UNIT_TOLERANCE = 1e-6


def distance(x, y) -> Explanation:
    """Explain D_E(x, y) and D_C(x, y) for two vectors of the same length."""
    x, y = _inputs.vector("x", x), _inputs.vector("y", y)
    _inputs.same_length("x", x, "y", y)
    nx, ny = float(np.linalg.norm(x)), float(np.linalg.norm(y))
    for name, v, n in (("x", x, nx), ("y", y, ny)):
        if not v.any():
            raise ValueError(f"{name} is the zero vector: its cosine similarity is undefined")
        if n == 0:  # sum of squares below float64's smallest number (entries < ~1e-162)
            raise ValueError(f"{name}'s norm underflows float64 (largest entry {np.abs(v).max():g}): "
                             "scale it up, the cosine similarity does not change")
    d_e = euclidean_distance(x, y).item()
    d_c = cosine_similarity(x, y).item()
    unit = bool(abs(nx - 1) < UNIT_TOLERANCE and abs(ny - 1) < UNIT_TOLERANCE)

    result = Explanation("distance", "Euclidean distance and cosine similarity")
    result.add("x", x)
    result.add("y", y)
    result.add("|x|", nx)
    result.add("|y|", ny)
    result.add("D_E", d_e, "sqrt(sum_i (x_i - y_i)^2)")
    result.add("D_C", d_c, "x.y / (|x| |y|)")
    result.add("unit vectors", unit)
    if unit:
        ux, uy, d_unit = x, y, d_e
    else:
        ux, uy = x / nx, y / ny
        d_unit = euclidean_distance(ux, uy).item()
        result.add("x/|x|", ux)
        result.add("y/|y|", uy)
        result.add("D_E(x/|x|, y/|y|)", d_unit, "the identity holds for unit vectors only")
    identity = float(np.sqrt(max(2 - 2 * d_c, 0.0)))
    result.add("sqrt(2 - 2 D_C)", identity, "|x - y|^2 = |x|^2 + |y|^2 - 2 x.y = 2 - 2 D_C")
    holds = bool(np.isclose(d_unit, identity, rtol=1e-9, atol=1e-9))
    result.add("identity holds", holds)
    result.summary = ("For unit vectors D_E = sqrt(2 - 2 D_C): here {} = sqrt(2 - 2*{})."
                      + ("" if unit else " (checked on the normalised vectors; D_E(x, y) itself is {}.)"))
    result.summary_args = (d_unit, d_c) if unit else (d_unit, d_c, d_e)
    return result
