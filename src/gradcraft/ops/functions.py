"""The differentiable array functions (`gradcraft.exp`, `gradcraft.stack`, ...), NumPy's names,
arguments and defaults; the Tensor methods of the same names call them. Each checks and
normalises its arguments, then applies one op of this package.
"""

from __future__ import annotations

from numbers import Number

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
    """`a` where `condition` holds, else `b` (broadcast together). The condition is never
    differentiated; as a tensor it is kept, so changing it in place before backward is caught."""
    condition = condition if isinstance(condition, Tensor) else as_tensor(xp.asarray(condition))
    like = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else None
    return ew.Where.apply(condition, _as(a, like), _as(b, like))


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
    return indexing.GetItem.apply(_tensor(x), index=_unwrap_index(index))


def _unwrap_index(index):
    """Tensors inside an index become their arrays (so `x[labels]` works with a Tensor)."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(p.data if isinstance(p, Tensor) else p for p in index)
    if isinstance(index, list):
        index = xp.asarray(index)
        # [] converts to a float64 array, which NumPy refuses as an index; NumPy's own x[[]]
        # selects nothing, so an empty list is an empty integer index.
        return index.astype(xp.intp) if index.size == 0 and index.dtype.kind == "f" else index
    return index

