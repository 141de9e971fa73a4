"""Elementwise losses as fused ops, each beside the function users call: binary cross-entropy
(on probabilities and on logits) and the squared error. Input and target have one shape (any),
the loss is per element.

reduction: 'mean' over all elements (the default, as PyTorch), 'sum', or 'none' (the input's
shape). The target must have exactly the input's shape: no silent broadcasting.
"""

from __future__ import annotations

from ..backend import xp
from ..tensor import Tensor
from .inputs import float_tensor, like
from .reduction import LossFunction, check_batch, check_reduction

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "mse",
           "BinaryCrossEntropy", "BinaryCrossEntropyWithLogits", "SquaredError"]

#: PyTorch clamps log(p) at -100 in binary_cross_entropy, so p = 0 or 1 gives a finite loss.
LOG_FLOOR = -100.0
#: ... and divides the gradient by max(p (1 - p), 1e-12).
GRAD_FLOOR = 1e-12


class BinaryCrossEntropy(LossFunction):
    """l = -(t log p + (1 - t) log(1 - p)) with both logs clamped at -100 (PyTorch's rule).

    dl/dp = -t/p + (1 - t)/(1 - p) = (p - t) / (p (1 - p)), denominator floored at 1e-12;
    dl/dt = log(1 - p) - log(p)  (the clamped logs: the derivative of the loss as computed).
    """

    def losses(self, probs, targets, weight=None):
        with xp.errstate(divide="ignore"):
            log_p = xp.maximum(xp.log(probs), LOG_FLOOR)
            log_not_p = xp.maximum(xp.log1p(-probs), LOG_FLOOR)
        if self.needs_input_grad[0]:
            self.save_for_backward(probs, targets)          # dl/dp reads p and t
        if self.needs_input_grad[1]:
            self.log_p, self.log_not_p = log_p, log_not_p   # dl/dt: the op's own arrays
        self.weight = weight  # PyTorch's `weight`: a constant factor of each element's loss
        out = -(targets * log_p + (1 - targets) * log_not_p)
        return out if weight is None else out * weight

    def input_grads(self, weights):
        grad_p = grad_t = None
        if self.weight is not None:
            weights = weights * self.weight
        if self.needs_input_grad[0]:
            p, t = self.saved
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

    PyTorch's `pos_weight` q scales the positive term: l = -(q t log s(x) + (1 - t) log(1 - s(x)))
    = (1 - t) x + (1 + (q - 1) t) softplus(-x), softplus(-x) = max(-x, 0) + log(1 + e^-|x|), so
    dl/dx = (1 - t) - (1 + (q - 1) t)(1 - s(x)) and dl/dt = -x + (q - 1) softplus(-x).
    `weight` (a constant) multiplies each element's loss and both gradients.
    """

    def losses(self, logits, targets, weight=None, pos_weight=None):
        self.save_for_backward(logits, targets if self.needs_input_grad[0] else None)
        self.weight, self.pos_weight = weight, pos_weight
        softplus_neg = xp.log1p(xp.exp(-xp.abs(logits)))
        if pos_weight is None:
            out = xp.maximum(logits, 0) - logits * targets + softplus_neg
        else:
            softplus_neg += xp.maximum(-logits, 0)
            out = (1 - targets) * logits + (1 + (pos_weight - 1) * targets) * softplus_neg
            if self.needs_input_grad[1]:
                self.softplus_neg = softplus_neg  # dl/dt reads it: the op's own array
        return out if weight is None else out * weight

    def input_grads(self, weights):
        x, t = self.saved
        grad_x = grad_t = None
        if self.weight is not None:
            weights = weights * self.weight
        q = self.pos_weight
        if self.needs_input_grad[0]:
            sigmoid = 0.5 * (1 + xp.tanh(0.5 * x))  # no overflow for any x
            if q is None:
                grad_x = weights * (sigmoid - t)
            else:
                grad_x = weights * ((1 - t) - (1 + (q - 1) * t) * (1 - sigmoid))
        if self.needs_input_grad[1]:
            grad_t = -weights * x
            if q is not None:
                grad_t = grad_t + weights * (q - 1) * self.softplus_neg
        return grad_x, grad_t


class SquaredError(LossFunction):
    """l = (x - t)^2;  dl/dx = 2 (x - t) = -dl/dt."""

    def losses(self, inputs, targets):
        self.save_for_backward(inputs, targets)
        diff = inputs - targets
        return diff * diff

    def input_grads(self, weights):
        inputs, targets = self.saved
        grad = (2 * weights) * (inputs - targets)
        return grad, (-grad if self.needs_input_grad[1] else None)


def _pair(input, target, reduction):
    check_reduction(reduction)
    input = float_tensor(input, "input")
    target = like(target, input, "target")
    check_batch(input.size, reduction, "input")
    return input, target


def binary_cross_entropy(input, target, reduction: str = "mean") -> Tensor:
    """-(t log p + (1 - t) log(1 - p)) for probabilities p = `input` in [0, 1] and targets t.

    Logs are clamped at -100 (PyTorch's rule), so p = 0 or 1 gives a finite loss (at most 100).
    dL/dp = (p - t) / (p (1 - p)) (denominator floored at 1e-12), dL/dt = log(1 - p) - log p.
    For raw scores use `binary_cross_entropy_with_logits`, which is exact for any logit.
    """
    input, target = _pair(input, target, reduction)
    if input.size:
        low, high = input.data.min(), input.data.max()
        if low < 0 or high > 1:
            raise ValueError(
                f"binary_cross_entropy: input must be probabilities in [0, 1], got values from "
                f"{low:g} to {high:g}; for raw scores use binary_cross_entropy_with_logits")
    return BinaryCrossEntropy.apply(input, target, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of sigmoid(x) for logits x = `input`, without forming sigmoid:
    max(x, 0) - x t + log(1 + e^-|x|) (exact for x = +-1e3). dL/dx = sigmoid(x) - t."""
    input, target = _pair(input, target, reduction)
    return BinaryCrossEntropyWithLogits.apply(input, target, reduction=reduction)


def mse(input, target, reduction: str = "mean") -> Tensor:
    """Squared error (x - t)^2, averaged over all elements by default (PyTorch's `mse_loss`).
    dL/dx = 2 (x - t) / n for reduction='mean' with n elements."""
    input, target = _pair(input, target, reduction)
    return SquaredError.apply(input, target, reduction=reduction)
