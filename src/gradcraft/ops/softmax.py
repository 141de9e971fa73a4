"""Softmax and log-softmax as fused ops: stable forward, closed-form backward."""

from __future__ import annotations

from ..backend import xp
from .function import Function


def log_softmax_array(a, axis):
    """log softmax computed as (a - max) - log sum exp(a - max): finite for logits of +-1e3."""
    shifted = a - a.max(axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


class Softmax(Function):
    def forward(self, a, axis):
        self.axis = axis
        shifted = xp.exp(a - a.max(axis=axis, keepdims=True))
        self.out = shifted / shifted.sum(axis=axis, keepdims=True)
        return self.out

    def backward(self, grad):
        # dL/da_i = y_i (g_i - sum_j g_j y_j): the Jacobian diag(y) - y y^T applied to g.
        y = self.out
        return y * (grad - (grad * y).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    def forward(self, a, axis):
        self.axis = axis
        out = log_softmax_array(a, axis)
        self.probs = xp.exp(out)
        return out

    def backward(self, grad):
        # d log y_i / d a_k = 1[i=k] - y_k  =>  dL/da = g - y * sum(g)
        return grad - self.probs * grad.sum(axis=self.axis, keepdims=True)
