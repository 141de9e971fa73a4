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

# One tolerance for both yes/no answers, so they cannot contradict each other: |x| within it
# of 1 counts as unit length, and the identity holds when D_E^2 and 2 - 2 D_C (both in [0, 4])
# agree within it. The identity is compared squared: sqrt(2 - 2 D_C) would amplify the rounding
# of D_C near 1 (nearly parallel vectors) to ~1e-8.
TOLERANCE = 1e-9


def distance(x, y) -> Explanation:
    """Explain D_E(x, y) and D_C(x, y) for two vectors x, y (N,) of the same length.

    Result keys: euclidean_distance D_E(x, y); cosine_similarity D_C(x, y); norm_x, norm_y;
    unit_vectors (both norms 1 within 1e-9); unit_euclidean_distance D_E(x/|x|, y/|y|);
    sqrt_2_minus_2_cosine sqrt(2 - 2 D_C); identity_holds (D_E^2 = 2 - 2 D_C on the unit
    vectors, within 1e-9).
    """
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
    unit = bool(abs(nx - 1) <= TOLERANCE and abs(ny - 1) <= TOLERANCE)

    result = Explanation("distance", "Euclidean distance and cosine similarity")
    result.add("x", x, given=True)
    result.add("y", y, given=True)
    result.add("|x|", nx)
    result.add("|y|", ny)
    result.add("D_E", d_e, "sqrt(sum_i (x_i - y_i)^2)")
    result.add("D_C", d_c, "x.y / (|x| |y|)")
    result.add("unit vectors", unit, "|x| and |y| equal 1 within {}", TOLERANCE)
    # even "unit" vectors are normalised for the check: within the tolerance, not exactly, of 1
    ux, uy = x / nx, y / ny
    d_unit = euclidean_distance(ux, uy).item()
    if not unit:
        result.add("x/|x|", ux)
        result.add("y/|y|", uy)
        result.add("D_E(x/|x|, y/|y|)", d_unit, "the identity holds for unit vectors only")
    identity = float(np.sqrt(max(2 - 2 * d_c, 0.0)))
    result.add("sqrt(2 - 2 D_C)", identity, "|x - y|^2 = |x|^2 + |y|^2 - 2 x.y = 2 - 2 D_C")
    holds = bool(abs(d_unit ** 2 - (2 - 2 * d_c)) <= TOLERANCE)
    result.add("identity holds", holds, "D_E^2 = 2 - 2 D_C within {}", TOLERANCE)
    result.record(euclidean_distance=d_e, cosine_similarity=d_c, norm_x=nx, norm_y=ny, unit_vectors=unit,
                  unit_euclidean_distance=d_unit, sqrt_2_minus_2_cosine=identity, identity_holds=holds)
    result.summary = ("For unit vectors D_E = sqrt(2 - 2 D_C): here {} = sqrt(2 - 2*{})."
                      + ("" if unit else " (checked on the normalised vectors; D_E(x, y) itself is {}.)"))
    result.summary_args = (d_unit, d_c) if unit else (d_unit, d_c, d_e)
    return result
