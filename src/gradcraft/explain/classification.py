"""Scores -> loss -> gradient for one sample: the multiclass hinge, softmax cross-entropy, both
side by side, and a linear classifier that produces the scores.

Definitions (s the scores, y the true class, Delta the margin):
    hinge   L = sum_{j != y} max(0, s_j - s_y + Delta)
            dL/ds_j = 1[s_j - s_y + Delta > 0] (j != y),  dL/ds_y = -(number of violating j)
    softmax p_j = e^{s_j} / sum_k e^{s_k},  L = -log p_y = log(1 + sum_{j != y} e^{s_j - s_y})
            dL/ds_j = p_j - 1[j = y]
The per-class terms and rules are derived here from these definitions; the loss values and the
gradients come from `gradcraft.losses` (the same code that trains networks).
"""

from __future__ import annotations

import numpy as np

from ..functional import linear as linear_op, softmax as softmax_op
from ..losses import multiclass_hinge, smooth_hinge, softmax_cross_entropy
from ..tensor import Tensor
from ..validation import check_real
from . import _inputs
from .result import Explanation, Given


def _class_names(classes, k: int) -> list[str]:
    """Display names: the user's class names, else "class j"."""
    if classes is None:
        return [f"class {j}" for j in range(k)]
    names = [str(c) for c in classes]
    if len(names) != k:
        raise ValueError(f"classes must name all {k} classes, got {len(names)}: {names}")
    # names end up inside note templates, where braces are placeholders
    return [n.replace("{", "(").replace("}", ")") for n in names]


def _named(prefix: str, j: int, names) -> str:
    """A step name: `prefix` alone for numbered classes, `prefix (cat)` for named ones."""
    return prefix if names[j] == f"class {j}" else f"{prefix} ({names[j]})"


def _slot(value) -> str:
    """A note placeholder; negative numbers get parentheses (0.2*(-15), not 0.2*-15)."""
    return "({})" if value < 0 else "{}"


def _scores_label_margin(scores, label, margin):
    s = _inputs.vector("scores", scores, min_length=2)
    y = _inputs.label(label, s.size)
    margin = check_real(margin, "margin", low=0.0)
    _inputs.subtractable_scores("scores", s, margin)
    return s, y, margin


def _loss_and_grad(loss_fn, scores, label, **options):
    """Loss value and dL/dscores of one sample, from the library's fused loss op."""
    leaf = Tensor(scores.copy(), requires_grad=True)
    loss = loss_fn(leaf, label, **options)
    loss.backward()
    return loss.item(), leaf.grad


def _header(result, s, y, names):
    result.add("scores", s, given=True)
    result.add("label", y, "" if names[y] == f"class {y}" else f"true class {names[y]}")


def hinge(scores, label, margin: float = 1.0, classes=None) -> Explanation:
    """Multiclass hinge (SVM) loss of one sample: scores (K,), label in [0, K), margin >= 0,
    classes: K display names (optional).

    Result keys: loss; grad (K,) dL/ds; terms (K,) max(0, s_j - s_y + margin), 0 for the true
    class (it adds no term); violating: the classes j != y with s_j - s_y + margin > 0.
    """
    s, y, margin = _scores_label_margin(scores, label, margin)
    names = _class_names(classes, s.size)
    result = Explanation("hinge", "Multiclass hinge (SVM) loss: L = sum_{j != y} max(0, s_j - s_y + margin)")
    _header(result, s, y, names)
    result.add("margin", margin, given=True)
    loss, grad = _loss_and_grad(multiclass_hinge, s, y, margin=margin)
    violating, terms = [], np.zeros(s.size)
    for j in range(s.size):
        if j == y:
            continue
        gap = s[j] - s[y] + margin
        terms[j] = max(gap, 0.0)
        if gap > 0:
            violating.append(j)
            verdict = f"> 0, so dL/ds_{j} = +1"
        elif gap == 0:
            verdict = f": on the hinge point, subgradient dL/ds_{j} = 0"
        else:
            verdict = f"<= 0, so the term and dL/ds_{j} are 0"
        rule = (f"s_{j} - s_{y} + margin = {_slot(s[j])} - {_slot(s[y])} + {_slot(margin)} = {{}} "
                + verdict).replace(" :", ":")
        result.add(_named(f"term {j}", j, names), max(gap, 0.0), rule, Given(s[j]), Given(s[y]), Given(margin), gap)
    result.add(_named(f"dL/ds_{y}", y, names), grad[y],
               f"true class: minus the number of violating classes ({len(violating)})")
    result.add("loss", loss, "sum of the terms")
    result.add("dL/ds", grad)
    result.record(loss=loss, grad=grad, terms=terms, violating=tuple(violating))
    if violating:
        one = len(violating) == 1
        culprits = ", ".join(names[j] for j in violating)
        result.summary = (f"L = {{}}: {culprits} violate{'s' if one else ''} the margin, "
                          f"so dL/ds = +1 for {'it' if one else 'each of them'} and {{}} for the true "
                          f"class ({names[y]}).")
        result.summary_args = (loss, grad[y])
    else:
        result.summary = (f"L = 0: every other class is at least the margin {{}} below {names[y]}, so "
                          "the gradient is 0 and this sample no longer changes the weights.")
        result.summary_args = (Given(margin),)
    return result


