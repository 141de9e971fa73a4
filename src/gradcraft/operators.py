"""What Python's operators mean on tensors, beyond the op they call: how the other operand is
typed (`x * 0.5` stays float32), PyTorch's rules for in-place operators (`w -= lr * g`), and
comparisons (boolean tensors outside the graph).
"""

from __future__ import annotations

from numbers import Number

from . import autograd
from .backend import xp
from .tensor import Tensor, as_tensor

__all__ = ["operand", "in_place", "compare"]


def operand(other, like: Tensor, symbol: str, reflected: bool = False) -> Tensor:
    """`other` as a tensor typed next to `like`; a TypeError like Python's (and torch's) when it
    is not numeric (x + "a"), rather than NumPy's UFuncTypeError from inside the op."""
    if isinstance(other, Tensor):
        return other
    operand = as_tensor(other, like)
    if operand.data.dtype.kind not in "biuf":
        names = ["'Tensor'", f"'{type(other).__name__}'"]
        left, right = names[::-1] if reflected else names
        raise TypeError(f"unsupported operand type(s) for {symbol}: {left} and {right}")
    return operand


def in_place(tensor: Tensor, other, op, ufunc, symbol: str):
    """`tensor <op>= other`, PyTorch's rules, chosen so no gradient is ever computed from a
    value that was overwritten after the graph saved it:

    - inside `no_grad()` the data is updated in place and `tensor` returned (the parameter
      update `with no_grad(): w -= lr * w.grad` changes the tensor the model holds);
    - while the graph is recorded, a leaf that requires grad refuses (as PyTorch does: its
      gradient would be taken at a value that no longer exists), and any other tensor gets
      `tensor <op> other`, a new tensor the name is rebound to (the old value stays intact for
      the ops that saved it).
    """
    if autograd.is_grad_enabled():
        if tensor.requires_grad and tensor._ctx is None:
            raise RuntimeError(
                f"in-place '{symbol}=' on a leaf tensor that requires grad: its gradient would be "
                f"taken at a value that was overwritten. Update parameters inside "
                f"`with gradcraft.no_grad():`, or write x = x {symbol} ... for a new tensor")
        return op.apply(tensor, operand(other, tensor, symbol + "="))
    _update_in_place(tensor, ufunc, symbol, other.data if isinstance(other, Tensor) else other)
    return tensor


def _update_in_place(tensor: Tensor, ufunc, symbol: str, other) -> None:
    """`ufunc(tensor.data, other, out=tensor.data)` with the errors named, not NumPy's; bumps
    the storage's version, so a graph that saved the old value refuses to backpropagate."""
    data = tensor.data
    if not isinstance(other, Number | xp.ndarray | xp.generic):
        other = xp.asarray(other)  # a list; Python numbers stay weak (float32 -= 0.1 is float32)
    other_dtype = xp.asarray(other).dtype
    if other_dtype.kind not in "biuf":
        raise TypeError(f"in-place '{symbol}=': unsupported operand of type {type(other).__name__} "
                        f"(dtype {other_dtype})")
    other_shape = xp.shape(other)
    try:
        fits = xp.broadcast_shapes(data.shape, other_shape) == data.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"in-place '{symbol}=': the right-hand side of shape {other_shape} does "
                         f"not broadcast to the tensor's shape {data.shape}")
    if not data.flags.writeable:
        raise ValueError(f"in-place '{symbol}=': the tensor's data is read-only (a broadcast view, "
                         f"e.g. from expand/broadcast_to); write x = x {symbol} ... instead")
    try:
        ufunc(data, other, out=data, casting="same_kind")  # casting is checked before any write
    except TypeError:  # NumPy's UFuncTypeError: e.g. int64 /= 2 gives floats
        seen = type(other).__name__ if isinstance(other, Number) else other.dtype
        raise TypeError(f"in-place '{symbol}=': the tensor's dtype {data.dtype} cannot hold the "
                        f"result of {data.dtype} {symbol} {seen}; write x = x {symbol} ... for a "
                        "new tensor") from None
    autograd.bump_version(tensor)


def compare(tensor: Tensor, other, ufunc, symbol: str):
    other = other.data if isinstance(other, Tensor) else other
    try:
        return Tensor._from_op(xp.asarray(ufunc(tensor.data, other)), None)
    except TypeError:  # no loop for these types (x == "relu"): let Python decide, as torch
        return NotImplemented  # == and != by identity; <, > raise a one-line TypeError
    except ValueError:  # shapes that do not broadcast: name them, as the arithmetic does
        raise ValueError(f"operands of '{symbol}' have incompatible shapes {tensor.shape} and "
                         f"{xp.shape(other)}") from None
