"""The classification losses of the course: softmax cross-entropy, the multiclass hinge
(Weston-Watkins), the max-hinge (Crammer-Singer), the Huber classification loss and the smooth
hinge. Each is one fused op (forward and hand-derived backward in `gradcraft.ops.loss_softmax`
and `gradcraft.ops.loss_hinge`).

Common arguments:
    scores: (N, K) float Tensor or array (or (K,) for a single sample).
    labels: (N,) integer class indices in [0, K) (a scalar for a single sample). Where noted,
        float targets of shape (N, K) are accepted too: probabilities for the cross-entropy,
        one-hot rows for the hinge losses (which have one true class per sample).
    reduction: 'mean' (over the N samples, the default), 'sum', or 'none' (losses of shape (N,),
        or a scalar for a single sample).
Returns a Tensor; `loss.backward()` puts dL/dscores into `scores.grad`.
"""

from __future__ import annotations

import math

from ..ops.loss_hinge import HuberHinge, MaxHinge, MulticlassHinge
from ..ops.loss_softmax import SoftmaxCrossEntropy, SoftTargetCrossEntropy
from ..tensor import Tensor
from ._validate import ClassificationInputs, check_batch, check_real, check_reduction


def _run(op, loss, scores, labels, reduction, **options) -> Tensor:
    check_reduction(reduction)
    inputs = ClassificationInputs(scores, labels, loss=loss, soft_targets=False)
    check_batch(inputs.scores.shape[0], reduction)
    out = op.apply(inputs.scores, labels=inputs.labels, reduction=reduction, **options)
    return inputs.finish(out, reduction)


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
    eps = check_real(label_smoothing, "label_smoothing")
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing!r}")
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
    return _run(SoftmaxCrossEntropy, "smooth_hinge", scores, labels, reduction, margin=margin)


def multiclass_hinge(scores, labels, margin: float = 1.0, reduction: str = "mean") -> Tensor:
    """The multiclass SVM loss of the course (Weston-Watkins):

        L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + margin)

    Gradient: dL/ds_j = 1[s_j - s_y + margin > 0] for j != y and dL/ds_y = -(number of such j).
    At the hinge point (s_j - s_y + margin = 0 exactly) the subgradient is 0.
    `torch.nn.functional.multi_margin_loss` divides each L_i by K (the number of classes);
    this loss does not: multiclass_hinge = K * multi_margin_loss.
    """
    margin = check_real(margin, "margin")
    return _run(MulticlassHinge, "multiclass_hinge", scores, labels, reduction, margin=margin)


def max_hinge(scores, labels, margin: float = 1.0, reduction: str = "mean") -> Tensor:
    """The max-hinge (Crammer-Singer):

        L_i = max_j (s_j - s_{y_i} + margin * 1[j != y_i]) = max(0, max_{j != y_i} s_j - s_{y_i} + margin)

    Only the most violating class pulls: dL/ds_{j*} = 1 and dL/ds_y = -1 when L_i > 0, else 0
    (the subgradient 0 at the hinge point; between tied classes, the first one).
    """
    margin = check_real(margin, "margin")
    return _run(MaxHinge, "max_hinge", scores, labels, reduction, margin=margin)


def huber_hinge(scores, labels, a: float = 0.5, b: float = 1.0, margin: float = 1.0,
                reduction: str = "mean") -> Tensor:
    """The Huber classification loss, summed over the wrong classes j != y:

        L_j = a * max(s_j - s_y + margin, 0)^2   if s_j <= s_y
              b * (s_j - s_y + margin / 2)       otherwise

    dL/ds_j = 2a max(s_j - s_y + margin, 0) if s_j <= s_y else b, and dL/ds_y = -sum_j dL/ds_j.
    It is differentiable everywhere iff a = b / (2 margin) (see `huber_hinge_is_smooth`); the
    defaults a=0.5, b=1, margin=1 are such a choice. When it is not, the gradient at
    s_j = s_y is the left one, 2a margin.
    """
    a, b = check_real(a, "a"), check_real(b, "b")
    margin = check_real(margin, "margin")
    return _run(HuberHinge, "huber_hinge", scores, labels, reduction, a=a, b=b, margin=margin)


def huber_hinge_is_smooth(a: float, b: float, margin: float) -> bool:
    """True iff the Huber classification loss with (a, b, margin) is differentiable everywhere.

    At s_j = s_y the two pieces must agree in value and slope. For margin > 0 both conditions,
    a margin^2 = b margin / 2 and 2 a margin = b, say a = b / (2 margin). For margin <= 0 the
    quadratic piece is flat at 0 there, so it takes b = 0. Compared with a relative tolerance
    of 1e-9, which forgives floating-point rounding only (a = 1/6, b = 1, margin = 3 is smooth).
    """
    a, b = check_real(a, "a"), check_real(b, "b")
    margin = check_real(margin, "margin")
    if margin > 0:
        return math.isclose(2 * a * margin, b, rel_tol=1e-9, abs_tol=1e-12)
    return math.isclose(b, 0.0, abs_tol=1e-12)
