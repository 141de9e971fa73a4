"""Argument checks, with one policy for every public function of gradcraft.

- A value of the wrong *type* raises TypeError: a string or None for a learning rate, 1.7 for a
  count, True for a number (bools are refused as numbers, though Python counts them as ints).
- A value of the right type outside its domain raises ValueError: a negative learning rate,
  NaN, a probability of 2, a name that is not among the choices.

Both messages name the argument and show what was seen, e.g.
`lr must be a real number, got '0.1' (str)` and `lr must be > 0, got -0.1`.
NumPy scalars count as the Python numbers they hold (np.float32(0.1) is a real, np.int64(3) an
int). Each check returns the value converted to the plain Python type, so callers store floats
and ints, never strings or NumPy scalars.

Checks of array *shapes* stay next to the op that needs them: they are about the math, not about
an argument's type or range.
"""

from __future__ import annotations

import math
import numbers

__all__ = ["check_real", "check_int", "check_bool", "check_choice", "check_pair", "describe"]


def describe(value) -> str:
    """`value!r (type)`: how a rejected value is shown."""
    return f"{value!r} ({type(value).__name__})"


def _range_text(low, high, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low:g}"
    return f"{'<' if high_open else '<='} {high:g}"


def _outside(value, low, high, low_open: bool, high_open: bool) -> bool:
    if low is not None and (value <= low if low_open else value < low):
        return True
    return high is not None and (value >= high if high_open else value > high)


def check_real(value, name: str, *, low: float | None = None, high: float | None = None,
               low_open: bool = False, high_open: bool = False, finite: bool = True) -> float:
    """`value` as a Python float.

    TypeError unless it is a real number (Python or NumPy; not a bool, str or None).
    ValueError if it is outside [low, high] (an open end with `low_open` / `high_open`; NaN is
    outside every range), or NaN or infinite unless `finite=False`.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {describe(value)}")
    value = float(value)
    ranged = low is not None or high is not None
    if ranged and (math.isnan(value) or _outside(value, low, high, low_open, high_open)):
        raise ValueError(f"{name} must be {_range_text(low, high, low_open, high_open)}, got {value!r}")
    if finite and not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return value


def check_int(value, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """`value` as a Python int: TypeError unless it is an integer (Python or NumPy; 2.0 and True
    are refused), ValueError outside [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {describe(value)}")
    value = int(value)
    if _outside(value, low, high, False, False):
        if high is None and low in (0, 1):
            wanted = "a positive int" if low == 1 else "a non-negative int"
        else:
            wanted = "an int " + _range_text(low, high, False, False)
        raise ValueError(f"{name} must be {wanted}, got {value}")
    return value


def check_bool(value, name: str) -> bool:
    """`value` as a bool: TypeError for anything else (NumPy's bool_ is accepted; 0 and 1 are
    not, so a misplaced positional argument is caught)."""
    if not isinstance(value, bool) and type(value).__name__ != "bool_":
        raise TypeError(f"{name} must be True or False, got {describe(value)}")
    return bool(value)


def check_choice(value, name: str, choices):
    """`value` if it is one of `choices`: TypeError if it is not of the choices' type (e.g. not
    a str), ValueError naming the valid choices otherwise."""
    choices = tuple(choices)
    if choices and not isinstance(value, tuple({type(c) for c in choices})):
        raise TypeError(f"{name} must be one of {_listing(choices)}, got {describe(value)}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {_listing(choices)}, got {value!r}")
    return value


def check_pair(value, name: str, *, low: int | None = None) -> tuple[int, int]:
    """An int or a pair of ints (height, width), each checked by `check_int` against `low`."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value, value)
    if isinstance(value, str) or not hasattr(value, "__len__") or len(value) != 2:
        raise TypeError(f"{name} must be an int or a pair of ints, got {describe(value)}")
    return check_int(value[0], name, low=low), check_int(value[1], name, low=low)


def _listing(choices) -> str:
    return ", ".join(repr(c) for c in choices)
