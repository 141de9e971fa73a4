"""The course's hinge losses as fused ops, each beside the function users call: the multiclass
hinge (Weston-Watkins), the max-hinge (Crammer-Singer) and the Huber classification loss.
Scores (N, K), integer labels (N,) -> losses (N,) (or (K,) and a scalar label for one sample).

All three are functions of the score differences d_j = s_j - s_y (j != y), so if
l = sum_{j != y} f(d_j) then dl/ds_j = f'(d_j) for j != y and dl/ds_y = -sum_{j != y} f'(d_j):
the true class receives minus the sum of what the others receive.

At a kink the subgradient is the one of the flat side: 0 at the hinge point of
max(0, d + margin), so a class exactly on the margin does not pull (PyTorch's
`multi_margin_loss` makes the same choice).
"""

from __future__ import annotations

import math

from ..backend import xp
from ..tensor import Tensor
from ..validation import check_real
from .inputs import run_classification
from .reduction import LossFunction

__all__ = ["multiclass_hinge", "max_hinge", "huber_hinge", "huber_hinge_is_smooth",
           "MulticlassHinge", "MaxHinge", "HuberHinge"]


def _differences(scores, labels):
    """d = s - s_y (N, K), and the row index array used to address the true classes."""
    rows = xp.arange(labels.shape[0])
    return scores - scores[rows, labels][:, None], rows


class MulticlassHinge(LossFunction):
    """Weston-Watkins: l = sum_{j != y} max(0, s_j - s_y + margin).

    dl/ds_j = 1[s_j - s_y + margin > 0] (j != y),  dl/ds_y = -(number of classes violating the margin).
    """

    def losses(self, scores, labels, margin=1.0):
        hinge, rows = _differences(scores, labels)
        hinge += margin
        hinge[rows, labels] = 0  # the true class is not part of the sum
        xp.maximum(hinge, 0, out=hinge)
        if self.needs_input_grad[0]:
            self.active, self.rows, self.labels = hinge > 0, rows, labels
        return hinge.sum(axis=1)

    def input_grads(self, weights):
        grad = self.active.astype(weights.dtype) * self.column(weights)
        grad[self.rows, self.labels] = -self.active.sum(axis=1) * weights
        return (grad,)


class MaxHinge(LossFunction):
    """Crammer-Singer: l = max_j (s_j - s_y + margin * 1[j != y]) = max(0, max_{j != y} s_j - s_y + margin).

    Only the most violating class j* pulls: dl/ds_j* = 1, dl/ds_y = -1 when l > 0, else 0
    (ties between classes: the first one gets the subgradient).
    """

    def losses(self, scores, labels, margin=1.0):
        hinge, rows = _differences(scores, labels)
        hinge += margin
        hinge[rows, labels] = 0  # the j = y term is s_y - s_y + 0
        worst = hinge.argmax(axis=1)
        out = hinge[rows, worst]
        if self.needs_input_grad[0]:
            self.shape, self.rows, self.labels, self.worst = scores.shape, rows, labels, worst
            self.active = out > 0
        return out

    def input_grads(self, weights):
        pull = self.active * weights  # (N,): 0 for rows inside the margin
        grad = xp.zeros(self.shape, dtype=weights.dtype)
        grad[self.rows, self.worst] = pull
        grad[self.rows, self.labels] -= pull  # worst != label wherever pull != 0
        return (grad,)


class HuberHinge(LossFunction):
    """The Huber classification loss, summed over j != y, with d = s_j - s_y:

        f(d) = a * max(d + margin, 0)^2   if d <= 0
               b * (d + margin / 2)       otherwise
        f'(d) = 2a * max(d + margin, 0)   if d <= 0  (the left derivative at d = 0)
                b                         otherwise

    Value and slope agree at d = 0 (a margin^2 = b margin / 2 and 2 a margin = b) exactly when
    a = b / (2 margin): then the loss is differentiable everywhere.
    """

    def losses(self, scores, labels, a=0.5, b=1.0, margin=1.0):
        d, rows = _differences(scores, labels)
        quadratic_side = d <= 0
        reach = xp.maximum(d + margin, 0)
        per_class = xp.where(quadratic_side, a * reach * reach, b * (d + 0.5 * margin))
        per_class[rows, labels] = 0
        if self.needs_input_grad[0]:
            slope = xp.where(quadratic_side, (2 * a) * reach, b).astype(scores.dtype, copy=False)
            slope[rows, labels] = 0
            self.slope, self.rows, self.labels = slope, rows, labels
        return per_class.sum(axis=1)

    def input_grads(self, weights):
        grad = self.slope * self.column(weights)
        grad[self.rows, self.labels] = -self.slope.sum(axis=1) * weights
        return (grad,)


def multiclass_hinge(scores, labels, margin: float = 1.0, reduction: str = "mean") -> Tensor:
    """The multiclass SVM loss of the course (Weston-Watkins):

        L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + margin)

    Gradient: dL/ds_j = 1[s_j - s_y + margin > 0] for j != y and dL/ds_y = -(number of such j).
    At the hinge point (s_j - s_y + margin = 0 exactly) the subgradient is 0.
    `torch.nn.functional.multi_margin_loss` divides each L_i by K (the number of classes);
    this loss does not: multiclass_hinge = K * multi_margin_loss.
    """
    margin = check_real(margin, "margin")
    return run_classification(MulticlassHinge, "multiclass_hinge", scores, labels, reduction, margin=margin)


def max_hinge(scores, labels, margin: float = 1.0, reduction: str = "mean") -> Tensor:
    """The max-hinge (Crammer-Singer):

        L_i = max_j (s_j - s_{y_i} + margin * 1[j != y_i]) = max(0, max_{j != y_i} s_j - s_{y_i} + margin)

    Only the most violating class pulls: dL/ds_{j*} = 1 and dL/ds_y = -1 when L_i > 0, else 0
    (the subgradient 0 at the hinge point; between tied classes, the first one).
    """
    margin = check_real(margin, "margin")
    return run_classification(MaxHinge, "max_hinge", scores, labels, reduction, margin=margin)


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
    return run_classification(HuberHinge, "huber_hinge", scores, labels, reduction, a=a, b=b, margin=margin)


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
