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

A `dtype=` argument follows the same rule (`check_float_dtype`): something NumPy cannot read as a
dtype is a TypeError, a dtype that is not floating (np.int64) a ValueError.

Checks of array *shapes* stay next to the op that needs them: they are about the math, not about
an argument's type or range.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["check_real", "check_int", "check_bool", "check_choice", "check_pair", "check_float_dtype",
           "describe"]


def describe(value) -> str:
    """`value!r (type)`: how a rejected value is shown."""
    return f"{value!r} ({type(value).__name__})"


def _bound_text(bound) -> str:
    # ints exactly (2**32 - 1, not 4.29497e+09); floats short (0, not 0.0)
    return str(bound) if isinstance(bound, numbers.Integral) else f"{bound:g}"


def _range_text(low, high, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        return (f"in {'(' if low_open else '['}{_bound_text(low)}, {_bound_text(high)}"
                f"{')' if high_open else ']'}")
    if low is not None:
        return f"{'>' if low_open else '>='} {_bound_text(low)}"
    return f"{'<' if high_open else '<='} {_bound_text(high)}"


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
    # np.bool_ by class: its type name is 'bool' since NumPy 2 ('bool_' before)
    if not isinstance(value, bool | np.bool_):
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
    """An int or a pair of ints (height, width), each checked by `check_int` against `low`.
    Not a number or a sequence: TypeError; a sequence of another length: ValueError (its type is
    right, its length is the wrong value)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value, value)
    if isinstance(value, str) or not hasattr(value, "__len__"):
        raise TypeError(f"{name} must be an int or a pair of ints, got {describe(value)}")
    if len(value) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r} ({len(value)} values)")
    return check_int(value[0], name, low=low), check_int(value[1], name, low=low)


def check_float_dtype(value, name: str) -> np.dtype:
    """`value` as a NumPy floating dtype (np.float32, 'float64', 'f4', ...).

    TypeError if NumPy cannot read it as a dtype at all (3.5, True, an object); ValueError for a
    dtype that is not floating (np.int64, bool) and for a string that names no dtype ('flaot32'):
    a string is the right type for a dtype name, so a misspelt one is a wrong value, as with
    `check_choice`. None is refused too: callers decide what None means (the default float, or
    "keep the data's dtype") before calling this.
    """
    try:
        dtype = np.dtype(value) if value is not None else None
    except (TypeError, ValueError):  # NumPy's own message would not name the argument
        dtype = None
    wanted = f"{name} must be a floating dtype such as numpy.float32"
    if dtype is None:
        if isinstance(value, str):
            raise ValueError(f"{wanted}, got {value!r}, which names no NumPy dtype")
        raise TypeError(f"{wanted}, got {describe(value)}")
    if not np.issubdtype(dtype, np.floating):
        raise ValueError(f"{wanted}, got {dtype}")
    return dtype


def _listing(choices) -> str:
    return ", ".join(repr(c) for c in choices)
