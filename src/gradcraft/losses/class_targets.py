"""Class-index losses with PyTorch's options: per-class `weight`, `ignore_index` and (for the
cross-entropy) `label_smoothing`, as fused ops. Scores (M, C) and labels (M,); the caller
(`gradcraft.functional.cross_entropy` / `nll_loss`) has moved the class axis of (N, C, d1, ...)
inputs last and flattened the rest.

With w_y = weight[y] (1 without a weight) and k = [y != ignore_index] (keep), per sample:

    nll:            l = -k w_y x_y                         (x: log-probabilities)
    cross-entropy:  l = (1 - eps) k w_y (lse(s) - s_y) + (eps / C) k sum_c w_c (lse(s) - s_c)

(the second term is -sum_c w_c log p_c, PyTorch's "smooth loss"). 'mean' divides the sum by
W = sum_i k_i w_{y_i}, for both terms, as PyTorch 2.13 does (NaN when every target is ignored).

Gradients, with p = softmax(s) and W_s = sum_c w_c (C without a weight):

    nll:            dl/dx = -k w_y onehot(y)
    cross-entropy:  dl/ds = p [(1 - eps) k w_y + (eps / C) k W_s] - (1 - eps) k w_y onehot(y)
                            - (eps / C) k w
"""

from __future__ import annotations

from ..backend import xp
from .reduction import LossFunction

__all__ = ["IndexCrossEntropy", "NegativeLogLikelihood", "TargetOutOfRange"]


class TargetOutOfRange(IndexError, ValueError):
    """A class index outside [0, C) that is not `ignore_index`: PyTorch raises IndexError,
    gradcraft's argument policy a ValueError; this is both."""


def _kept_weights(labels, weight, ignore_index, dtype):
    """(safe labels, k w_y): ignored labels point at class 0 with weight 0, so every gather is in
    range and their terms vanish."""
    keep = labels != ignore_index
    safe = xp.where(keep, labels, 0)
    if weight is None:
        return safe, keep.astype(dtype)
    return safe, weight[safe] * keep


class NegativeLogLikelihood(LossFunction):
    """log-probabilities (M, C), labels (M,) (an option) -> losses (M,)."""

    def losses(self, log_probs, labels, weight=None, ignore_index=-100):
        safe, kept = _kept_weights(labels, weight, ignore_index, log_probs.dtype)
        self.divisor = kept.sum()
        self.rows, self.labels, self.kept = xp.arange(labels.shape[0]), safe, kept
        self.shape = log_probs.shape
        return -kept * log_probs[self.rows, safe]

    def input_grads(self, weights):
        grad = xp.zeros(self.shape, dtype=self.kept.dtype)
        grad[self.rows, self.labels] = -(weights * self.kept)
        return (grad,)


class IndexCrossEntropy(LossFunction):
    """scores (M, C), labels (M,) (an option) -> losses (M,), with weight / ignore_index /
    label_smoothing (the plain case goes through `SoftmaxCrossEntropy`, which is faster)."""

    def losses(self, scores, labels, weight=None, ignore_index=-100, label_smoothing=0.0):
        safe, kept = _kept_weights(labels, weight, ignore_index, scores.dtype)
        rows = xp.arange(labels.shape[0])
        classes = scores.shape[1]
        top = scores.max(axis=1, keepdims=True)
        exps = xp.exp(scores - top)
        sums = exps.sum(axis=1)
        lse = xp.log(sums) + top[:, 0]
        eps = label_smoothing
        out = kept * (lse - scores[rows, safe])
        if eps:
            keep = (labels != ignore_index).astype(scores.dtype)
            class_total = classes if weight is None else weight.sum()
            weighted_scores = scores.sum(axis=1) if weight is None else scores @ weight
            out *= 1 - eps
            out += (eps / classes) * keep * (lse * class_total - weighted_scores)
        self.divisor = kept.sum()
        if self.needs_input_grad[0]:
            exps /= sums[:, None]  # softmax(s), in place
            self.probs, self.rows, self.labels, self.kept = exps, rows, safe, kept
            self.eps, self.weight = eps, weight
            if eps:
                self.keep, self.class_total = keep, class_total
        return out

    def input_grads(self, weights):
        eps = self.eps
        hard = weights * self.kept * (1 - eps) if eps else weights * self.kept
        if eps:
            smooth = weights * self.keep * (eps / self.probs.shape[1])   # g k eps / C
            grad = self.probs * (hard + smooth * self.class_total)[:, None]
            grad -= smooth[:, None] if self.weight is None else smooth[:, None] * self.weight
        else:
            grad = self.probs * hard[:, None]
        grad[self.rows, self.labels] -= hard
        return (grad,)
