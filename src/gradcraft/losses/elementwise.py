"""Elementwise losses: input and target have one shape (any), the loss is per element.

reduction: 'mean' over all elements (the default, as PyTorch), 'sum', or 'none' (the input's
shape). The target must have exactly the input's shape: no silent broadcasting.
"""

from __future__ import annotations

from ..ops.loss_binary import BinaryCrossEntropy, BinaryCrossEntropyWithLogits, SquaredError
from ..tensor import Tensor
from ._validate import check_batch, check_reduction, float_tensor, like


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
