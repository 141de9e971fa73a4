"""Indexing: `x[index]` with NumPy's basic and advanced (integer / boolean array) rules."""

from __future__ import annotations

from ..backend import xp
from .function import Function


def _is_basic(index) -> bool:
    """Basic indexing (ints, slices, None, Ellipsis) never selects an element twice."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, int | slice | type(None) | type(Ellipsis)) and not isinstance(p, bool)
               for p in parts)


class GetItem(Function):
    saved_inputs = ()
    saves_output = False

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


def unwrap_index(index):
    """Tensors inside an index become their arrays (so `x[labels]` works with a Tensor)."""
    from ..tensor import Tensor

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
