"""In-place verdicts of the PyTorch-form losses and of attention (the SAVED_CASES machinery of
conftest.py): each program changes one value in place before backward, and gradcraft must refuse
exactly where PyTorch refuses, except the deviations listed with their reason."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as TF

from gradcraft import functional as F

RNG = np.random.default_rng(0)


def signed(*shape):
    return RNG.uniform(-1.0, 1.0, shape)


def probabilities(*shape):
    e = np.exp(signed(*shape))
    return e / e.sum(axis=1, keepdims=True)


LABELS = np.array([0, -100, 2])
WEIGHT = np.array([0.5, 1.5, 2.0])
POS_WEIGHT = np.array([2.0, 0.5, 1.0])


def _labels():
    return torch.tensor(LABELS)


def _weight():
    return torch.tensor(WEIGHT)


SAVED_CASES = {
    "cross_entropy weight ignore_index smoothing": (
        lambda s: F.cross_entropy(s, LABELS, weight=WEIGHT, label_smoothing=0.1),
        lambda s: TF.cross_entropy(s, _labels(), weight=_weight(), label_smoothing=0.1), [signed(3, 3)]),
    "cross_entropy (N, C, d)": (
        lambda s: F.cross_entropy(s, np.array([[0, 2], [1, 1]])),
        lambda s: TF.cross_entropy(s, torch.tensor([[0, 2], [1, 1]])), [signed(2, 3, 2)]),
    "cross_entropy probabilities, weight": (
        lambda s, p: F.cross_entropy(s, p, weight=WEIGHT),
        lambda s, p: TF.cross_entropy(s, p, weight=_weight()), [signed(3, 3), probabilities(3, 3)]),
    "nll_loss": (lambda x: F.nll_loss(x, LABELS, weight=WEIGHT),
                 lambda x: TF.nll_loss(x, _labels(), weight=_weight()), [signed(3, 3)]),
    "mse_loss": (F.mse_loss, TF.mse_loss, [signed(3), signed(3)]),
    "l1_loss": (F.l1_loss, TF.l1_loss, [signed(3), signed(3)]),
    "smooth_l1_loss": (lambda a, b: F.smooth_l1_loss(a, b, beta=0.5),
                       lambda a, b: TF.smooth_l1_loss(a, b, beta=0.5), [signed(3), signed(3)]),
    "huber_loss": (lambda a, b: F.huber_loss(a, b, delta=0.5),
                   lambda a, b: TF.huber_loss(a, b, delta=0.5), [signed(3), signed(3)]),
    "binary_cross_entropy weight": (
        lambda p, t: F.binary_cross_entropy(p, t, weight=WEIGHT),
        lambda p, t: TF.binary_cross_entropy(p, t, weight=_weight()),
        [RNG.uniform(0.2, 0.8, 3), RNG.uniform(0.2, 0.8, 3)]),
    "binary_cross_entropy_with_logits pos_weight": (
        lambda x, t: F.binary_cross_entropy_with_logits(x, t, weight=WEIGHT, pos_weight=POS_WEIGHT),
        lambda x, t: TF.binary_cross_entropy_with_logits(x, t, weight=_weight(),
                                                         pos_weight=torch.tensor(POS_WEIGHT)),
        [signed(2, 3), RNG.uniform(0.2, 0.8, (2, 3))]),
    "scaled_dot_product_attention": (F.scaled_dot_product_attention, TF.scaled_dot_product_attention,
                                     [signed(2, 3), signed(4, 3), signed(4, 2)]),
}

_NLL = "nll's gradient -w_y at the target reads only the labels; torch's kernel keeps the input"
_BCE_T = "dl/dt = log(1 - p) - log p: the op's own arrays"
SAVED_DEVIATIONS = {
    ("nll_loss", "g", "input 0"): _NLL,
    **{("binary_cross_entropy weight", "-g", target): _BCE_T for target in ("input 0", "input 1")},
    ("binary_cross_entropy_with_logits pos_weight", "-g", "input 1"):
        "dl/dt = -x + (q - 1) softplus(-x) does not read t",
}


def test_in_place_change_verdict_is_pytorchs(saved_program, check_saved_program):
    check_saved_program(saved_program)
