"""Softmax cross-entropy (and the smooth hinge, its margin variant) as fused ops, each beside the
function users call: one log-sum-exp pass forward, softmax - target backward.

With p = softmax(s) and log p_k = s_k - lse(s), lse(s) = m + log sum_k exp(s_k - m), m = max_k s_k
(shifting by the max keeps every exp in (0, 1], so logits of +-1e3 stay finite):

    hard label y:     l = lse(s) - s_y                    dl/ds = p - onehot(y)
    soft target t:    l = -sum_k t_k log p_k
                        = lse(s) sum_k t_k - sum_k t_k s_k   dl/ds = p sum_k t_k - t,  dl/dt = -log p

Label smoothing eps (PyTorch's) replaces the target by (1 - eps) t + eps / K. For a hard label
that is l = (1 - eps)(lse - s_y) + eps (lse - mean_k s_k), gradient p - (1 - eps) onehot - eps/K,
computed without ever building the one-hot matrix.

Arguments as in `gradcraft.losses`: scores (N, K) (or (K,) for one sample), labels (N,) class
indices (or probability targets (N, K)), reduction 'mean' | 'sum' | 'none'.
"""

from __future__ import annotations

from ..backend import xp
from ..tensor import Tensor
from ..validation import check_real
from .inputs import ClassificationInputs, run_classification
from .reduction import LossFunction, check_batch, check_reduction

__all__ = ["softmax_cross_entropy", "smooth_hinge", "SoftmaxCrossEntropy", "SoftTargetCrossEntropy"]


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
    """scores (N, K), targets (N, K) (probabilities; may require grad) -> losses (N,).

    `class_weight` (K,) (PyTorch's `weight`, a constant) scales each class's term:
    l = -sum_k w_k t_k log p_k, dl/ds = p sum_k w_k t_k - w t, dl/dt = -w log p; 'mean' still
    divides by N (PyTorch's rule for probability targets).
    """

    def losses(self, scores, targets, label_smoothing=0.0, class_weight=None):
        if label_smoothing:
            targets = (1 - label_smoothing) * targets + label_smoothing / targets.shape[1]
        exps, sums, lse = _shifted_exp_and_lse(scores)
        log_probs = scores - lse[:, None]
        if class_weight is not None:
            log_probs *= class_weight  # now w log p: the loss and dl/dt read only this
        out = -(targets * log_probs).sum(axis=1)
        self.label_smoothing, self.class_weight = label_smoothing, class_weight
        if self.needs_input_grad[0]:
            exps /= sums[:, None]
            self.probs = exps
            self.save_for_backward(targets)  # dl/ds = p sum(w t) - w t reads the targets
        if self.needs_input_grad[1]:
            self.log_probs = log_probs       # dl/dt = -w log p, the op's own array
        return out

    def input_grads(self, weights):
        w = self.column(weights)
        grad_scores = grad_targets = None
        if self.needs_input_grad[0]:
            targets, = self.saved
            if self.class_weight is not None:
                targets = targets * self.class_weight
            grad_scores = (self.probs * targets.sum(axis=1, keepdims=True) - targets) * w
        if self.needs_input_grad[1]:
            # the smoothed target is (1 - eps) t + eps/K, so dt picks up the factor (1 - eps)
            grad_targets = -self.log_probs * (w * (1 - self.label_smoothing))
        return grad_scores, grad_targets


def softmax_cross_entropy(scores, labels, reduction: str = "mean",
                          label_smoothing: float = 0.0) -> Tensor:
    """-log softmax(scores)_y, computed as logsumexp(s) - s_y (finite for logits of +-1e3).

    `labels` are class indices (N,), or probability targets t (N, K): then the loss is
    -sum_k t_k log softmax(s)_k (and it is differentiable in t too). `label_smoothing` eps in
    [0, 1] mixes the target with the uniform distribution, (1 - eps) t + eps / K (PyTorch's).
    The gradient is (softmax(s) - t) / N for reduction='mean'.
    Same as `torch.nn.functional.cross_entropy` (which takes logits, as this does).
    """
    check_reduction(reduction)
    eps = check_real(label_smoothing, "label_smoothing", low=0.0, high=1.0)
    inputs = ClassificationInputs(scores, labels, loss="softmax_cross_entropy", soft_targets=True)
    check_batch(inputs.scores.shape[0], reduction)
    if inputs.targets is not None:
        out = SoftTargetCrossEntropy.apply(inputs.scores, inputs.targets, reduction=reduction,
                                           label_smoothing=eps)
    else:
        out = SoftmaxCrossEntropy.apply(inputs.scores, labels=inputs.labels, reduction=reduction,
                                        label_smoothing=eps)
    return inputs.finish(out, reduction)


def smooth_hinge(scores, labels, margin: float = 0.0, reduction: str = "mean") -> Tensor:
    """The log-sum-exp relaxation of the max-hinge max(max_{j != y} s_j - s_y + margin, 0):

        L = -log( e^(s_y - margin) / (e^(s_y - margin) + sum_{j != y} e^(s_j)) )

    i.e. softmax cross-entropy after lowering the true-class score by `margin`; equal to
    `softmax_cross_entropy` at margin 0. Gradient: softmax(s') - onehot(y), s' the shifted scores.
    """
    margin = check_real(margin, "margin")
    return run_classification(SoftmaxCrossEntropy, "smooth_hinge", scores, labels, reduction,
                              margin=margin)
