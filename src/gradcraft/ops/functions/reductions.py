"""Reductions over axes: sum, mean, prod, logsumexp, var, std, max, min, argmax, argmin, any,
all, and the tests allclose / isclose (NumPy's spelling, and PyTorch's `dim=` / `keepdim=`; see
`gradcraft.spelling`)."""

from __future__ import annotations

from typing import NamedTuple

from ...autograd import no_grad
from ...backend import is_float_dtype, xp
from ...spelling import accepts_dim, either
from ...tensor import Tensor
from .. import reduce
from ...validation import check_bool, check_float_dtype, check_real, describe
from . import selection as indexing_fn
from .arguments import check_axis, tensor_of

__all__ = ['ValuesIndices', 'sum', 'mean', 'prod', 'logsumexp', 'var', 'std', 'max', 'min',
           'argmax', 'argmin', 'any', 'all', 'isclose', 'allclose']

_NOT_GIVEN = object()  # tells `dim=None` from no dim at all


@accepts_dim
def sum(x, axis=None, keepdims=False, *, dtype=None):  # noqa: A001
    """NumPy's `sum`; `dtype=` is the dtype of the sum (NumPy's and `torch.sum(dtype=)`: an
    integer or bool tensor summed in float64, float32 accumulated in float64). Keyword-only:
    the third positional argument is keepdims, as PyTorch's. A non-floating dtype leaves the
    graph (as `astype`; PyTorch refuses it on a tensor that requires grad)."""
    return _in_dtype(reduce.Sum, x, axis, keepdims, check_dtype(dtype, "dtype"))


@accepts_dim
def mean(x, axis=None, keepdims=False, *, dtype=None):
    """NumPy's `mean`; `dtype=` (a floating dtype, as `torch.mean(dtype=)`) is the dtype it is
    computed and returned in. Integers and bools average to float64 by default (NumPy's rule)."""
    dtype = None if dtype is None else check_float_dtype(dtype, "dtype")
    return reduce.Mean.apply(tensor_of(x), axis=check_axis(axis), keepdims=keepdims, dtype=dtype)


@accepts_dim
def prod(x, axis=None, keepdims=False, *, dtype=None):
    """The product over `axis` (NumPy's `prod`, `torch.prod`); `dtype=` as in `sum`. The gradient
    is the product of the other elements, right with zeros in the input (PyTorch's values)."""
    return _in_dtype(reduce.Prod, x, axis, keepdims, check_dtype(dtype, "dtype"))


