"""Similarities between vectors, and the contrastive loss built on them (InfoNCE).

`cosine_similarity` and `euclidean_distance` work along `axis` and broadcast the two operands
like NumPy (a (N, 1, D) against b (M, D) gives all N x M pairs); the vectors must have the same
length along `axis`, which is dropped from the result. They return similarities/distances, not
losses, so they take no `reduction`. For unit vectors, |a - b| = sqrt(2 - 2 cos(a, b)).

The two similarities are fused ops, with NumPy broadcasting of the operands; gradients come
back in the broadcast shape and the engine sums them to each operand's shape.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import xp
from ..ops.functions import concatenate, reshape, unsqueeze
from ..ops.reduce import normalize_axis
from ..tensor import Tensor
from ..validation import check_int, check_real
from .inputs import float_tensor
from .reduction import check_reduction
from .softmax_cross_entropy import softmax_cross_entropy

__all__ = ["cosine_similarity", "euclidean_distance", "info_nce", "CosineSimilarity",
           "EuclideanDistance"]


class CosineSimilarity(Function):
    """cos = a.b / (n_a n_b) with n_a = max(|a|, eps), n_b = max(|b|, eps)   (PyTorch's formula).

    d cos/da = b / (n_a n_b) - cos a / |a|^2 where |a| > eps (the derivative of 1/|a| is
    -a/|a|^3), and just b / (n_a n_b) where the norm is clamped to eps; likewise for b. Each
    gradient reads its own operand (saved) and the other one scaled, b / n_b, the op's own array.
    """

    def forward(self, a, b, axis, eps):
        self.axis = axis
        norm_a = xp.sqrt((a * a).sum(axis=axis, keepdims=True))
        norm_b = xp.sqrt((b * b).sum(axis=axis, keepdims=True))
        self.denom_a, self.denom_b = xp.maximum(norm_a, eps), xp.maximum(norm_b, eps)
        self.cos = (a * b).sum(axis=axis, keepdims=True) / (self.denom_a * self.denom_b)
        need_a, need_b = self.needs_input_grad
        self.save_for_backward(a if need_a else None, b if need_b else None)
        self.b_scaled = b / self.denom_b if need_a else None
        self.a_scaled = a / self.denom_a if need_b else None
        self.unclamped_a, self.unclamped_b = norm_a > eps, norm_b > eps
        return xp.squeeze(self.cos, axis=axis)

    def backward(self, grad):
        a, b = self.saved
        g = xp.expand_dims(grad, self.axis)
        grad_a = grad_b = None
        if a is not None:
            pull = self.cos * self.unclamped_a / self.denom_a
            grad_a = g / self.denom_a * (self.b_scaled - pull * a)
        if b is not None:
            pull = self.cos * self.unclamped_b / self.denom_b
            grad_b = g / self.denom_b * (self.a_scaled - pull * b)
        return grad_a, grad_b


class EuclideanDistance(Function):
    """dist = sqrt(sum (a - b)^2);  d dist/da = (a - b) / dist = -d dist/db, and 0 where
    dist = 0 (the subgradient PyTorch's norm uses there)."""

    def forward(self, a, b, axis):
        self.axis = axis
        self.diff = a - b
        out = xp.sqrt((self.diff * self.diff).sum(axis=axis))
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        dist = xp.expand_dims(self.saved[0], self.axis)
        g = xp.expand_dims(grad, self.axis)
        with xp.errstate(divide="ignore", invalid="ignore"):
            grad_a = xp.where(dist > 0, g * self.diff / dist, 0).astype(self.diff.dtype, copy=False)
        return grad_a, (-grad_a if self.needs_input_grad[1] else None)


def _aligned(a, b, axis, what: str):
    """Both operands as Tensors of the broadcast rank, and `axis` as a non-negative index."""
    a, b = float_tensor(a, "a"), float_tensor(b, "b")
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"{what}: a and b must broadcast against each other, got shapes "
                         f"{a.shape} and {b.shape}") from None
    if len(shape) == 0:
        raise ValueError(f"{what}: a and b must be vectors (at least 1-D), got scalars")
    axis = normalize_axis(check_int(axis, f"{what}: axis"), len(shape))[0]
    a, b = _pad_rank(a, len(shape)), _pad_rank(b, len(shape))
    if a.shape[axis] != b.shape[axis]:
        raise ValueError(f"{what}: a and b must have the same length along axis {axis}, got "
                         f"shapes {a.shape} and {b.shape}")
    return a, b, axis


def _pad_rank(x: Tensor, ndim: int) -> Tensor:
    missing = ndim - x.ndim
    return reshape(x, (1,) * missing + x.shape) if missing else x


def cosine_similarity(a, b, axis: int = -1, eps: float = 1e-8) -> Tensor:
    """a.b / (max(|a|, eps) max(|b|, eps)) along `axis` (PyTorch's formula, in [-1, 1]).

    a, b: broadcastable float arrays/Tensors with the same length D along `axis`.
    Returns the broadcast shape without `axis`. A zero vector has similarity 0 with everything.
    """
    a, b, axis = _aligned(a, b, axis, "cosine_similarity")
    eps = check_real(eps, "eps", low=0.0, low_open=True)
    return CosineSimilarity.apply(a, b, axis=axis, eps=eps)


def euclidean_distance(a, b, axis: int = -1) -> Tensor:
    """|a - b| = sqrt(sum (a - b)^2) along `axis` (gradient 0 where a = b).

    a, b: broadcastable float arrays/Tensors with the same length along `axis`; all pairwise
    distances of x (N, D) and y (M, D) (torch.cdist) are euclidean_distance(x[:, None], y).
    """
    a, b, axis = _aligned(a, b, axis, "euclidean_distance")
    return EuclideanDistance.apply(a, b, axis=axis)


def info_nce(anchor, positive, negatives, temperature: float = 0.1,
             reduction: str = "mean") -> Tensor:
    """The InfoNCE contrastive loss of self-supervised learning (SimCLR, MoCo, CPC):

        L_i = -log( exp(c(a_i, p_i) / t) / (exp(c(a_i, p_i) / t) + sum_m exp(c(a_i, n_im) / t)) )

    with c the cosine similarity and t the temperature: the softmax cross-entropy of the logits
    [c(a_i, p_i), c(a_i, n_i1), ..., c(a_i, n_iM)] / t with the positive as the true class (so
    the gradient is composed from the two fused ops, cosine similarity and cross-entropy).

    anchor (N, D), positive (N, D); negatives (N, M, D) (M negatives per anchor) or (M, D)
    (the same M negatives for every anchor). reduction over the N anchors.
    """
    check_reduction(reduction)
    temperature = check_real(temperature, "temperature", low=0.0, low_open=True)
    anchor, positive = float_tensor(anchor, "anchor"), float_tensor(positive, "positive")
    negatives = float_tensor(negatives, "negatives")
    if anchor.ndim != 2:
        raise ValueError(f"info_nce: anchor must have shape (N, D), got {anchor.shape}")
    n, d = anchor.shape
    if positive.shape != anchor.shape:
        raise ValueError(f"info_nce: positive must have the anchor's shape (N, D) = {anchor.shape}, "
                         f"got {positive.shape}")
    if not (negatives.ndim == 2 and negatives.shape[1] == d
            or negatives.ndim == 3 and negatives.shape[0] == n and negatives.shape[2] == d):
        raise ValueError(f"info_nce: negatives must have shape (N, M, D) = ({n}, M, {d}) or (M, {d}), "
                         f"got {negatives.shape}")
    positive_sim = CosineSimilarity.apply(anchor, positive, axis=1, eps=1e-8)       # (N,)
    # (N, 1, D) against (N, M, D) or, broadcasting, against (M, D) padded to (1, M, D)
    negative_sim = CosineSimilarity.apply(unsqueeze(anchor, 1), _pad_rank(negatives, 3),
                                          axis=2, eps=1e-8)                         # (N, M)
    logits = concatenate([unsqueeze(positive_sim, 1), negative_sim], axis=1) / temperature
    return softmax_cross_entropy(logits, np.zeros(n, dtype=np.intp), reduction=reduction)
