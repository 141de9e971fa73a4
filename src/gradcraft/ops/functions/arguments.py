"""Argument helpers shared by the differentiable functions: what a function's tensor, axis and
shape arguments may be."""

from __future__ import annotations

from numbers import Number

from ...backend import xp
from ...tensor import Tensor, as_tensor


def tensor_of(x) -> Tensor:
    """`x` as a Tensor (a NumPy array is wrapped without copying)."""
    return x if isinstance(x, Tensor) else as_tensor(x)


def tensor_like(x, like):
    """`x` as a Tensor; a Python number takes its dtype from `like` (NumPy's weak scalars)."""
    return x if isinstance(x, Tensor) else as_tensor(x, like)


def check_axis(axis, name: str = "axis"):
    """`axis` must be None, an integer or a sequence of integers (not 1.0, not 'a')."""
    if axis is None or type(axis) is int:
        return axis
    items = axis if isinstance(axis, tuple | list) else (axis,)
    if not all(isinstance(a, int | xp.integer) and not isinstance(a, bool) for a in items):
        raise TypeError(f"{name} must be None, an int or a tuple of ints, got {axis!r}")
    return axis


def shape_args(shape, name: str = "shape"):
    """Accept both f(2, 3) and f((2, 3)); every entry must be an integer."""
    given = shape
    if len(shape) == 1 and not isinstance(shape[0], Number | str):
        try:
            shape = tuple(shape[0])
        except TypeError:  # not iterable (None, an object): refused just below
            pass
    if not all(isinstance(n, int | xp.integer) and not isinstance(n, bool) for n in shape):
        seen = given[0] if len(given) == 1 else given
        raise TypeError(f"{name} must be integers, as f(2, 3) or f((2, 3)), got {seen!r}")
    return tuple(shape)
