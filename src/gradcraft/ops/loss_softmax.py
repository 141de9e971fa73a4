"""Softmax cross-entropy as fused ops: one log-sum-exp pass forward, softmax - target backward.

With p = softmax(s) and log p_k = s_k - lse(s), lse(s) = m + log sum_k exp(s_k - m), m = max_k s_k
(shifting by the max keeps every exp in (0, 1], so logits of +-1e3 stay finite):

    hard label y:     l = lse(s) - s_y                    dl/ds = p - onehot(y)
    soft target t:    l = -sum_k t_k log p_k
                        = lse(s) sum_k t_k - sum_k t_k s_k   dl/ds = p sum_k t_k - t,  dl/dt = -log p

Label smoothing eps (PyTorch's) replaces the target by (1 - eps) t + eps / K. For a hard label
that is l = (1 - eps)(lse - s_y) + eps (lse - mean_k s_k), gradient p - (1 - eps) onehot - eps/K,
computed without ever building the one-hot matrix.
"""

from __future__ import annotations

from ..backend import xp
from .loss_reduce import LossFunction


def _shifted_exp_and_lse(scores):
    """exp(s - max) (N, K) and lse(s) (N,): the one pass both ops start with."""
    top = scores.max(axis=1, keepdims=True)
    exps = scores - top
    xp.exp(exps, out=exps)
    sums = exps.sum(axis=1)
    return exps, sums, xp.log(sums) + top[:, 0]


class SoftmaxCrossEntropy(LossFunction):
    """scores (N, K) float, labels (N,) int (an option, not an input) -> losses (N,).

    `margin` is subtracted from the true-class score first: that is the smooth hinge
    -log(e^(s_y - margin) / (e^(s_y - margin) + sum_{j != y} e^(s_j))). The shift is a constant,
    so the gradient with respect to s is the one with respect to the shifted scores.
    """

    def losses(self, scores, labels, margin=0.0, label_smoothing=0.0):
        rows = xp.arange(labels.shape[0])
        if margin:
            scores = scores.copy()
            scores[rows, labels] -= margin
        exps, sums, lse = _shifted_exp_and_lse(scores)
        out = lse - scores[rows, labels]
        if label_smoothing:
            out *= 1 - label_smoothing
            out += label_smoothing * (lse - scores.mean(axis=1))
        if self.needs_input_grad[0]:
            exps /= sums[:, None]  # now softmax(s), in place
            self.probs, self.rows, self.labels = exps, rows, labels
            self.label_smoothing = label_smoothing
        return out

    def input_grads(self, weights):
        grad = self.probs * self.column(weights)
        eps = self.label_smoothing
        if eps:
            grad -= self.column(weights) * (eps / self.probs.shape[1])
        grad[self.rows, self.labels] -= weights * (1 - eps) if eps else weights
        return (grad,)


class SoftTargetCrossEntropy(LossFunction):
    """scores (N, K), targets (N, K) (probabilities; may require grad) -> losses (N,)."""

    def losses(self, scores, targets, label_smoothing=0.0):
        if label_smoothing:
            targets = (1 - label_smoothing) * targets + label_smoothing / targets.shape[1]
        exps, sums, lse = _shifted_exp_and_lse(scores)
        log_probs = scores - lse[:, None]
        out = -(targets * log_probs).sum(axis=1)
        self.log_probs, self.targets, self.label_smoothing = log_probs, targets, label_smoothing
        if self.needs_input_grad[0]:
            exps /= sums[:, None]
            self.probs = exps
        return out

    def input_grads(self, weights):
        w = self.column(weights)
        grad_scores = grad_targets = None
        if self.needs_input_grad[0]:
            grad_scores = (self.probs * self.targets.sum(axis=1, keepdims=True) - self.targets) * w
        if self.needs_input_grad[1]:
            # the smoothed target is (1 - eps) t + eps/K, so dt picks up the factor (1 - eps)
            grad_targets = -self.log_probs * (w * (1 - self.label_smoothing))
        return grad_scores, grad_targets
