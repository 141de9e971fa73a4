"""Predicates, logical and bitwise functions (not differentiable): isnan, logical_and, bitwise_and...

Their results are boolean or integer tensors outside the graph, whatever their inputs. Logical
functions take any numeric tensor (nonzero is true, as in NumPy and PyTorch); bitwise ones only
integer and bool tensors (a float is a TypeError naming the argument and its dtype). Python
numbers take their dtype from the tensor beside them (int32 & 3 stays int32). The operators
`& | ^ ~` of Tensor call the bitwise functions (on bool tensors they are the logical ones).
"""

from __future__ import annotations

from ...backend import xp
from ...tensor import Tensor
from ...validation import describe
from ..elementwise import _broadcast
from .arguments import tensor_like, tensor_of
from .math import numeric_tensor

__all__ = ["isnan", "isinf", "isfinite", "logical_and", "logical_or", "logical_xor",
           "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "invert",
           "bitwise_invert"]


def _result(array) -> Tensor:
    return Tensor._from_op(xp.asarray(array), None)


def _pair(a, b):
    """Both operands as tensors; a Python number typed next to the other (NumPy's weak scalars)."""
    like = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else None
    return tensor_like(a, like), tensor_like(b, like)


def _numeric_pair(a, b, function: str):
    for value, name in ((a, "a"), (b, "b")):
        numeric_tensor(value, function, name)
    return _pair(a, b)


def _integer(t: Tensor, value, function: str, name: str) -> Tensor:
    if t.data.dtype.kind not in "biu":
        seen = f"dtype {t.data.dtype}"
        if not isinstance(value, Tensor):
            seen = f"{describe(value)} of {seen}"
        raise TypeError(f"{function}: {name} must be an integer or bool tensor, got {seen}")
    return t


def _integer_pair(a, b, function: str):
    ta, tb = _pair(a, b)
    return _integer(ta, a, function, "a").data, _integer(tb, b, function, "b").data


# ------------------------------------------------------------------ predicates
def isnan(x):
    """Where x is nan (always False for integers and bools)."""
    return _result(xp.isnan(numeric_tensor(x, "isnan").data))


def isinf(x):
    """Where x is +inf or -inf."""
    return _result(xp.isinf(numeric_tensor(x, "isinf").data))


def isfinite(x):
    """Where x is neither nan nor infinite (always True for integers and bools)."""
    return _result(xp.isfinite(numeric_tensor(x, "isfinite").data))


# ------------------------------------------------------------------ logical (any numeric dtype)
def logical_and(a, b):
    ta, tb = _numeric_pair(a, b, "logical_and")
    return _result(_broadcast(xp.logical_and, "logical_and", ta.data, tb.data))


def logical_or(a, b):
    ta, tb = _numeric_pair(a, b, "logical_or")
    return _result(_broadcast(xp.logical_or, "logical_or", ta.data, tb.data))


def logical_xor(a, b):
    ta, tb = _numeric_pair(a, b, "logical_xor")
    return _result(_broadcast(xp.logical_xor, "logical_xor", ta.data, tb.data))


def logical_not(x):
    return _result(xp.logical_not(numeric_tensor(x, "logical_not").data))


# ------------------------------------------------------------------ bitwise (integers, bools)
def bitwise_and(a, b):
    """a & b, bit by bit (logical and on bools); the result's dtype is NumPy's promotion."""
    return _result(_broadcast(xp.bitwise_and, "&", *_integer_pair(a, b, "bitwise_and")))


def bitwise_or(a, b):
    """a | b, bit by bit (logical or on bools)."""
    return _result(_broadcast(xp.bitwise_or, "|", *_integer_pair(a, b, "bitwise_or")))


def bitwise_xor(a, b):
    """a ^ b, bit by bit (logical xor on bools)."""
    return _result(_broadcast(xp.bitwise_xor, "^", *_integer_pair(a, b, "bitwise_xor")))


def bitwise_not(x):
    """~x: every bit flipped (-x - 1 for signed integers; logical not on bools)."""
    t = _integer(tensor_of(x), x, "bitwise_not", "x")
    return _result(xp.invert(t.data))


invert = bitwise_invert = bitwise_not  # NumPy's names