def softmax(scores, label, margin: float = 0.0, classes=None) -> Explanation:
    """Softmax cross-entropy of one sample: scores (K,), label in [0, K). `margin` > 0 gives the
    course's smooth hinge: the cross-entropy after lowering the true score by the margin.

    Result keys: loss; grad (K,) dL/ds = p - onehot(y); probabilities (K,) p, the softmax of
    the scores (of the lowered scores when margin > 0).
    """
    s, y, margin = _scores_label_margin(scores, label, margin)
    names = _class_names(classes, s.size)
    title = "Softmax cross-entropy: p = softmax(s), L = -log p_y"
    if margin:
        title += " (smooth hinge: s_y lowered by the margin)"
    result = Explanation("softmax", title)
    _header(result, s, y, names)
    shifted = s.copy()
    if margin:
        shifted[y] -= margin
        result.add("margin", margin, given=True)
        result.add("shifted scores", shifted, f"s_{y} - margin")
        loss, grad = _loss_and_grad(smooth_hinge, s, y, margin=margin)
    else:
        loss, grad = _loss_and_grad(softmax_cross_entropy, s, y)
    p = softmax_op(Tensor(shifted)).data
    result.add("p", p, "e^{s_j} / sum_k e^{s_k}")
    for j in range(s.size):
        if j == y:
            result.add(_named(f"dL/ds_{j}", j, names), grad[j], f"true class: p_{j} - 1 = {{}} - 1", p[j])
        else:
            result.add(_named(f"dL/ds_{j}", j, names), grad[j], f"other class: p_{j}")
    if p[y] > 0:
        result.add("loss", loss, "-log p_y = -log({})", p[y])
    else:  # e^{s_y - max s} below 4.9e-324: p_y prints as 0, the fused op's log-sum-exp is exact
        result.add("loss", loss, "-log p_y = log(sum_k e^{s_k}) - s_y; p_y = e^-L underflows to 0 in float64")
    result.add("dL/ds", grad, "p - onehot(y); sums to 0")
    result.record(loss=loss, grad=grad, probabilities=p)
    result.summary = (f"L = {{}}: {names[y]} gets probability {{}}; a gradient-descent step raises "
                      f"s_{y} (dL/ds_{y} = p_{y} - 1 = {{}} < 0) and lowers every other score in "
                      "proportion to its probability (dL/ds_j = p_j > 0).")
    result.summary_args = (loss, p[y], grad[y])
    return result


