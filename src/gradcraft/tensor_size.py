"""`Tensor.size`: NumPy's element count, which PyTorch code may call.

NumPy spells the number of elements `x.size` (an attribute) and PyTorch spells the shape
`x.size()` and one dimension `x.size(d)` (a method). `TensorSize` is both: an `int` (the
element count, usable wherever NumPy's `x.size` is) that can be called, PyTorch's way.
"""

from __future__ import annotations

from .backend import AxisError
from .validation import check_int

__all__ = ["TensorSize"]


class TensorSize(int):
    """The number of elements of a tensor; `size()` is its shape (a tuple; PyTorch's
    `torch.Size` is a tuple too), `size(d)` the length of dimension `d` (negative counts from
    the end; out of range is NumPy's AxisError)."""

    def __new__(cls, count: int, shape: tuple):
        size = super().__new__(cls, count)
        size._shape = shape
        return size

    def __call__(self, dim=None):
        if dim is None:
            return self._shape
        ndim = len(self._shape)
        dim = check_int(dim, "dim")
        if not -ndim <= dim < ndim:
            raise AxisError(dim, ndim, "size(dim)")
        return self._shape[dim]

    def __reduce__(self):  # pickles (and copies) as the plain int it is
        return int, (int(self),)
