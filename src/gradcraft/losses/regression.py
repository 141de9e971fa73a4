"""Regression losses of PyTorch's functional form as fused ops, one loss per element of
d = x - t (the squared error is `elementwise.SquaredError`):

    l1:         l = |d|                                    dl/dx = sign(d)  (0 at d = 0, as torch)
    smooth l1:  l = d^2 / (2 beta) if |d| < beta           dl/dx = d / beta
                    |d| - beta / 2 otherwise                       sign(d)
    huber:      l = d^2 / 2 if |d| <= delta                dl/dx = d
                    delta (|d| - delta / 2) otherwise              delta sign(d)

and dl/dt = -dl/dx for each. smooth_l1 = huber / beta (the same curve, rescaled); beta = 0 is
the l1 loss. Input and target may broadcast (the caller warns, as PyTorch does).
"""

from __future__ import annotations

from ..backend import xp
from .reduction import LossFunction

__all__ = ["AbsoluteError", "SmoothL1Error", "HuberError"]


def _negated_if_wanted(op, grad):
    return grad, (-grad if op.needs_input_grad[1] else None)


class AbsoluteError(LossFunction):
    """l = |x - t|. PyTorch's l1_loss is |x - t| composed, which saves only the difference:
    the sign here is the op's own array, so nothing of the inputs is saved."""

    def losses(self, inputs, targets):
        diff = inputs - targets
        self.sign = xp.sign(diff)
        return xp.abs(diff)

    def input_grads(self, weights):
        return _negated_if_wanted(self, weights * self.sign)


class SmoothL1Error(LossFunction):
    """PyTorch's smooth_l1_loss with threshold `beta` > 0 (its kernel keeps input and target;
    beta = 0 is the l1 loss, `AbsoluteError`, as in PyTorch)."""

    def losses(self, inputs, targets, beta=1.0):
        self.save_for_backward(inputs, targets)
        self.beta = beta
        diff = inputs - targets
        size = xp.abs(diff)
        return xp.where(size < beta, (0.5 / beta) * diff * diff, size - 0.5 * beta)

    def input_grads(self, weights):
        inputs, targets = self.saved
        diff = inputs - targets
        beta = self.beta
        slope = xp.where(xp.abs(diff) < beta, diff / beta, xp.sign(diff))
        return _negated_if_wanted(self, weights * slope)


class HuberError(LossFunction):
    """PyTorch's huber_loss with threshold `delta` > 0 (its kernel keeps input and target)."""

    def losses(self, inputs, targets, delta=1.0):
        self.save_for_backward(inputs, targets)
        self.delta = delta
        diff = inputs - targets
        size = xp.abs(diff)
        return xp.where(size <= delta, 0.5 * diff * diff, delta * (size - 0.5 * delta))

    def input_grads(self, weights):
        inputs, targets = self.saved
        diff = inputs - targets
        return _negated_if_wanted(self, weights * xp.clip(diff, -self.delta, self.delta))
