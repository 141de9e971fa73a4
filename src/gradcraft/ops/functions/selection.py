"""Selecting along an axis by index arrays: take_along_axis (PyTorch's gather)."""

from __future__ import annotations

from ...backend import xp
from ...tensor import Tensor
from .. import indexing
from .. import reduce
from .arguments import tensor_of

__all__ = ["take_along_axis"]


def take_along_axis(x, indices, axis):
    """NumPy's `take_along_axis`: out[..., i, ...] = x[..., indices[..., i, ...], ...] along
    `axis`; differentiable in `x` (an index picked twice gets both gradients)."""
    x = tensor_of(x)
    indices = xp.asarray(indices.data if isinstance(indices, Tensor) else indices)
    axis = reduce.normalize_axis(axis, x.ndim)[0]
    if indices.ndim != x.ndim:
        raise ValueError(f"take_along_axis: indices must have as many dimensions as x ({x.ndim}), "
                         f"got shape {indices.shape}")
    # The fancy index equivalent to take_along_axis: `indices` on `axis`, aranges elsewhere
    # (each broadcast along its own dimension).
    index = tuple(indices if d == axis else
                  xp.arange(n).reshape((1,) * d + (n,) + (1,) * (x.ndim - d - 1))
                  for d, n in enumerate(x.shape))
    return indexing.GetItem.apply(x, index=index)
