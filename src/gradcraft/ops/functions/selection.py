"""Selecting and writing along an axis by index arrays, and by masks: take_along_axis and
put_along_axis (NumPy), gather, scatter, scatter_add and masked_fill (PyTorch), nonzero and
argwhere.

Tensors are values in the graph: put_along_axis, scatter, scatter_add and masked_fill return a
new tensor and leave their input as it was (NumPy's put_along_axis writes into its array and
returns None; PyTorch's in-place `scatter_` / `masked_fill_` have no counterpart here).
"""

from __future__ import annotations

from numbers import Number

from ...backend import xp
from ...spelling import accepts_dim
from ...tensor import Tensor
from ...validation import check_bool, check_int, describe
from .. import indexing, reduce, scatter as scatter_ops
from .arguments import tensor_like, tensor_of

__all__ = ["take_along_axis", "put_along_axis", "gather", "scatter", "scatter_add",
           "masked_fill", "nonzero", "argwhere"]

_NOT_GIVEN = object()


# ----------------------------------------------------------------------------- arguments
def _index_array(index, function: str, name: str):
    """`index` (a tensor, an array or a list) as a new integer array (a copy: backward reads
    it, and the caller's array may change later): TypeError naming it if not integer."""
    array = xp.array(index.data if isinstance(index, Tensor) else index)
    if array.dtype.kind not in "iu":
        if array.size == 0 and array.dtype.kind == "f":  # [] reads as float64: an empty index
            return array.astype(xp.int64)
        raise TypeError(f"{function}: {name} must be an integer tensor, got dtype {array.dtype}")
    return array


def _one_axis(axis, ndim: int, name: str) -> int:
    """`axis` (named `name`) as one axis in range(ndim); 0 for a 0-d tensor (axis 0 or -1)."""
    check_int(axis, name)
    if ndim == 0:
        reduce.normalize_axis(axis, 0, name)  # 0 and -1 name a 0-d tensor's only "axis"
        return 0
    return reduce.normalize_axis(axis, ndim, name)[0]


def _within(index, size: int, function: str, name: str, negatives: bool):
    """`index` checked against an axis of `size` (IndexError naming it) and made non-negative.
    NumPy's take/put_along_axis count negatives from the end; PyTorch's gather/scatter refuse."""
    if index.size:
        low, high = int(index.min()), int(index.max())
        if high >= size or low < (-size if negatives else 0):
            bad = high if high >= size else low
            raise IndexError(f"{function}: {name} holds {bad}, out of range for an axis of size "
                             f"{size}" + ("" if negatives else " (PyTorch's rule: 0 <= index < size)"))
        if low < 0:
            index = index % size
    return index


def _as_vector(x: Tensor, index):
    """A 0-d tensor (and index) as 1-d: PyTorch gathers and scatters 0-d tensors as 1-d ones."""
    return x.reshape(1) if x.ndim == 0 else x, index.reshape(1) if index.ndim == 0 else index


# ----------------------------------------------------------------------------- NumPy's
@accepts_dim
def take_along_axis(x, indices, axis=-1):
    """NumPy's `take_along_axis`: out[..., i, ...] = x[..., indices[..., i, ...], ...] along
    `axis`, `indices` broadcast against x on the other axes (negatives count from the end);
    `axis=None` takes from the flattened x (indices 1-d). Differentiable in x (an element picked
    twice gets both gradients)."""
    x = tensor_of(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    shape = x.shape
    x, indices, axis = _along_axis_arguments("take_along_axis", x, indices, axis)
    out = indexing.TakeAlongAxis.apply(x, index=indices, axis=axis, extents=x.shape)
    return out.reshape(()) if shape == () else out


@accepts_dim
def put_along_axis(arr, indices, values, axis):
    """NumPy's `put_along_axis`, returning a new tensor: arr with arr[..., indices[...], ...] =
    values along `axis` (values broadcast to the picked shape; `axis=None` writes into the
    flattened arr, which keeps its shape). NumPy writes into `arr` and returns None; here arr is
    left as it was. Differentiable in arr (0 where written) and values (grad read back where
    each was written; an element written twice keeps the last write, but both read the
    gradient, as PyTorch's scatter)."""
    arr = tensor_of(arr)
    shape = arr.shape
    if axis is None:
        arr, axis = arr.reshape(-1), 0
    arr, indices, axis = _along_axis_arguments("put_along_axis", arr, indices, axis)
    fancy = indexing.along_axis(indices, axis, arr.shape)
    values = tensor_like(values, arr)
    picked = xp.broadcast_shapes(*(p.shape for p in fancy))
    try:
        fits = xp.broadcast_shapes(values.shape, picked) == picked
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"put_along_axis: values of shape {values.shape} do not broadcast to "
                         f"the shape {picked} that indices pick")
    out = scatter_ops.Scatter.apply(arr, values, fancy=fancy, src_part=None, accumulate=False)
    return out if out.shape == shape else out.reshape(shape)


