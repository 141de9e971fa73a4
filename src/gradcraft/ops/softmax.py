"""Softmax and log-softmax as fused ops: stable forward, closed-form backward."""

from __future__ import annotations

from ..autograd import Function
from ..backend import xp
from .reduce import normalize_axis


def _shift_by_max(a, axis):
    """a - max(a) along `axis` (the max of an empty axis is -inf, never an error). Integer
    scores are computed in float64, as NumPy's exp does with them (-inf is not an integer)."""
    if a.dtype.kind in "iub":
        a = a.astype(xp.float64)
    return a - a.max(axis=axis, keepdims=True, initial=-xp.inf)


def log_softmax_array(a, axis):
    """log softmax computed as (a - max) - log sum exp(a - max): finite for logits of +-1e3."""
    shifted = _shift_by_max(a, axis)
    # The sum includes exp(0) = 1, so the log sees 0 only for an empty axis (an empty result).
    with xp.errstate(divide="ignore"):
        return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def _one_axis(axis, a, name) -> int:
    if a.ndim == 0:
        raise ValueError(f"{name} needs a tensor with at least 1 dimension, got a 0-d tensor")
    if not isinstance(axis, int | xp.integer):
        raise TypeError(f"{name}: axis must be an int, got {axis!r}")
    return normalize_axis(axis, a.ndim)[0]


class Softmax(Function):
    def forward(self, a, axis):
        self.axis = axis = _one_axis(axis, a, "softmax")
        shifted = xp.exp(_shift_by_max(a, axis))
        out = shifted / shifted.sum(axis=axis, keepdims=True)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        # dL/da_i = y_i (g_i - sum_j g_j y_j): the Jacobian diag(y) - y y^T applied to g.
        y, = self.saved
        return y * (grad - (grad * y).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    def forward(self, a, axis):
        self.axis = axis = _one_axis(axis, a, "log_softmax")
        out = log_softmax_array(a, axis)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        # d log y_i / d a_k = 1[i=k] - y_k  =>  dL/da = g - y * sum(g), y = exp(log y)
        log_y, = self.saved
        return grad - xp.exp(log_y) * grad.sum(axis=self.axis, keepdims=True)
