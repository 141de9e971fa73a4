"""Cumulative scans along an axis: cumsum, cumprod (NumPy's and PyTorch's), cummax, cummin
(PyTorch's; NumPy has none)."""

from __future__ import annotations

from ...spelling import accepts_dim
from ...tensor import Tensor
from .. import indexing, scan
from .arguments import tensor_of
from .reductions import ValuesIndices, check_dtype
from .selection import _one_axis

__all__ = ["cumsum", "cumprod", "cummax", "cummin"]


@accepts_dim
def cumsum(x, axis=None, dtype=None):
    """Running sums along `axis` (NumPy's `cumsum`; `torch.cumsum(x, dim, dtype=)`).
    `axis=None` scans the flattened tensor (NumPy's default; PyTorch requires dim). A 0-d
    tensor with axis 0 or -1 stays 0-d (PyTorch's; NumPy returns shape (1,))."""
    x, axis = _scanned(x, axis)
    return scan.CumSum.apply(x, axis=axis, dtype=check_dtype(dtype, "dtype"))


@accepts_dim
def cumprod(x, axis=None, dtype=None):
    """Running products along `axis` (NumPy's `cumprod`, `torch.cumprod`), as `cumsum`. The
    gradient is right with zeros in the input (PyTorch's values)."""
    x, axis = _scanned(x, axis)
    return scan.CumProd.apply(x, axis=axis, dtype=check_dtype(dtype, "dtype"))


@accepts_dim
def cummax(x, axis):
    """`torch.cummax(x, dim)`: the running maxima along `axis` and their indices, as the pair
    (values, indices) (NumPy has no cummax; `np.maximum.accumulate` gives the values). A tie
    moves the index to the later element and NaN propagates, as PyTorch; the gradient of each
    value goes to the element its index names."""
    return _running_extremum(x, axis, largest=True)


@accepts_dim
def cummin(x, axis):
    """`torch.cummin(x, dim)`: the running minima and their indices, as `cummax`."""
    return _running_extremum(x, axis, largest=False)


def _scanned(x, axis):
    x = tensor_of(x)
    if axis is None:
        return x.reshape(-1), 0
    return x, _one_axis(axis, x.ndim, "axis")


def _running_extremum(x, axis, largest):
    x = tensor_of(x)
    axis = _one_axis(axis, x.ndim, "axis")
    vector = x.reshape(1) if x.ndim == 0 else x
    indices = scan.running_extremum_indices(vector.data, axis, largest)
    values = indexing.TakeAlongAxis.apply(vector, index=indices, axis=axis, extents=vector.shape)
    if x.ndim == 0:
        values, indices = values.reshape(()), indices.reshape(())
    return ValuesIndices(values, Tensor._from_op(indices, None))
