"""Reductions over `axis` (None, int or tuple) with `keepdims`, NumPy's names and defaults."""

from __future__ import annotations

import os
import sys
import warnings

from ..autograd import Function
from ..backend import AxisError, xp


def normalize_axis(axis, ndim: int, argument: str = "axis") -> tuple:
    """`axis` (None, int or tuple, negatives allowed) as a sorted tuple of distinct axes.

    An axis out of range raises NumPy's AxisError (a ValueError and an IndexError, as NumPy's).
    A 0-d tensor has no axis to reduce, but axis 0 and -1 name "the whole tensor" there, as
    `np.sum(np.float64(3), axis=0)` and torch's `t.sum(0)` allow: they select nothing.
    """
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int | xp.integer) else tuple(axis)
    if ndim == 0:
        if any(a not in (0, -1) for a in axes):
            raise AxisError(f"{argument}={axis} is out of range for a 0-d tensor (only 0 or -1)")
        return ()
    normalized = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise AxisError(f"{argument}={axis} is out of range for a tensor with {ndim} dimensions")
        normalized.append(int(a) % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{argument}={axis} repeats an axis")
    return tuple(sorted(normalized))


def _restore_reduced(grad, input_shape, axes, keepdims):
    """Broadcast a reduced gradient back over the input: the adjoint of a reduction."""
    if not keepdims:
        grad = xp.expand_dims(grad, axes)
    return xp.broadcast_to(grad, input_shape)


class Sum(Function):
    """`dtype` (None: NumPy's rule, ints and bools sum to int64) is the dtype of the sum; the
    engine casts the gradient back to the input's dtype."""

    def forward(self, a, axis, keepdims, dtype=None):
        self.shape, self.axes, self.keepdims = a.shape, normalize_axis(axis, a.ndim), keepdims
        return xp.sum(a, axis=self.axes, keepdims=keepdims, dtype=dtype)

    def backward(self, grad):
        return _restore_reduced(grad, self.shape, self.axes, self.keepdims)


class Mean(Function):

    def forward(self, a, axis, keepdims, dtype=None):
        self.shape, self.axes, self.keepdims = a.shape, normalize_axis(axis, a.ndim), keepdims
        self.count = _count(a.shape, self.axes)
        return xp.mean(a, axis=self.axes, keepdims=keepdims, dtype=dtype)

    def backward(self, grad):
        return _restore_reduced(grad / self.count, self.shape, self.axes, self.keepdims)


class Prod(Function):
    """The product over `axis`, in `dtype` (None: NumPy's rule, ints and bools give int64)."""

    def forward(self, a, axis, keepdims, dtype=None):
        self.shape, self.axes, self.keepdims = a.shape, normalize_axis(axis, a.ndim), keepdims
        out = xp.prod(a, axis=self.axes, keepdims=keepdims, dtype=dtype)
        if self.needs_input_grad[0]:
            self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        # d prod / d a_k = the product of the others. Without zeros that is prod / a_k. A slice
        # with one zero: the zero's gradient is the product of the non-zeros, every other
        # element's is 0; with two zeros or more, every product of others holds a zero: all 0
        # (PyTorch's values, which it computes from exclusive cumulative products).
        a, out = self.saved
        a = a.astype(grad.dtype, copy=False)
        grad = _restore_reduced(grad, self.shape, self.axes, self.keepdims)
        out = _restore_reduced(out, self.shape, self.axes, self.keepdims)
        zero = a == 0
        if not zero.any():
            return grad * out / a
        zeros = zero.sum(axis=self.axes, keepdims=True)
        nonzero = xp.where(zero, 1, a)
        product_of_nonzeros = xp.prod(nonzero, axis=self.axes, keepdims=True)
        others = xp.where(zeros == 0, out / nonzero, xp.where(zero & (zeros == 1), product_of_nonzeros, 0))
        return grad * others


class LogSumExp(Function):
    """log sum exp(a) over `axis`, computed as m + log sum exp(a - m) with m the maximum (finite
    for a of +-1e3). An infinite m is replaced by 0 (as PyTorch) so that -inf everywhere gives
    -inf and +inf gives +inf, never inf - inf. An empty axis gives log 0 = -inf. Integers and
    bools are computed in float64, as NumPy's exp does."""

    def forward(self, a, axis, keepdims):
        self.shape, self.axes, self.keepdims = a.shape, normalize_axis(axis, a.ndim), keepdims
        if a.dtype.kind in "iub":
            a = a.astype(xp.float64)
        shift = a.max(axis=self.axes, keepdims=True, initial=-xp.inf)
        shift = xp.where(xp.isinf(shift), 0, shift).astype(a.dtype, copy=False)
        with xp.errstate(divide="ignore"):
            out = xp.log(xp.exp(a - shift).sum(axis=self.axes, keepdims=True)) + shift
        if not keepdims:
            out = out.reshape(tuple(n for i, n in enumerate(a.shape) if i not in self.axes))
        if self.needs_input_grad[0]:
            self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        # d/da_k log sum_j exp(a_j) = exp(a_k) / sum_j exp(a_j) = exp(a_k - out): softmax.
        a, out = self.saved
        out = _restore_reduced(out, self.shape, self.axes, self.keepdims)
        with xp.errstate(invalid="ignore"):
            return _restore_reduced(grad, self.shape, self.axes, self.keepdims) * xp.exp(a - out)


class Var(Function):
    def forward(self, a, axis, keepdims, ddof):
        self.save_for_backward(a)
        return self._variance(a, axis, keepdims, ddof)

    def _variance(self, a, axis, keepdims, ddof):
        self.shape, self.axes, self.keepdims = a.shape, normalize_axis(axis, a.ndim), keepdims
        centered = a - a.mean(axis=self.axes, keepdims=True)
        count = _count(a.shape, self.axes)
        # NumPy's divisor max(n - ddof, 0): with ddof >= n the variance is inf (nan where every
        # deviation is 0), never the negative number n - ddof < 0 would give. NumPy and PyTorch
        # both warn there; so does gradcraft, pointing at the user's line.
        self.divisor = max(count - ddof, 0)
        if self.divisor == 0:
            warnings.warn(f"{type(self).__name__.lower()}: degrees of freedom n - ddof = {count} - "
                          f"{ddof} <= 0; the result is inf (nan where all values are equal)",
                          RuntimeWarning, stacklevel=_caller_level())
        with xp.errstate(divide="ignore", invalid="ignore"):
            return (centered * centered).sum(axis=self.axes, keepdims=keepdims) / self.divisor

    def backward(self, grad):
        return self._variance_backward(grad, self.saved[0])

    def _variance_backward(self, grad, a):
        # var = sum (a - mean)^2 / (n - ddof); the mean's own derivative term sums to zero.
        # With no degrees of freedom 2/0 = inf: the gradient is +-inf, and nan (0 * inf) at zero
        # deviations (as PyTorch's along an axis). A Python float keeps float32 float32.
        scale = 2 / self.divisor if self.divisor else float("inf")
        centered = a - a.mean(axis=self.axes, keepdims=True)
        grad = _restore_reduced(grad, self.shape, self.axes, self.keepdims)
        with xp.errstate(invalid="ignore"):
            return grad * scale * centered


class Std(Var):
    def forward(self, a, axis, keepdims, ddof):
        out = xp.sqrt(self._variance(a, axis, keepdims, ddof))
        self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        # d sqrt(v) = dv / (2 sqrt(v)). Where std = 0 every deviation is 0 and the subgradient 0 is
        # taken, as PyTorch does (sqrt(var(x)) composed would give 0 * inf = nan there).
        a, out = self.saved
        with xp.errstate(divide="ignore", invalid="ignore"):
            grad_var = xp.where(out == 0, 0, grad / (2 * out))
        return self._variance_backward(grad_var, a)


class Extremum(Function):
    """max/min values; ties share the gradient equally (as torch.amax/amin)."""

    reducer = None

    def forward(self, a, axis, keepdims):
        self.shape, self.axes, self.keepdims = a.shape, normalize_axis(axis, a.ndim), keepdims
        if a.size == 0 and any(a.shape[i] == 0 for i in self.axes):
            raise ValueError(f"{type(self).__name__.lower()}() of an empty axis, shape {a.shape}")
        out = self.reducer(a, axis=self.axes, keepdims=keepdims)
        self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        # d max / d a_k = 1[a_k = max] / (number of maxima): the winners share the gradient.
        a, out = self.saved
        winners = a == _restore_reduced(out, self.shape, self.axes, self.keepdims)
        share = winners.astype(grad.dtype)
        share /= share.sum(axis=self.axes, keepdims=True)
        return _restore_reduced(grad, self.shape, self.axes, self.keepdims) * share


class Max(Extremum):
    reducer = staticmethod(xp.max)


class Min(Extremum):
    reducer = staticmethod(xp.min)


def _caller_level() -> int:
    """The `stacklevel` that makes a warning point at the first frame outside gradcraft (the
    user's call, however many of gradcraft's functions and methods lie in between)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIRECTORY):
        frame, level = frame.f_back, level + 1
    return level


_PACKAGE_DIRECTORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _count(shape, axes) -> int:
    count = 1
    for a in axes:
        count *= shape[a]
    return count
