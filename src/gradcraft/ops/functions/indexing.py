"""Indexing: `x[index]` with tensors inside the index."""

from __future__ import annotations

from ...backend import xp
from ...tensor import Tensor
from .. import indexing
from .arguments import tensor_of

__all__ = ['getitem']

def getitem(x, index):
    return indexing.GetItem.apply(tensor_of(x), index=_unwrap_index(index))


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
