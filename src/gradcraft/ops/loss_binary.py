"""Elementwise losses as fused ops: binary cross-entropy (on probabilities and on logits) and
the squared error. Inputs and targets have one shape; the per-element losses have it too."""

from __future__ import annotations

from ..backend import xp
from .loss_reduce import LossFunction

#: PyTorch clamps log(p) at -100 in binary_cross_entropy, so p = 0 or 1 gives a finite loss.
LOG_FLOOR = -100.0
#: ... and divides the gradient by max(p (1 - p), 1e-12).
GRAD_FLOOR = 1e-12


class BinaryCrossEntropy(LossFunction):
    """l = -(t log p + (1 - t) log(1 - p)) with both logs clamped at -100 (PyTorch's rule).

    dl/dp = -t/p + (1 - t)/(1 - p) = (p - t) / (p (1 - p)), denominator floored at 1e-12;
    dl/dt = log(1 - p) - log(p)  (the clamped logs: the derivative of the loss as computed).
    """

    def losses(self, probs, targets):
        with xp.errstate(divide="ignore"):
            log_p = xp.maximum(xp.log(probs), LOG_FLOOR)
            log_not_p = xp.maximum(xp.log1p(-probs), LOG_FLOOR)
        self.probs, self.targets, self.log_p, self.log_not_p = probs, targets, log_p, log_not_p
        return -(targets * log_p + (1 - targets) * log_not_p)

    def input_grads(self, weights):
        p, t = self.probs, self.targets
        grad_p = grad_t = None
        if self.needs_input_grad[0]:
            grad_p = weights * (p - t) / xp.maximum(p * (1 - p), GRAD_FLOOR)
        if self.needs_input_grad[1]:
            grad_t = weights * (self.log_not_p - self.log_p)
        return grad_p, grad_t


class BinaryCrossEntropyWithLogits(LossFunction):
    """BCE of sigmoid(x), computed from the logit x without forming sigmoid:

    l = -(t log s(x) + (1 - t) log(1 - s(x))) = max(x, 0) - x t + log(1 + e^(-|x|))
    (log s(x) = -log(1 + e^-x) and log(1 - s(x)) = -x - log(1 + e^-x); the max/abs form never
    exponentiates a positive number, so x = +-1e3 is exact).
    dl/dx = s(x) - t,   dl/dt = -x.
    """

    def losses(self, logits, targets):
        self.logits, self.targets = logits, targets
        return xp.maximum(logits, 0) - logits * targets + xp.log1p(xp.exp(-xp.abs(logits)))

    def input_grads(self, weights):
        x = self.logits
        grad_x = grad_t = None
        if self.needs_input_grad[0]:
            sigmoid = 0.5 * (1 + xp.tanh(0.5 * x))  # no overflow for any x
            grad_x = weights * (sigmoid - self.targets)
        if self.needs_input_grad[1]:
            grad_t = -weights * x
        return grad_x, grad_t


class SquaredError(LossFunction):
    """l = (x - t)^2;  dl/dx = 2 (x - t) = -dl/dt."""

    def losses(self, inputs, targets):
        self.diff = inputs - targets
        return self.diff * self.diff

    def input_grads(self, weights):
        grad = (2 * weights) * self.diff
        return grad, (-grad if self.needs_input_grad[1] else None)