def compare(scores, label, margin: float = 1.0, classes=None) -> Explanation:
    """Hinge (with `margin`) and softmax cross-entropy on the same scores (K,), side by side.

    Result keys: gaps (K-1,) s_j - s_y for j != y; hinge_loss, softmax_loss; hinge_grad,
    softmax_grad (K,); hinge_grad_l1, softmax_grad_l1 (their L1 norms); larger_loss ("hinge",
    "softmax" or "equal"); larger_grad ("hinge" or "softmax", by L1 norm).
    """
    s, y, margin = _scores_label_margin(scores, label, margin)
    names = _class_names(classes, s.size)
    h = hinge(s, y, margin, names)
    c = softmax(s, y, 0.0, names)
    hinge_loss, softmax_loss = h["loss"], c["loss"]
    hinge_grad, softmax_grad = h["dL/ds"], c["dL/ds"]
    gaps = np.delete(s - s[y], y)
    result = Explanation("compare", "Hinge vs softmax on the same scores")
    _header(result, s, y, names)
    result.add("margin", h["margin"], "of the hinge", given=True)
    result.add("gaps s_j - s_y", gaps, "j != y")
    result.add("hinge loss", hinge_loss, "sum_j max(0, gap_j + margin)")
    result.add("softmax loss", softmax_loss, "log(1 + sum_j e^gap_j), a soft maximum of the gaps")
    larger, why, why_args = _larger_loss(margin, gaps, hinge_loss, softmax_loss)
    result.add("larger loss", larger, why, *why_args)
    result.add("hinge dL/ds", hinge_grad, "violating classes +1, true class -(their count)")
    result.add("softmax dL/ds", softmax_grad, "p - onehot(y)")
    hinge_push, softmax_push = np.abs(hinge_grad).sum(), np.abs(softmax_grad).sum()
    result.add("|hinge dL/ds|_1", hinge_push, "2 x the number of violating classes")
    result.add("|softmax dL/ds|_1", softmax_push, "2 (1 - p_y)")
    # hinge: 2 n_violating, so 0 or >= 2; softmax: 2 (1 - p_y), strictly between 0 and 2. They
    # never tie, whatever float64 rounds 1 - p_y to.
    if hinge_push > 0:
        bigger = "hinge"
        why = ("every violating class pushes with a full 1 however small its violation, while softmax "
               "pushes with the probabilities, which sum to 1 - p_y < 1 per side")
    else:
        bigger = "softmax"
        why = ("no class violates the margin, so the hinge gradient is 0; softmax pushes with 1 - p_y on "
               "each side and never stops while p_y < 1")
        if softmax_push == 0:
            why += " (here 1 - p_y is positive but below float64 precision: it rounds to 0)"
    underflow = ": positive but below float64 precision"
    result.add("larger gradient", bigger, why)
    result.record(gaps=gaps, hinge_loss=hinge_loss, softmax_loss=softmax_loss, hinge_grad=hinge_grad,
                  softmax_grad=softmax_grad, hinge_grad_l1=hinge_push, softmax_grad_l1=softmax_push,
                  larger_loss=larger, larger_grad=bigger)
    result.summary = (f"Loss: hinge {{}} vs softmax {{}} ({_verdict(larger)}{underflow if softmax_loss == 0 else ''}). "
                      f"Gradient (L1 norm): hinge {{}} vs softmax {{}} ({_verdict(bigger)}"
                      f"{underflow if softmax_push == 0 else ''}).")
    result.summary_args = (hinge_loss, softmax_loss, hinge_push, softmax_push)
    return result


def _verdict(larger: str) -> str:
    return "equal" if larger == "equal" else f"{larger} larger"


