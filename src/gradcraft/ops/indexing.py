"""Indexing: `x[index]` with NumPy's basic and advanced (integer / boolean array) rules
(`GetItem`), and picking along one axis by an index array (`TakeAlongAxis`: take_along_axis,
gather, and the values of sort, topk, cummax, cummin and max(dim=))."""

from __future__ import annotations

from ..autograd import Function
from ..backend import xp


def _is_basic(index) -> bool:
    """Basic indexing (ints, slices, None, Ellipsis) never selects an element twice."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, int | slice | type(None) | type(Ellipsis)) and not isinstance(p, bool)
               for p in parts)


class GetItem(Function):
    def forward(self, a, index):
        self.shape, self.dtype, self.index = a.shape, a.dtype, index
        try:
            return a[index]
        except IndexError as error:
            raise IndexError(f"index {index!r} does not fit a tensor of shape {a.shape}: {error}") from None

    def backward(self, grad):
        full = xp.zeros(self.shape, dtype=grad.dtype)
        if _is_basic(self.index):
            full[self.index] = grad
        else:
            # An integer array may pick an element several times: each pick adds its gradient.
            xp.add.at(full, self.index, grad)
        return full


# ------------------------------------------------------------------- along one axis
# take_along_axis (NumPy), gather (PyTorch) and their adjoints, and the scatters of scatter.py,
# all pick elements the same way: `index` along `axis`, every other axis walked in step. Only
# how far the other axes are walked differs: over the input's own sizes, broadcast against the
# index (NumPy's take_along_axis), or over the index's sizes (PyTorch's gather, index smaller).


def along_axis(index, axis: int, extents) -> tuple:
    """The fancy index that picks `index` along `axis` and walks axis d over range(extents[d])
    elsewhere (each arange broadcast along its own dimension)."""
    ndim = len(extents)
    return tuple(index if d == axis else
                 xp.arange(n).reshape((1,) * d + (n,) + (1,) * (ndim - d - 1))
                 for d, n in enumerate(extents))


def add_at(shape: tuple, fancy: tuple, values, unique: bool = False):
    """A new array of `shape`: zeros plus `values` added at the picks of `fancy` (an element
    picked twice gets both), the adjoint of `a[fancy]`. `unique`: no element is picked twice
    (a sort's permutation), so a plain assignment does it, several times faster than add.at."""
    full = xp.zeros(shape, dtype=values.dtype)
    if unique:
        full[fancy] = values
    else:
        xp.add.at(full, fancy, values)
    return full


class TakeAlongAxis(Function):
    """out = a[fancy]: `index` along `axis` (in range, checked by the caller), the other axes
    walked over `extents` (see `along_axis`); `unique` when no element is taken twice."""

    def forward(self, a, index, axis, extents, unique=False):
        self.shape, self.fancy, self.unique = a.shape, along_axis(index, axis, extents), unique
        return a[self.fancy]

    def backward(self, grad):
        return add_at(self.shape, self.fancy, grad, self.unique)