@accepts_dim
def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) over `axis`, stable (`torch.logsumexp`, SciPy's `logsumexp`; NumPy has
    none). `axis=None` reduces everything (SciPy's default; PyTorch requires dim). Integer
    input is computed in float64, as NumPy's exp does (PyTorch: its default float32)."""
    return reduce.LogSumExp.apply(tensor_of(x), axis=check_axis(axis), keepdims=keepdims)


def check_dtype(dtype, name: str):
    """`dtype` as a NumPy dtype (None stays None): TypeError if NumPy reads no dtype in it."""
    if dtype is None:
        return None
    try:
        return xp.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be a NumPy dtype such as numpy.float64, got {describe(dtype)}") from None


def _in_dtype(op, x, axis, keepdims, dtype):
    x = tensor_of(x)
    if dtype is not None and not is_float_dtype(dtype):
        with no_grad():  # an integer result has no gradient
            return op.apply(x, axis=check_axis(axis), keepdims=keepdims, dtype=dtype)
    return op.apply(x, axis=check_axis(axis), keepdims=keepdims, dtype=dtype)


@accepts_dim
def any(x, axis=None, keepdims=False):  # noqa: A001
    """Whether any element is true (non-zero) over `axis`: a bool tensor, not differentiable."""
    return _logical_reduction(xp.any, x, axis, keepdims)


@accepts_dim
def all(x, axis=None, keepdims=False):  # noqa: A001
    """Whether every element is true (non-zero) over `axis`: a bool tensor, not differentiable."""
    return _logical_reduction(xp.all, x, axis, keepdims)


def _logical_reduction(reducer, x, axis, keepdims):
    x = tensor_of(x)
    axes = reduce.normalize_axis(check_axis(axis), x.ndim)
    keepdims = check_bool(keepdims, "keepdims")
    return Tensor._from_op(xp.asarray(reducer(x.data, axis=axes, keepdims=keepdims)), None)


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|a - b| <= atol + rtol * |b| elementwise (broadcast): a bool tensor, not differentiable.
    NumPy's defaults, which are PyTorch's too."""
    a, b, rtol, atol, equal_nan = _closeness_arguments(a, b, rtol, atol, equal_nan)
    return Tensor._from_op(xp.asarray(xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)), None)


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """Whether `isclose(a, b, ...)` holds everywhere: a Python bool (as NumPy and PyTorch)."""
    a, b, rtol, atol, equal_nan = _closeness_arguments(a, b, rtol, atol, equal_nan)
    return bool(xp.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def _closeness_arguments(a, b, rtol, atol, equal_nan):
    a, b = (v.data if isinstance(v, Tensor) else xp.asarray(v) for v in (a, b))
    try:
        xp.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"isclose: a of shape {a.shape} and b of shape {b.shape} do not "
                         "broadcast together") from None
    return (a, b, check_real(rtol, "rtol", low=0), check_real(atol, "atol", low=0),
            check_bool(equal_nan, "equal_nan"))


def var(x, axis=None, keepdims=False, ddof=None, *, dim=_NOT_GIVEN, keepdim=_NOT_GIVEN,
        correction=None, unbiased=None):
    """Variance over `axis`. NumPy's default divides by n (`ddof=0`); with PyTorch's spelling
    (`dim=`, or `correction=` / `unbiased=`) PyTorch's default applies: n - 1 (`correction=1`)."""
    axis, keepdims, ddof = _variance_arguments("var", axis, keepdims, ddof, dim, keepdim,
                                               correction, unbiased)
    return reduce.Var.apply(tensor_of(x), axis=check_axis(axis), keepdims=keepdims, ddof=ddof)


def std(x, axis=None, keepdims=False, ddof=None, *, dim=_NOT_GIVEN, keepdim=_NOT_GIVEN,
        correction=None, unbiased=None):
    """Standard deviation over `axis`; the divisor as in `var` (n by NumPy's spelling, n - 1 by
    PyTorch's)."""
    axis, keepdims, ddof = _variance_arguments("std", axis, keepdims, ddof, dim, keepdim,
                                               correction, unbiased)
    return reduce.Std.apply(tensor_of(x), axis=check_axis(axis), keepdims=keepdims, ddof=ddof)


def _variance_arguments(function, axis, keepdims, ddof, dim, keepdim, correction, unbiased):
    """(axis, keepdims, ddof) from either spelling; PyTorch's spelling means PyTorch's n - 1."""
    torch_spelling = dim is not _NOT_GIVEN or correction is not None or unbiased is not None
    axis, keepdims = _one_spelling(function, axis, keepdims, dim, keepdim)
    given = [name for name, value in (("ddof", ddof), ("correction", correction),
                                      ("unbiased", unbiased)) if value is not None]
    if len(given) > 1:
        raise TypeError(f"{function}: got {' and '.join(n + '=' for n in given)}; give one")
    if unbiased is not None:
        ddof = int(check_bool(unbiased, "unbiased"))
    elif correction is not None:
        ddof = correction
    elif ddof is None:
        ddof = 1 if torch_spelling else 0
    return axis, keepdims, ddof


def _one_spelling(function, axis, keepdims, dim, keepdim):
    """axis/keepdims from NumPy's or PyTorch's keyword (refusing both for one argument)."""
    return (either(function, "axis", axis, "dim", dim, missing=_NOT_GIVEN),
            either(function, "keepdims", keepdims, "keepdim", keepdim, default=False, missing=_NOT_GIVEN))


class ValuesIndices(NamedTuple):
    """What `max(x, dim=...)` / `min(x, dim=...)` return, as `torch.max(x, dim)`: the extreme
    values (differentiable) and their indices (int64)."""

    values: Tensor
    indices: Tensor


def max(x, axis=None, keepdims=False, *, dim=_NOT_GIVEN, keepdim=_NOT_GIVEN):  # noqa: A001
    """The maxima over `axis` (NumPy: `x.max(1)` is the values). With PyTorch's spelling
    `dim=`, PyTorch's result: the pair (values, indices), so `x.max(dim=1)[1]` is the argmax.
    A tie shares the gradient equally among the maxima (as NumPy-style reductions and
    `torch.amax`); with `dim=`, the gradient goes to the index returned, as `torch.max(x, dim)`."""
    return _extreme("max", reduce.Max, xp.argmax, x, axis, keepdims, dim, keepdim)


def min(x, axis=None, keepdims=False, *, dim=_NOT_GIVEN, keepdim=_NOT_GIVEN):  # noqa: A001
    """The minima over `axis`; with `dim=`, the pair (values, indices), as `torch.min(x, dim)`."""
    return _extreme("min", reduce.Min, xp.argmin, x, axis, keepdims, dim, keepdim)


def _extreme(function, op, arg_extreme, x, axis, keepdims, dim, keepdim):
    x = tensor_of(x)
    if dim is _NOT_GIVEN:
        axis, keepdims = _one_spelling(function, axis, keepdims, dim, keepdim)
        return op.apply(x, axis=check_axis(axis), keepdims=keepdims)
    axis, keepdims = _one_spelling(function, axis, keepdims, dim, keepdim)
    if axis is None:  # torch.max(x) without dim is the value alone; dim=None is not PyTorch's
        raise TypeError(f"{function}: dim= must be an int (the axis to reduce), got None")
    axis = reduce.normalize_axis(check_axis(axis, "dim"), x.ndim)
    if len(axis) != 1:
        raise TypeError(f"{function}: dim= must be a single int, got {dim!r}")
    axis = axis[0]
    if x.shape[axis] == 0 if x.ndim else False:
        raise IndexError(f"{function}: cannot reduce dim {axis} of size 0 (shape {x.shape})")
    indices = xp.expand_dims(arg_extreme(x.data, axis=axis), axis)
    values = indexing_fn.take_along_axis(x, Tensor._from_op(indices, None), axis)
    if not keepdims:
        values, indices = values.squeeze(axis), xp.squeeze(indices, axis)
    return ValuesIndices(values, Tensor._from_op(indices, None))


@accepts_dim
def argmax(x, axis=None, keepdims=False):
    """Indices of the maxima (an int64 tensor; not differentiable)."""
    return Tensor._from_op(xp.argmax(tensor_of(x).data, axis=check_axis(axis), keepdims=keepdims), None)


@accepts_dim
def argmin(x, axis=None, keepdims=False):
    return Tensor._from_op(xp.argmin(tensor_of(x).data, axis=check_axis(axis), keepdims=keepdims), None)