def _along_axis_arguments(function, x, indices, axis):
    """NumPy's rules for take/put_along_axis: (x, indices, axis) checked, 0-d as 1-d, the
    indices made non-negative."""
    indices = _index_array(indices, function, "indices")
    if indices.ndim != x.ndim:
        raise ValueError(f"{function}: indices must have as many dimensions as x ({x.ndim}), "
                         f"got shape {indices.shape}")
    axis = _one_axis(axis, x.ndim, "axis")
    x, indices = _as_vector(x, indices)
    for d, (m, n) in enumerate(zip(indices.shape, x.shape)):
        if d != axis and m != n and 1 not in (m, n):
            raise ValueError(f"{function}: indices of shape {indices.shape} do not broadcast "
                             f"against x of shape {x.shape} (dimension {d}; axis {axis} aside)")
    return x, _within(indices, x.shape[axis], function, "indices", negatives=True), axis


# ----------------------------------------------------------------------------- PyTorch's
def gather(x, dim, index):
    """PyTorch's `gather`: out[i][j][k] = x[i][index[i][j][k]][k] for dim=1, out of index's
    shape. As take_along_axis, except that index may be smaller than x on the other dims (it
    reads x's leading block there) and does not broadcast; index is in [0, x.shape[dim]).
    Differentiable in x."""
    x = tensor_of(x)
    index = _index_array(index, "gather", "index")
    dim = _one_axis(dim, x.ndim, "dim")
    _check_same_ndim(x, index, "gather", "x")
    shape = index.shape
    x, index = _as_vector(x, index)
    _check_fits(index.shape, x.shape, dim, "gather", "x")
    index = _within(index, x.shape[dim], "gather", "index", negatives=False)
    out = indexing.TakeAlongAxis.apply(x, index=index, axis=dim, extents=index.shape)
    return out if out.shape == shape else out.reshape(shape)


def scatter(x, dim, index, src=None, *, value=None):
    """PyTorch's out-of-place `torch.scatter(x, dim, index, src)`: a copy of x with
    out[i][index[i][j][k]][k] = src[i][j][k] (dim=1); `src` a tensor (its leading index-shaped
    block is used) or a number, or `value=` a number. Differentiable in x (0 where written) and
    src (grad read back where each element was written, zeros beyond the index's block -- where
    PyTorch refuses a src larger than index). A position written twice keeps one write
    (PyTorch: undefined which); both read the gradient."""
    if (src is None) == (value is None):
        raise TypeError("scatter: give exactly one of src (a tensor or number) and value= (a number)")
    return _scatter("scatter", x, dim, index, src if value is None else value, accumulate=False)


def scatter_add(x, dim, index, src):
    """PyTorch's out-of-place `torch.scatter_add`: a copy of x with
    out[i][index[i][j][k]][k] += src[i][j][k] (dim=1); an index repeated adds every src element
    sent there. Differentiable in x (grad itself) and src (grad read back at its index)."""
    if isinstance(src, Number):
        raise TypeError(f"scatter_add: src must be a tensor, got {describe(src)}")
    return _scatter("scatter_add", x, dim, index, src, accumulate=True)


