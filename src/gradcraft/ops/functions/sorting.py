"""Sorting: sort, argsort (NumPy's and PyTorch's spellings), topk (PyTorch's).

One rule for both spellings (as `max(dim=)`): NumPy's spelling gives NumPy's result,
`sort(x, axis)` the sorted values; PyTorch's (`dim=`, `descending=` or `stable=`) gives
PyTorch's, the pair (values, indices). Every sort is stable (ties keep their order, PyTorch's
`stable=True`; NumPy's `kind` changes nothing), and the gradient of a sorted value goes to the
element its index names. `Tensor.sort` returns the sorted tensor as `sort` does: unlike NumPy's
`ndarray.sort`, it never sorts in place.
"""

from __future__ import annotations

from ...spelling import either
from ...tensor import Tensor
from ...validation import check_bool, check_choice, check_int
from .. import indexing, sorting
from .arguments import tensor_of
from .reductions import ValuesIndices
from .selection import _one_axis

__all__ = ["sort", "argsort", "topk"]

_NOT_GIVEN = object()
_KINDS = (None, "quicksort", "mergesort", "heapsort", "stable")


def sort(x, axis=-1, kind=None, order=None, *, dim=_NOT_GIVEN, descending=_NOT_GIVEN,
         stable=_NOT_GIVEN):
    """NumPy's `sort(x, axis=-1)`: the values sorted along `axis` (`axis=None`: the flattened
    tensor). With PyTorch's spelling -- `dim=`, `descending=` or `stable=` -- PyTorch's result,
    `torch.sort`'s pair (values, indices). Stable either way; NaN sorts last (first when
    descending), as both libraries. A 0-d tensor is its own sort (PyTorch's; NumPy refuses)."""
    torch_spelling = not (dim is _NOT_GIVEN and descending is _NOT_GIVEN and stable is _NOT_GIVEN)
    x, axis, descending = _sort_arguments("sort", x, axis, kind, order, dim, descending, stable)
    order = _order(x, axis, descending)
    values = _take(x, order, axis)
    if torch_spelling:
        return ValuesIndices(values, Tensor._from_op(order, None))
    return values


def argsort(x, axis=-1, kind=None, order=None, *, dim=_NOT_GIVEN, descending=_NOT_GIVEN,
            stable=_NOT_GIVEN):
    """The indices that sort x along `axis` (NumPy's `argsort`, `torch.argsort(x, dim,
    descending=, stable=)`): an int64 tensor, not differentiable; stable, as `sort`."""
    x, axis, descending = _sort_arguments("argsort", x, axis, kind, order, dim, descending, stable)
    return Tensor._from_op(_order(x, axis, descending), None)


def topk(x, k, dim=-1, largest=True, sorted=True):  # noqa: A002
    """`torch.topk`: the k largest (smallest with `largest=False`) elements along `dim` and
    their indices, the pair (values, indices), largest first. Ties are taken in index order.
    `sorted=False` returns them sorted too (PyTorch: in an unspecified order). The gradient of
    each value goes to the element its index names."""
    x = tensor_of(x)
    dim = _one_axis(dim, x.ndim, "dim")
    largest, _ = check_bool(largest, "largest"), check_bool(sorted, "sorted")
    size = x.shape[dim] if x.ndim else 1
    k = check_int(k, "k", low=0)
    if k > size:
        raise ValueError(f"topk: k={k} is larger than the {size} elements along dim {dim} "
                         f"(shape {x.shape})")
    order = _order(x, dim, descending=largest)
    if x.ndim:
        order = order[(slice(None),) * dim + (slice(0, k),)].copy()  # the first k, contiguous
    values = _take(x, order, dim)
    return ValuesIndices(values, Tensor._from_op(order, None))


def _sort_arguments(function, x, axis, kind, order, dim, descending, stable):
    x = tensor_of(x)
    check_choice(kind, "kind", _KINDS)
    if order is not None:
        raise TypeError(f"{function}: order= (fields of a structured array) is not supported")
    if dim is None:
        raise TypeError(f"{function}: dim= must be an int, got None")
    axis = either(function, "axis", axis, "dim", dim, default=-1, missing=_NOT_GIVEN)
    descending = False if descending is _NOT_GIVEN else check_bool(descending, "descending")
    if stable is not _NOT_GIVEN and stable is not None:
        check_bool(stable, "stable")  # every sort here is stable
    if axis is None:
        return x.reshape(-1), 0, descending
    return x, _one_axis(axis, x.ndim, "dim" if dim is not _NOT_GIVEN else "axis"), descending


def _order(x, axis, descending):
    return sorting.sort_order(x.data, axis, descending)


def _take(x, order, axis):
    """x's elements at `order` along `axis`, in the graph (a 0-d x is its own value). An order
    takes each element at most once: the gradient is written back, not added up."""
    if x.ndim == 0:
        return indexing.TakeAlongAxis.apply(x.reshape(1), index=order.reshape(1), axis=0,
                                            extents=(1,), unique=True).reshape(())
    return indexing.TakeAlongAxis.apply(x, index=order, axis=axis, extents=x.shape, unique=True)
