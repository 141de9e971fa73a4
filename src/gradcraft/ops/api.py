"""The differentiable array functions (`gradcraft.exp`, `gradcraft.stack`, ...) and the
Tensor methods and operators that call them. NumPy's names, arguments and defaults."""

from __future__ import annotations

from numbers import Number

from .. import tensor as _engine
from ..backend import xp
from ..tensor import Tensor, as_tensor
from . import elementwise as ew
from . import indexing, linalg, reduce
from . import shape as shape_ops


def _tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else as_tensor(x)


# ------------------------------------------------------------------ arithmetic
def add(a, b):
    return ew.Add.apply(a, b)


def subtract(a, b):
    return ew.Sub.apply(a, b)


def multiply(a, b):
    return ew.Mul.apply(a, b)


def divide(a, b):
    return ew.Div.apply(a, b)


def power(a, b):
    return ew.Pow.apply(a, b)


def negative(a):
    return ew.Neg.apply(_tensor(a))


def matmul(a, b):
    return linalg.MatMul.apply(a, b)


# ------------------------------------------------------------------ unary
def exp(x):
    return ew.Exp.apply(_tensor(x))


def log(x):
    return ew.Log.apply(_tensor(x))


def sqrt(x):
    return ew.Sqrt.apply(_tensor(x))


def abs(x):  # noqa: A001 - NumPy's name
    return ew.Abs.apply(_tensor(x))


def tanh(x):
    return ew.Tanh.apply(_tensor(x))


def sigmoid(x):
    return ew.Sigmoid.apply(_tensor(x))


def relu(x):
    return ew.ReLU.apply(_tensor(x))


def leaky_relu(x, negative_slope: float = 0.01):
    return ew.LeakyReLU.apply(_tensor(x), negative_slope=negative_slope)


def clip(x, a_min=None, a_max=None):
    if a_min is None and a_max is None:
        raise ValueError("clip needs a_min or a_max (or both)")
    return ew.Clip.apply(_tensor(x), low=a_min, high=a_max)


def maximum(a, b):
    return ew.Maximum.apply(a, b)


def minimum(a, b):
    return ew.Minimum.apply(a, b)


def where(condition, a, b):
    condition = condition.data if isinstance(condition, Tensor) else xp.asarray(condition)
    like = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else None
    return ew.Where.apply(Tensor._from_op(condition, None), _as(a, like), _as(b, like))


def _as(x, like):
    return x if isinstance(x, Tensor) else as_tensor(x, like)


# ------------------------------------------------------------------ reductions
def _check_axis(axis, name: str = "axis"):
    """`axis` must be None, an integer or a sequence of integers (not 1.0, not 'a')."""
    if axis is None or type(axis) is int:
        return axis
    items = axis if isinstance(axis, tuple | list) else (axis,)
    if not all(isinstance(a, int | xp.integer) and not isinstance(a, bool) for a in items):
        raise TypeError(f"{name} must be None, an int or a tuple of ints, got {axis!r}")
    return axis


