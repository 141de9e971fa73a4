"""Indexing: `x[index]` with NumPy's basic and advanced (integer / boolean array) rules."""

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
