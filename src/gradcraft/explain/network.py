"""A two-layer ReLU network without biases, s = W2 relu(W1 x), and the sign pattern of dL/dW1
under the hinge and the softmax loss (the exam's "getting gradients" question).

Backpropagation gives, with h = relu(a), a = W1 x and g = dL/ds:
    dL/dh = W2^T g,   delta = dL/da = dL/dh * 1[a > 0],   dL/dW1 = delta x^T
so entry (i, k) has the sign of delta_i times the sign of x_k: a row is 0 where hidden unit i
is inactive (a_i <= 0; relu'(0) = 0 as in PyTorch), a column is 0 where x_k = 0, and a zero
loss (hinge satisfied) zeroes everything. Gradients come from autograd through
`gradcraft.losses`.
"""

from __future__ import annotations

import numpy as np

from ..functional import linear, relu
from ..losses import multiclass_hinge, softmax_cross_entropy
from ..tensor import Tensor
from ..validation import check_real
from . import _inputs
from .result import Explanation


def signs(array: np.ndarray, tolerance: float = 1e-12) -> np.ndarray:
    """'+', '-' or '0' per entry (|v| <= tolerance counts as 0)."""
    return np.where(array > tolerance, "+", np.where(array < -tolerance, "-", "0"))


def gradient_signs(W1, W2, x, label, margin: float = 1.0, classes=None) -> Explanation:
    """W1 (H, D), W2 (K, H), x (D,), label in [0, K): scores, prediction, and sign(dL/dW1).

    Result keys: pre_activations (H,) W1 x; hidden (H,) relu(W1 x); scores (K,);
    predicted_classes: the classes of maximal score (more than one on a tie); hinge_loss and
    softmax_loss; hinge_grad_scores and softmax_grad_scores (K,) dL/ds; hinge_grad_w1 and
    softmax_grad_w1 (H, D) dL/dW1; hinge_signs_w1 and softmax_signs_w1 (H, D) their signs as
    "+", "-" or "0".
    """
    W1, W2 = _inputs.matrix("W1", W1), _inputs.matrix("W2", W2)
    x = _inputs.vector("x", x)
    if x.size != W1.shape[1]:
        raise ValueError(f"x must have one entry per column of W1 ({W1.shape[1]}), got {x.size}")
    if W2.shape[1] != W1.shape[0]:
        raise ValueError(f"W2 must have one column per row of W1 ({W1.shape[0]} hidden units), "
                         f"got shape {W2.shape}")
    k = W2.shape[0]
    if k < 2:
        raise ValueError(f"W2 needs at least 2 rows (classes), got {k}")
    y = _inputs.label(label, k)
    margin = check_real(margin, "margin", low=0.0)
    names = ([str(c).replace("{", "(").replace("}", ")") for c in classes] if classes is not None
             else [f"class {j}" for j in range(k)])
    if len(names) != k:
        raise ValueError(f"classes must name all {k} classes, got {len(names)}")

    with np.errstate(over="ignore", invalid="ignore"):
        pre = linear(Tensor(x), Tensor(W1)).data
        hidden = relu(Tensor(pre)).data
        scores = linear(Tensor(hidden), Tensor(W2)).data
    _inputs.subtractable_scores("the scores W2 relu(W1 x)", scores, margin)
    best = np.flatnonzero(scores == scores.max())

    result = Explanation("gradient-signs", "Two-layer ReLU network s = W2 relu(W1 x): signs of dL/dW1")
    result.add("W1", W1, given=True)
    result.add("W2", W2, given=True)
    result.add("x", x, given=True)
    result.add("W1 x", pre, "pre-activations")
    result.add("h = relu(W1 x)", hidden, "inactive units (<= 0) pass no gradient")
    result.add("scores", scores, "W2 h")
    if best.size == 1:
        result.add("prediction", names[best[0]], "argmax of the scores")
    else:
        result.add("prediction", "tie: " + ", ".join(names[j] for j in best), "several maximal scores")
    result.add("label", names[y])
    result.record(pre_activations=pre, hidden=hidden, scores=scores,
                  predicted_classes=tuple(int(j) for j in best))

    verdicts = []
    for topic, loss_fn, options in (("hinge", multiclass_hinge, {"margin": margin}),
                                    ("softmax", softmax_cross_entropy, {})):
        w1 = Tensor(W1.copy(), requires_grad=True)
        s = linear(relu(linear(Tensor(x), w1)), Tensor(W2))
        s.retain_grad()
        loss = loss_fn(s, y, **options)
        loss.backward()
        result.add(f"{topic} loss", loss.item())
        result.add(f"{topic} dL/ds", s.grad)
        result.add(f"{topic} dL/dW1", w1.grad, "(W2^T dL/ds * 1[W1 x > 0]) x^T")
        pattern = signs(w1.grad)
        result.add(f"{topic} sign(dL/dW1)", pattern)
        result.record(**{f"{topic}_loss": loss.item(), f"{topic}_grad_scores": s.grad,
                         f"{topic}_grad_w1": w1.grad, f"{topic}_signs_w1": pattern})
        if loss.item() == 0:
            verdicts.append(f"{topic}: loss 0 (every margin satisfied), so every entry is 0")
        elif (pattern == "0").all() and not (pre > 0).any():
            verdicts.append(f"{topic}: loss > 0 but every entry is 0, since all ReLUs are inactive "
                            "(dead) for this input: W1 x <= 0 everywhere, so no gradient reaches W1")
        elif (pattern == "0").all():
            verdicts.append(f"{topic}: loss > 0 but every entry is 0, since W2^T dL/ds vanishes on "
                            "the active hidden units")
        else:
            nonzero = int((pattern != "0").sum())
            verdicts.append(f"{topic}: {nonzero} nonzero entr{'y' if nonzero == 1 else 'ies'}")
    dead = [str(i) for i in np.flatnonzero(pre <= 0)]
    zero_inputs = [str(i) for i in np.flatnonzero(x == 0)]
    why = []
    if dead:
        why.append(f"{_plural('row', dead)} 0 because hidden unit{'s' if len(dead) > 1 else ''} "
                   f"{', '.join(dead)} {'are' if len(dead) > 1 else 'is'} inactive")
    if zero_inputs:
        why.append(f"{_plural('column', zero_inputs)} 0 because x is 0 there")
    result.summary = "; ".join(verdicts) + (". " + "; ".join(why) + "." if why else ".")
    return result


def _plural(word: str, items: list[str]) -> str:
    """'row 2 is' / 'rows 1, 2 are'."""
    if len(items) == 1:
        return f"{word} {items[0]} is"
    return f"{word}s {', '.join(items)} are"
