"""Reductions over `axis` (None, int or tuple) with `keepdims`, NumPy's names and defaults."""

from __future__ import annotations

import warnings

from ..backend import xp
from .function import Function


def normalize_axis(axis, ndim: int, argument: str = "axis") -> tuple:
    """`axis` (None, int or tuple, negatives allowed) as a sorted tuple of distinct axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int | xp.integer) else tuple(axis)
    normalized = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"{argument}={axis} is out of range for a tensor with {ndim} dimensions")
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
    saved_inputs = ()
    saves_output = False

    def forward(self, a, axis, keepdims):
        self.shape, self.axes, self.keepdims = a.shape, normalize_axis(axis, a.ndim), keepdims
        return xp.sum(a, axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        return _restore_reduced(grad, self.shape, self.axes, self.keepdims)


class Mean(Function):
    saved_inputs = ()
    saves_output = False

    def forward(self, a, axis, keepdims):
        self.shape, self.axes, self.keepdims = a.shape, normalize_axis(axis, a.ndim), keepdims
        self.count = _count(a.shape, self.axes)
        return xp.mean(a, axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        return _restore_reduced(grad / self.count, self.shape, self.axes, self.keepdims)


class Var(Function):
    saved_inputs = ()
    saves_output = False

    def forward(self, a, axis, keepdims, ddof):
        return self._variance(a, axis, keepdims, ddof)

    def _variance(self, a, axis, keepdims, ddof):
        self.shape, self.axes, self.keepdims = a.shape, normalize_axis(axis, a.ndim), keepdims
        self.centered = a - a.mean(axis=self.axes, keepdims=True)
        count = _count(a.shape, self.axes)
        # NumPy's divisor max(n - ddof, 0): with ddof >= n the variance is inf (nan where every
        # deviation is 0), never the negative number n - ddof < 0 would give. NumPy and PyTorch
        # both warn there; so does gradcraft, pointing at the caller (stack: _variance, forward,
        # Function.apply, api.var/std, caller).
        self.divisor = max(count - ddof, 0)
        if self.divisor == 0:
            warnings.warn(f"{type(self).__name__.lower()}: degrees of freedom n - ddof = {count} - "
                          f"{ddof} <= 0; the result is inf (nan where all values are equal)",
                          RuntimeWarning, stacklevel=5)
        with xp.errstate(divide="ignore", invalid="ignore"):
            return (self.centered * self.centered).sum(axis=self.axes, keepdims=keepdims) / self.divisor

    def backward(self, grad):
        # var = sum (a - mean)^2 / (n - ddof); the mean's own derivative term sums to zero.
        # With no degrees of freedom 2/0 = inf: the gradient is +-inf, and nan (0 * inf) at zero
        # deviations (as PyTorch's along an axis). A Python float keeps float32 float32.
        scale = 2 / self.divisor if self.divisor else float("inf")
        grad = _restore_reduced(grad, self.shape, self.axes, self.keepdims)
        with xp.errstate(invalid="ignore"):
            return grad * scale * self.centered


class Std(Var):
    saved_inputs = ()
    saves_output = True

    def forward(self, a, axis, keepdims, ddof):
        self.out = xp.sqrt(self._variance(a, axis, keepdims, ddof))
        return self.out

    def backward(self, grad):
        # d sqrt(v) = dv / (2 sqrt(v)). Where std = 0 every deviation is 0 and the subgradient 0 is
        # taken, as PyTorch does (sqrt(var(x)) composed would give 0 * inf = nan there).
        with xp.errstate(divide="ignore", invalid="ignore"):
            grad_var = xp.where(self.out == 0, 0, grad / (2 * self.out))
        return super().backward(grad_var)


class Extremum(Function):
    """max/min values; ties share the gradient equally (as torch.amax/amin)."""
    saved_inputs = ()
    saves_output = False

    reducer = None

    def forward(self, a, axis, keepdims):
        self.shape, self.axes, self.keepdims = a.shape, normalize_axis(axis, a.ndim), keepdims
        if a.size == 0 and any(a.shape[i] == 0 for i in self.axes):
            raise ValueError(f"{type(self).__name__.lower()}() of an empty axis, shape {a.shape}")
        out = self.reducer(a, axis=self.axes, keepdims=True)
        self.winners = a == out
        return out if keepdims else xp.squeeze(out, axis=self.axes)

    def backward(self, grad):
        share = self.winners.astype(grad.dtype)
        share /= share.sum(axis=self.axes, keepdims=True)
        return _restore_reduced(grad, self.shape, self.axes, self.keepdims) * share


class Max(Extremum):
    reducer = staticmethod(xp.max)


class Min(Extremum):
    reducer = staticmethod(xp.min)


def _count(shape, axes) -> int:
    count = 1
    for a in axes:
        count *= shape[a]
    return count
