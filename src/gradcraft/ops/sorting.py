"""The orders of sort, argsort and topk along one axis, as index arrays (int64). The sorted
values themselves are gathered through `indexing.TakeAlongAxis`, so their gradient goes to the
index returned, as PyTorch's sort and topk."""

from __future__ import annotations

from ..backend import xp


def sort_order(a, axis: int, descending: bool = False):
    """The indices that sort `a` along `axis`, always stable: equal elements keep their order
    (PyTorch's `stable=True`; its unstable CPU sort may order ties otherwise). NaN sorts as the
    largest value, as in NumPy and PyTorch (last ascending, first descending)."""
    if a.ndim == 0:
        return xp.zeros((), dtype=xp.int64)
    if not descending:
        return xp.argsort(a, axis=axis, kind="stable").astype(xp.int64, copy=False)
    # Descending and stable: sort the reversed array ascending (equal elements then come out
    # latest first), reverse the result (earliest first again) and map the positions back.
    n = a.shape[axis]
    reversed_order = xp.argsort(xp.flip(a, axis), axis=axis, kind="stable")
    return (n - 1 - xp.flip(reversed_order, axis)).astype(xp.int64, copy=False)
