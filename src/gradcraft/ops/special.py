"""The error function and its relatives on arrays: erf, erfc, erfinv (NumPy has none, and SciPy
is not a dependency). Float64 throughout, accurate to a few units in the last place
(tests/core/test_math_parity.py checks them against torch and `math.erf`); other float dtypes
are computed in float64 and rounded once.

- erf(x), |x| < 1: the Taylor series 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1)) by Horner's
  rule (its alternating terms cancel little there: at most a factor 2).
- erf(x), 1 <= |x| < 3/2: the series erf x = 2/sqrt(pi) e^(-x^2) sum_k (2x^2)^k x / (1*3*...*(2k+1)),
  all terms positive, so no cancellation (the Taylor series' would grow with |x|).
- erfc(x), x >= 1: Laplace's continued fraction
  erfc x = e^(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated from the
  bottom up; it needs about 250/x^2 levels, so the depth is chosen from the smallest x present.
  erf x = 1 - erfc x for |x| >= 3/2 (where erfc <= 0.034, so erf keeps its relative accuracy),
  erfc x = 1 - erf x for x < 1 (erfc >= 0.157 there: at most ~6 ulp are lost).
- e^(-x^2) with x^2 split exactly (`_exp_minus_square`): rounding x^2 first would cost up to
  |x^2| ulp of relative error (36 ulp at x = 6).
- erfinv(y): Winitzki's closed-form guess (relative error ~2e-3), then three Halley steps
  (cubic convergence) on erf x - y, or on erfc|x| - (1 - |y|) for |y| > 1/2, where 1 - |y| is
  exact and erfc keeps relative accuracy in the tails.
"""

from __future__ import annotations

import math

from ..backend import xp

__all__ = ["erf", "erfc", "erfinv", "TWO_OVER_SQRT_PI"]

TWO_OVER_SQRT_PI = 1.1283791670955126  # 2 / sqrt(pi), the derivative of erf at 0
_INV_SQRT_PI = 0.5641895835477563
_TERMS = 40       # positive-series terms: the 40th is below 1e-18 of the sum at |x| = 3/2
_TAYLOR_END = 1.0
_SERIES_END = 1.5
# Taylor coefficients of erf x / x in powers of x^2, highest first: (-1)^n / (n! (2n+1)) times
# 2/sqrt(pi); 22 terms (n! (2n+1) > 1e21 at n = 21: below 1e-17 of erf at |x| <= 1).
_TAYLOR = [TWO_OVER_SQRT_PI * (-1) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(21, -1, -1)]
_HALLEY_STEPS = 3


def _exp_minus_square(x):
    """e^(-x^2) for x >= 0 (float64, |x| <= 40): x = hi + lo with hi of 24 significant bits, so
    hi^2 is exact and x^2 = hi^2 + lo (x + hi) with a tiny second term."""
    hi = x.astype(xp.float32).astype(xp.float64)
    lo = x - hi
    return xp.exp(-hi * hi) * xp.exp(-lo * (x + hi))


def _erf_taylor(x):
    """erf x for |x| < 1 (float64)."""
    square = x * x
    total = xp.full_like(x, _TAYLOR[0])
    for coefficient in _TAYLOR[1:]:
        total *= square
        total += coefficient
    return total * x


def _erf_series(x):
    """erf x for 0 <= x < 3/2 (float64)."""
    twice_square = 2 * x * x
    term = x.copy()
    total = x.copy()
    for k in range(1, _TERMS):
        term *= twice_square
        term /= 2 * k + 1
        total += term
    return TWO_OVER_SQRT_PI * _exp_minus_square(x) * total


def _erfc_fraction(x):
    """erfc x for x >= 1 (float64; x may be inf)."""
    if x.size == 0:
        return x.copy()
    x = xp.minimum(x, 40.0)  # erfc(27) already underflows; keeps x^2 and the split finite
    depth = int(250.0 / float(x.min()) ** 2) + 10
    tail = xp.zeros_like(x)
    for k in range(depth, 0, -1):
        tail = (0.5 * k) / (x + tail)
    return _INV_SQRT_PI * _exp_minus_square(x) / (x + tail)


def _as_float64(x):
    return xp.asarray(x, dtype=xp.float64)


def _erf64(x):
    magnitude = xp.abs(x)
    out = xp.empty_like(x)
    near = magnitude < _TAYLOR_END
    middle = (magnitude >= _TAYLOR_END) & (magnitude < _SERIES_END)
    far = magnitude >= _SERIES_END
    out[near] = _erf_taylor(magnitude[near])
    out[middle] = _erf_series(magnitude[middle])
    out[far] = 1.0 - _erfc_fraction(magnitude[far])
    out[xp.isnan(x)] = xp.nan
    return xp.copysign(out, x)


def _erfc64(x):
    out = xp.empty_like(x)
    right = x >= 1.0
    out[right] = _erfc_fraction(x[right])
    left = ~right
    out[left] = 1.0 - _erf64(x[left])  # nan stays nan
    return out


def erf(x):
    """The error function of an array, in its float dtype."""
    return _erf64(_as_float64(x)).astype(x.dtype, copy=False)


def erfc(x):
    """1 - erf(x), accurate in the right tail (erfc(10) = 2.1e-45)."""
    return _erfc64(_as_float64(x)).astype(x.dtype, copy=False)


def erfinv(y):
    """The inverse of erf on [-1, 1]: +-inf at +-1, nan outside."""
    y64 = _as_float64(y)
    magnitude = xp.abs(y64)
    with xp.errstate(divide="ignore", invalid="ignore"):
        # Winitzki: erfinv y ~ sqrt(sqrt(c^2 - ln(1 - y^2)/a) - c), c = 2/(pi a) + ln(1 - y^2)/2
        a = 0.147
        log_term = xp.log1p(-magnitude * magnitude)
        c = 2.0 / (xp.pi * a) + 0.5 * log_term
        x = xp.sqrt(xp.sqrt(c * c - log_term / a) - c)
    inside = magnitude < 1.0  # false for nan, +-1 and beyond
    x = xp.where(inside, x, 0.0)
    tail = magnitude > 0.5
    complement = 1.0 - magnitude  # exact for |y| >= 1/2
    for _ in range(_HALLEY_STEPS):  # (where |y| >= 1 x is 0 and its steps are thrown away)
        slope = TWO_OVER_SQRT_PI * _exp_minus_square(x)  # d erf / dx
        # residual of erf x = |y| (centre) or of erfc x = 1 - |y| (tails), with the matching
        # derivative; Halley's step x -= f / (f' - f f'' / (2 f')) with f''/f' = -2x.
        residual = xp.where(tail, _erfc64(x) - complement, _erf64(x) - magnitude)
        derivative = xp.where(tail, -slope, slope)
        x = x - residual / (derivative + x * residual)
    x = xp.copysign(xp.where(magnitude == 1.0, xp.inf, x), y64)
    return xp.where(inside | (magnitude == 1.0), x, xp.nan).astype(y.dtype, copy=False)
