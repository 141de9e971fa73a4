"""Type checks for numeric arguments, shared by layers and optimizers.

`float()` and `int()` would take '2', True and 1.7 (truncated to 1) without a word; these refuse
them with a TypeError naming the argument and showing the value. Ranges (NaN, inf, signs) are
the caller's business.
"""

from __future__ import annotations

import numbers

__all__ = ["check_real", "check_int"]


def check_real(value, argument: str) -> float:
    """`value` as a Python float (Python and NumPy reals; NaN and inf too), or a TypeError naming
    `argument`. Bools and strings are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{argument} must be a real number, got {value!r} ({type(value).__name__})")
    return float(value)


def check_int(value, argument: str) -> int:
    """`value` as a Python int (NumPy integers accepted, negative allowed), or a TypeError naming
    `argument`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{argument} must be an int, got {value!r} ({type(value).__name__})")
    return int(value)