def _scatter(function, x, dim, index, src, accumulate):
    x = tensor_of(x)
    index = _index_array(index, function, "index")
    dim = _one_axis(dim, x.ndim, "dim")
    _check_same_ndim(x, index, function, "x")
    shape = x.shape
    x, index = _as_vector(x, index)
    _check_fits(index.shape, x.shape, dim, function, "x")
    index = _within(index, x.shape[dim], function, "index", negatives=False)
    fancy = indexing.along_axis(index, dim, index.shape)
    if isinstance(src, Number):
        src, src_part = tensor_like(src, x), None   # broadcast to every written position
    else:
        src = tensor_of(src)
        if src.ndim == 0 and index.ndim == 1:
            src = src.reshape(1)
        if src.ndim != index.ndim or any(m > n for m, n in zip(index.shape, src.shape)):
            raise ValueError(f"{function}: src of shape {src.shape} must have index's number of "
                             f"dimensions and be at least index's shape {index.shape} on each")
        src_part = tuple(slice(0, m) for m in index.shape)
    out = scatter_ops.Scatter.apply(x, src, fancy=fancy, src_part=src_part, accumulate=accumulate)
    return out if out.shape == shape else out.reshape(shape)


def _check_same_ndim(x, index, function, name):
    if index.ndim != x.ndim:
        raise ValueError(f"{function}: index must have as many dimensions as {name} ({x.ndim}), "
                         f"got shape {index.shape}")


def _check_fits(index_shape, x_shape, dim, function, name):
    for d, (m, n) in enumerate(zip(index_shape, x_shape)):
        if d != dim and m > n:
            raise ValueError(f"{function}: index of shape {index_shape} is larger than {name} of "
                             f"shape {x_shape} on dimension {d} (only dim={dim} may differ)")


def masked_fill(x, mask, value):
    """PyTorch's `masked_fill`, out of place: x with `value` where `mask` is True (mask a bool
    tensor broadcast against x; value a number or a 0-d tensor, cast to x's dtype).
    Differentiable in x (0 where filled) and in a tensor value (the sum of grad where filled)."""
    x = tensor_of(x)
    mask_array = mask.data if isinstance(mask, Tensor) else xp.asarray(mask)
    if mask_array.dtype != xp.bool_:
        raise TypeError(f"masked_fill: mask must be a bool tensor, got dtype {mask_array.dtype}")
    try:
        xp.broadcast_shapes(mask_array.shape, x.shape)
    except ValueError:
        raise ValueError(f"masked_fill: mask of shape {mask_array.shape} does not broadcast "
                         f"against x of shape {x.shape}") from None
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got a "
                             f"tensor of shape {value.shape}")
    elif not isinstance(value, Number):
        raise TypeError(f"masked_fill: value must be a number or a 0-d tensor, got {describe(value)}")
    return scatter_ops.MaskedFill.apply(x, tensor_like(value, x), mask=mask_array)


# ----------------------------------------------------------------------------- where true
def nonzero(x, *, as_tuple=_NOT_GIVEN):
    """The indices of the non-zero elements (int64, not differentiable).

    NumPy's spelling `nonzero(x)` gives NumPy's result: a tuple of one index tensor per
    dimension (a 0-d x is refused, as NumPy 2). PyTorch's keyword gives PyTorch's result:
    `as_tuple=False` one (count, ndim) tensor (`torch.nonzero`'s default, = argwhere),
    `as_tuple=True` the tuple (a 0-d x counting as 1-d)."""
    data = tensor_of(x).data
    if as_tuple is _NOT_GIVEN:
        if data.ndim == 0:
            raise ValueError("nonzero of a 0-d tensor is not allowed (NumPy's rule); use "
                             "nonzero(x.reshape(1)), or as_tuple=False for PyTorch's result")
        return tuple(Tensor._from_op(i.astype(xp.int64, copy=False), None) for i in xp.nonzero(data))
    if not check_bool(as_tuple, "as_tuple"):
        return argwhere(x)
    return tuple(Tensor._from_op(i.astype(xp.int64, copy=False), None)
                 for i in xp.nonzero(xp.atleast_1d(data)))


def argwhere(x):
    """NumPy's and PyTorch's `argwhere`: a (count, ndim) int64 tensor of the indices of the
    non-zero elements, in C order (not differentiable)."""
    return Tensor._from_op(xp.argwhere(tensor_of(x).data).astype(xp.int64, copy=False), None)
