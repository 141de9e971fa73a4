"""Cosine similarity and Euclidean distance along one axis, with NumPy broadcasting of the two
operands (so `a[:, None]` against `b[None]` gives all pairs). The reduced axis is dropped.

The caller passes both operands with the same number of dimensions and a non-negative `axis`;
gradients come back in the broadcast shape and the engine sums them to each operand's shape.
"""

from __future__ import annotations

from ..backend import xp
from .function import Function


class CosineSimilarity(Function):
    """cos = a.b / (max(|a|, eps) max(|b|, eps))   (PyTorch's formula).

    With n_a = max(|a|, eps): d cos/da = b / (n_a n_b) - cos a / |a|^2 where |a| > eps (the
    derivative of 1/|a| is -a/|a|^3), and just b / (n_a n_b) where the norm is clamped to eps.
    """

    def forward(self, a, b, axis, eps):
        self.axis = axis
        norm_a = xp.sqrt((a * a).sum(axis=axis, keepdims=True))
        norm_b = xp.sqrt((b * b).sum(axis=axis, keepdims=True))
        self.denom_a, self.denom_b = xp.maximum(norm_a, eps), xp.maximum(norm_b, eps)
        self.cos = (a * b).sum(axis=axis, keepdims=True) / (self.denom_a * self.denom_b)
        self.a, self.b = a, b
        self.unclamped_a, self.unclamped_b = norm_a > eps, norm_b > eps
        return xp.squeeze(self.cos, axis=axis)

    def backward(self, grad):
        g = xp.expand_dims(grad, self.axis)
        scale = g / (self.denom_a * self.denom_b)
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            pull = g * self.cos * self.unclamped_a / (self.denom_a * self.denom_a)
            grad_a = scale * self.b - pull * self.a
        if self.needs_input_grad[1]:
            pull = g * self.cos * self.unclamped_b / (self.denom_b * self.denom_b)
            grad_b = scale * self.a - pull * self.b
        return grad_a, grad_b


class EuclideanDistance(Function):
    """dist = sqrt(sum (a - b)^2);  d dist/da = (a - b) / dist = -d dist/db, and 0 where
    dist = 0 (the subgradient PyTorch's norm uses there)."""

    def forward(self, a, b, axis):
        self.axis = axis
        self.diff = a - b
        self.dist = xp.sqrt((self.diff * self.diff).sum(axis=axis, keepdims=True))
        return xp.squeeze(self.dist, axis=axis)

    def backward(self, grad):
        g = xp.expand_dims(grad, self.axis)
        with xp.errstate(divide="ignore", invalid="ignore"):
            grad_a = xp.where(self.dist > 0, g * self.diff / self.dist, 0).astype(self.diff.dtype, copy=False)
        return grad_a, (-grad_a if self.needs_input_grad[1] else None)