def _larger_loss(margin, gaps, hinge_loss, softmax_loss) -> tuple[str, str, tuple]:
    """Which loss is larger, why (a note template), and the note's numbers, for the gaps
    s_j - s_y (j != y)."""
    if hinge_loss == 0:  # softmax's log(1 + sum e^gap) > 0 always, even where float64 rounds it to 0
        why = ("the hinge is 0: every class is at least the margin below the true class; softmax is "
               "never 0, log(1 + sum e^gap) > 0 for any finite scores")
        if softmax_loss == 0:
            # log(1 + u) ~ u = sum e^gap when u is tiny: its natural log is the log-sum-exp of the gaps
            exponent = gaps.max() + np.log(np.exp(gaps - gaps.max()).sum())
            return "softmax", why + (" (here it is about e^{}: positive but below float64 "
                                     "precision, so it prints as 0)"), (exponent,)
        return "softmax", why, ()
    if np.isclose(hinge_loss, softmax_loss, rtol=1e-12, atol=0):
        return "equal", "the two losses coincide for these scores (to 12 digits)", ()
    largest = gaps.max()  # > -margin, since the hinge is positive
    if hinge_loss > softmax_loss:
        return "hinge", ("the hinge charges each violating class its gap plus the full margin, linearly; "
                         "softmax charges about the largest gap (log-sum-exp), with no margin"), ()
    # 0 < hinge < softmax: the hinge is at least largest gap + margin, so softmax exceeds the
    # largest gap by more than the margin
    return "softmax", ("the margin {} is small: the hinge charges the violating classes their gap plus "
                       "the margin ({} in total), while softmax's log(1 + sum e^gap) = {} exceeds the "
                       "largest gap ({}) by {}, more than the margin"), \
        (Given(margin), hinge_loss, softmax_loss, largest, softmax_loss - largest)


def linear(W, b, x, label, margin: float = 1.0, classes=None) -> Explanation:
    """A linear classifier s = W x + b (W (K, D), b (K,), x (D,)) and its hinge and softmax
    losses for the true class `label`, with the gradients dL/dW from autograd.

    Result keys: scores (K,); hinge_loss, softmax_loss; hinge_grad_w, softmax_grad_w (K, D)
    dL/dW.
    """
    W = _inputs.matrix("W", W)
    k, d = W.shape
    b = _inputs.vector("b", b)
    x = _inputs.vector("x", x)
    if b.size != k:
        raise ValueError(f"b must have one entry per row of W ({k}), got {b.size}")
    if x.size != d:
        raise ValueError(f"x must have one entry per column of W ({d}), got {x.size}")
    if k < 2:
        raise ValueError(f"W needs at least 2 rows (classes), got {k}")
    y = _inputs.label(label, k)
    margin = check_real(margin, "margin", low=0.0)
    names = _class_names(classes, k)
    result = Explanation("linear", f"Linear classifier s = W x + b ({k} classes, {d} features)")
    result.add("W", W, given=True)
    result.add("b", b, given=True)
    result.add("x", x, given=True)
    result.add("label", y, "" if names[y] == f"class {y}" else f"true class {names[y]}")
    with np.errstate(over="ignore", invalid="ignore"):
        s = linear_op(Tensor(x), Tensor(W), Tensor(b)).data
    _inputs.subtractable_scores("the scores W x + b", s, margin)
    for j in range(k):
        if d <= 6:
            terms = " + ".join(f"{_slot(w)}*{_slot(v)}" for w, v in zip(W[j], x))
            args = [Given(v) for pair in zip(W[j], x) for v in pair]
        else:
            terms, args = "w_j . x", []
        result.add(_named(f"s_{j}", j, names), s[j], terms + " + " + _slot(b[j]), *args, Given(b[j]))
    result.add("scores", s, "W x + b, from gradcraft.functional.linear")
    result.record(scores=s)
    for topic, loss_fn, options in (("hinge", multiclass_hinge, {"margin": margin}),
                                    ("softmax", softmax_cross_entropy, {})):
        weights = Tensor(W.copy(), requires_grad=True)
        loss = loss_fn(linear_op(Tensor(x), weights, Tensor(b)), y, **options)
        loss.backward()
        note = "margin {}" if topic == "hinge" else "-log softmax(s)_y"
        result.add(f"{topic} loss", loss.item(), note, *([Given(margin)] if topic == "hinge" else []))
        result.add(f"{topic} dL/dW", weights.grad, "outer(dL/ds, x)")
        result.record(**{f"{topic}_loss": loss.item(), f"{topic}_grad_w": weights.grad})
    result.summary = "Scores {}; hinge loss {}, softmax loss {}."
    result.summary_args = (s, result["hinge loss"], result["softmax loss"])
    return result