def sum(x, axis=None, keepdims=False):  # noqa: A001
    return reduce.Sum.apply(_tensor(x), axis=_check_axis(axis), keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    return reduce.Mean.apply(_tensor(x), axis=_check_axis(axis), keepdims=keepdims)


def var(x, axis=None, keepdims=False, ddof=0):
    return reduce.Var.apply(_tensor(x), axis=_check_axis(axis), keepdims=keepdims, ddof=ddof)


def std(x, axis=None, keepdims=False, ddof=0):
    return reduce.Std.apply(_tensor(x), axis=_check_axis(axis), keepdims=keepdims, ddof=ddof)


def max(x, axis=None, keepdims=False):  # noqa: A001
    return reduce.Max.apply(_tensor(x), axis=_check_axis(axis), keepdims=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    return reduce.Min.apply(_tensor(x), axis=_check_axis(axis), keepdims=keepdims)


def argmax(x, axis=None, keepdims=False):
    """Indices of the maxima (an int64 tensor; not differentiable)."""
    return Tensor._from_op(xp.argmax(_tensor(x).data, axis=_check_axis(axis), keepdims=keepdims), None)


def argmin(x, axis=None, keepdims=False):
    return Tensor._from_op(xp.argmin(_tensor(x).data, axis=_check_axis(axis), keepdims=keepdims), None)


# ------------------------------------------------------------------ shape
def _shape_args(shape, name: str = "shape"):
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


def reshape(x, *shape):
    return shape_ops.Reshape.apply(_tensor(x), shape=_shape_args(shape))


def transpose(x, *axes):
    axes = _shape_args(axes, "transpose: axes") if axes else None
    return shape_ops.Transpose.apply(_tensor(x), axes=axes)


def permute(x, *dims):
    return transpose(x, *dims)


def broadcast_to(x, *shape):
    return shape_ops.BroadcastTo.apply(_tensor(x), shape=_shape_args(shape))


def expand(x, *sizes):
    """PyTorch's expand: like broadcast_to, and -1 keeps a dimension's size."""
    x = _tensor(x)
    sizes = _shape_args(sizes)
    offset = len(sizes) - x.ndim
    target = tuple(x.shape[i - offset] if n == -1 and i >= offset else n for i, n in enumerate(sizes))
    return broadcast_to(x, target)


def squeeze(x, axis=None):
    return shape_ops.Squeeze.apply(_tensor(x), axis=axis)


def unsqueeze(x, axis):
    return shape_ops.Unsqueeze.apply(_tensor(x), axis=axis)


expand_dims = unsqueeze


def flatten(x, start_axis=0):
    x = _tensor(x)
    return reshape(x, x.shape[:start_axis] + (-1,))


def concatenate(tensors, axis=0):
    tensors = list(tensors)
    return shape_ops.Concatenate.apply(*tensors, axis=axis)


def stack(tensors, axis=0):
    tensors = list(tensors)
    return shape_ops.Stack.apply(*tensors, axis=axis)


def split(x, indices_or_sections, axis=0):
    """NumPy's split: a number of equal sections, or the indices where to cut."""
    x = _tensor(x)
    axis = reduce.normalize_axis(axis, x.ndim)[0]
    n = x.shape[axis]
    if isinstance(indices_or_sections, int | xp.integer) and not isinstance(indices_or_sections, bool):
        indices_or_sections = int(indices_or_sections)
        if indices_or_sections <= 0 or n % indices_or_sections:
            raise ValueError(
                f"split: axis {axis} of size {n} cannot be split into {indices_or_sections} equal sections"
            )
        step = n // indices_or_sections
        cuts = list(range(step, n, step))[: indices_or_sections - 1]
    else:
        cuts = list(indices_or_sections)
    bounds = [0, *cuts, n]
    lead = (slice(None),) * axis
    return [x[lead + (slice(lo, hi),)] for lo, hi in zip(bounds[:-1], bounds[1:])]


def pad(x, pad_width, mode="constant", constant_values=0):
    if mode != "constant":
        raise ValueError(f"pad: only mode='constant' is differentiable here, got mode={mode!r}")
    x = _tensor(x)
    if x.ndim == 0:
        raise ValueError("pad: a 0-d tensor (shape ()) has no axis to pad; reshape it first, "
                         "e.g. x.reshape(1)")
    try:
        kind = xp.asarray(pad_width.data if isinstance(pad_width, Tensor) else pad_width).dtype.kind
    except ValueError:  # ragged nesting
        kind = "O"
    if kind not in "iu":
        raise TypeError(f"pad: pad_width must be integers (an int, a (before, after) pair, or one "
                        f"pair per axis), got {pad_width!r}")
    return shape_ops.Pad.apply(x, pad_width=pad_width, constant_values=constant_values)


def getitem(x, index):
    return indexing.GetItem.apply(_tensor(x), index=indexing.unwrap_index(index))


# ------------------------------------------------------------------ Tensor methods
def _operand(other, like: Tensor, symbol: str, reflected: bool = False):
    """`other` as a tensor typed next to `like`; a TypeError like Python's (and torch's) when it
    is not numeric (x + "a"), rather than NumPy's UFuncTypeError from inside the op."""
    if isinstance(other, Tensor):
        return other
    tensor = as_tensor(other, like)
    if tensor.data.dtype.kind not in "biuf":
        names = ["'Tensor'", f"'{type(other).__name__}'"]
        left, right = names[::-1] if reflected else names
        raise TypeError(f"unsupported operand type(s) for {symbol}: {left} and {right}")
    return tensor


def _binary(op, symbol, reflected=False):
    """`self <op> other` (or `other <op> self`); a number takes its dtype from `self`."""
    if reflected:
        def method(self, other):
            return op.apply(_operand(other, self, symbol, True), self)
    else:
        def method(self, other):
            return op.apply(self, other if isinstance(other, Tensor) else _operand(other, self, symbol))
    return method


def _inplace(op, ufunc, symbol):
    """`self <op>= other`, PyTorch's rules, chosen so no gradient is ever computed from a value
    that was overwritten after the graph saved it:

    - inside `no_grad()` the data is updated in place and `self` returned (the parameter
      update `with no_grad(): w -= lr * w.grad` changes the tensor the model holds);
    - while the graph is recorded, a leaf that requires grad refuses (as PyTorch does: its
      gradient would be taken at a value that no longer exists), and any other tensor gets
      `self <op> other`, a new tensor the name is rebound to (the old value stays intact for
      the ops that saved it).
    """
    def method(self, other):
        if _engine._grad_enabled:
            if self.requires_grad and self._ctx is None:
                raise RuntimeError(
                    f"in-place '{symbol}=' on a leaf tensor that requires grad: its gradient would be "
                    f"taken at a value that was overwritten. Update parameters inside "
                    f"`with gradcraft.no_grad():`, or write x = x {symbol} ... for a new tensor")
            return op.apply(self, _operand(other, self, symbol + "="))
        _update_in_place(self, ufunc, symbol, other.data if isinstance(other, Tensor) else other)
        return self

    return method


def _update_in_place(tensor, ufunc, symbol, other):
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
        _engine.bump_version(tensor)
    except TypeError:  # NumPy's UFuncTypeError: e.g. int64 /= 2 gives floats
        seen = type(other).__name__ if isinstance(other, Number) else other.dtype
        raise TypeError(f"in-place '{symbol}=': the tensor's dtype {data.dtype} cannot hold the "
                        f"result of {data.dtype} {symbol} {seen}; write x = x {symbol} ... for a "
                        "new tensor") from None


def _compare(ufunc, symbol):
    def method(self, other):
        other = other.data if isinstance(other, Tensor) else other
        try:
            return Tensor._from_op(ufunc(self.data, other), None)
        except TypeError:  # no loop for these types (x == "relu"): let Python decide, as torch
            return NotImplemented  # == and != by identity; <, > raise a one-line TypeError
        except ValueError:  # shapes that do not broadcast: name them, as the arithmetic does
            other_shape = xp.shape(other)
            raise ValueError(f"operands of '{symbol}' have incompatible shapes {self.shape} and "
                             f"{other_shape}") from None

    return method


def _attach_methods():
    T = Tensor
    for name, op, symbol in (("add", ew.Add, "+"), ("sub", ew.Sub, "-"), ("mul", ew.Mul, "*"),
                             ("truediv", ew.Div, "/"), ("pow", ew.Pow, "**"),
                             ("matmul", linalg.MatMul, "@")):
        setattr(T, f"__{name}__", _binary(op, symbol))
        setattr(T, f"__r{name}__", _binary(op, symbol, reflected=True))
    T.__iadd__ = _inplace(ew.Add, xp.add, "+")
    T.__isub__ = _inplace(ew.Sub, xp.subtract, "-")
    T.__imul__ = _inplace(ew.Mul, xp.multiply, "*")
    T.__itruediv__ = _inplace(ew.Div, xp.true_divide, "/")
    T.__ipow__ = _inplace(ew.Pow, xp.power, "**")
    T.__neg__ = negative
    T.__getitem__ = getitem
    T.__lt__, T.__le__ = _compare(xp.less, "<"), _compare(xp.less_equal, "<=")
    T.__gt__, T.__ge__ = _compare(xp.greater, ">"), _compare(xp.greater_equal, ">=")
    T.__eq__, T.__ne__ = _compare(xp.equal, "=="), _compare(xp.not_equal, "!=")
    T.__array_ufunc__ = numpy_protocol.array_ufunc
    T.__array_function__ = numpy_protocol.array_function
    for name in ("exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "leaky_relu", "clip",
                 "sum", "mean", "var", "std", "max", "min", "argmax", "argmin", "reshape",
                 "transpose", "permute", "broadcast_to", "expand", "squeeze", "unsqueeze",
                 "flatten", "pad", "maximum", "minimum"):
        setattr(T, name, globals()[name])
    T.__abs__ = abs
    T.T = property(lambda self: transpose(self))
    T.view = reshape
    T.matmul = matmul


# Imported here, with every function above defined: the protocols dispatch to them.
from . import numpy_protocol  # noqa: E402

_attach_methods()
