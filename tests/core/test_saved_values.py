"""What each op saved decides what may change in place before backward (PyTorch's rule).

For every op, every input and its output: build the graph, change that value in place (under
no_grad, as an optimizer step does), call backward, and compare the verdict -- refused or not --
with PyTorch's on the same program, run here. An op saves what its backward reads
(`Function.save_for_backward`), and only when the gradient that reads it is wanted, so the
verdicts are PyTorch's except where gradcraft's backward reads less than PyTorch's kernel keeps:
those few are listed in SAVED_DEVIATIONS with the reason, and the test checks that each of them
is a real difference (PyTorch refuses, gradcraft computes the gradient of the recorded graph), so
the list cannot go stale.

The machinery is in conftest.py: any test module of tests/core that defines SAVED_CASES (and
optionally SAVED_DEVIATIONS) and a test taking `saved_program` gets these programs; the table
here holds the ops of the original core, each family's own test file holds its new ops.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as TF

import gradcraft as gc
from gradcraft import functional as F
from gradcraft import losses

RNG = np.random.default_rng(0)


def positive(*shape):
    return RNG.uniform(0.5, 1.5, shape)


def signed(*shape):
    return RNG.uniform(-1.0, 1.0, shape)


def probabilities(*shape):
    e = np.exp(signed(*shape))
    return e / e.sum(axis=-1, keepdims=True)


LABELS = np.array([0, 2])

# name: (gradcraft function, torch function, input arrays)
SAVED_CASES = {
    "add": (lambda a, b: a + b, lambda a, b: a + b, [positive(3), positive(3)]),
    "sub": (lambda a, b: a - b, lambda a, b: a - b, [positive(3), positive(3)]),
    "mul": (lambda a, b: a * b, lambda a, b: a * b, [positive(3), positive(3)]),
    "div": (lambda a, b: a / b, lambda a, b: a / b, [positive(3), positive(3)]),
    "pow": (lambda a, b: a ** b, lambda a, b: a ** b, [positive(3), positive(3)]),
    "pow by a number": (lambda a: a ** 2.0, lambda a: a ** 2.0, [positive(3)]),
    "neg": (lambda a: -a, lambda a: -a, [positive(3)]),
    "cast": (lambda a: a.astype(np.float32), lambda a: a.to(torch.float32), [positive(3)]),
    "exp": (gc.exp, torch.exp, [positive(3)]),
    "log": (gc.log, torch.log, [positive(3)]),
    "sqrt": (gc.sqrt, torch.sqrt, [positive(3)]),
    "abs": (gc.abs, torch.abs, [signed(3)]),
    "tanh": (gc.tanh, torch.tanh, [signed(3)]),
    "sigmoid": (gc.sigmoid, torch.sigmoid, [signed(3)]),
    "relu": (gc.relu, torch.relu, [signed(3)]),
    "leaky_relu": (gc.leaky_relu, TF.leaky_relu, [signed(3)]),
    "clip by numbers": (lambda a: gc.clip(a, -0.5, 0.5), lambda a: torch.clamp(a, -0.5, 0.5),
                        [signed(3)]),
    "clip by tensors": (gc.clip, torch.clamp, [signed(3), signed(3) - 1, signed(3) + 1]),
    "maximum": (gc.maximum, torch.maximum, [signed(3), signed(3)]),
    "minimum": (gc.minimum, torch.minimum, [signed(3), signed(3)]),
    "where": (gc.where, torch.where, [np.array([True, False, True]), signed(3), signed(3)]),
    "sum": (lambda a: a.sum(axis=0), lambda a: a.sum(0), [signed(2, 3)]),
    "mean": (lambda a: a.mean(axis=0), lambda a: a.mean(0), [signed(2, 3)]),
    "var": (lambda a: a.var(axis=0), lambda a: a.var(0, unbiased=False), [signed(2, 3)]),
    "std": (lambda a: a.std(axis=0), lambda a: a.std(0, unbiased=False), [signed(2, 3)]),
    "std of all": (lambda a: a.std(), lambda a: a.std(unbiased=False), [signed(2, 3)]),
    "max": (lambda a: a.max(axis=0), lambda a: a.amax(0), [signed(2, 3)]),
    "min": (lambda a: a.min(axis=0), lambda a: a.amin(0), [signed(2, 3)]),
    "max of all": (lambda a: a.max(), lambda a: a.amax(), [signed(2, 3)]),
    "reshape": (lambda a: a.reshape(3, 2), lambda a: a.reshape(3, 2), [signed(2, 3)]),
    "transpose": (lambda a: a.T, lambda a: a.T, [signed(2, 3)]),
    "squeeze": (lambda a: a.squeeze(0), lambda a: a.squeeze(0), [signed(1, 3)]),
    "unsqueeze": (lambda a: a.unsqueeze(0), lambda a: a.unsqueeze(0), [signed(3)]),
    "concatenate": (lambda a, b: gc.concatenate([a, b]), lambda a, b: torch.cat([a, b]),
                    [signed(2), signed(3)]),
    "stack": (lambda a, b: gc.stack([a, b]), lambda a, b: torch.stack([a, b]),
              [signed(3), signed(3)]),
    "pad": (lambda a: gc.pad(a, 1), lambda a: TF.pad(a, (1, 1)), [signed(3)]),
    "basic index": (lambda a: a[1:], lambda a: a[1:], [signed(3)]),
    "integer index": (lambda a: a[[0, 0, 2]], lambda a: a[[0, 0, 2]], [signed(3)]),
    "matmul": (gc.matmul, torch.matmul, [signed(2, 3), signed(3, 4)]),
    "matmul of vectors": (gc.matmul, torch.matmul, [signed(3), signed(3)]),
    "linear": (F.linear, TF.linear, [signed(2, 3), signed(4, 3), signed(4)]),
    "softmax": (F.softmax, lambda a: torch.softmax(a, -1), [signed(2, 3)]),
    "log_softmax": (F.log_softmax, lambda a: torch.log_softmax(a, -1), [signed(2, 3)]),
    "conv2d": (F.conv2d, TF.conv2d, [signed(1, 2, 5, 5), signed(3, 2, 3, 3), signed(3)]),
    "max_pool2d": (lambda x: F.max_pool2d(x, 2), lambda x: TF.max_pool2d(x, 2),
                   [signed(1, 2, 4, 4)]),
    "max_pool2d with padding": (lambda x: F.max_pool2d(x, 2, padding=1),
                                lambda x: TF.max_pool2d(x, 2, padding=1), [signed(1, 2, 4, 4)]),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, 2), lambda x: TF.avg_pool2d(x, 2),
                   [signed(1, 2, 4, 4)]),
    "softmax_cross_entropy": (lambda s: losses.softmax_cross_entropy(s, LABELS),
                              lambda s: TF.cross_entropy(s, torch.tensor(LABELS)), [signed(2, 3)]),
    "softmax_cross_entropy, soft targets": (losses.softmax_cross_entropy, TF.cross_entropy,
                                            [signed(2, 3), probabilities(2, 3)]),
    "binary_cross_entropy": (losses.binary_cross_entropy, TF.binary_cross_entropy,
                             [positive(3) / 2, positive(3) / 2]),
    "binary_cross_entropy_with_logits": (losses.binary_cross_entropy_with_logits,
                                         TF.binary_cross_entropy_with_logits,
                                         [signed(3), positive(3) / 2]),
    "mse": (losses.mse, TF.mse_loss, [signed(3), signed(3)]),
    "multiclass_hinge": (lambda s: losses.multiclass_hinge(s, LABELS),
                         lambda s: TF.multi_margin_loss(s, torch.tensor(LABELS)), [signed(2, 3)]),
    "kl_divergence": (losses.kl_divergence,
                      lambda p, q: TF.kl_div(q.log(), p, reduction="batchmean"),
                      [probabilities(2, 3), probabilities(2, 3)]),
    "cosine_similarity": (losses.cosine_similarity, lambda a, b: TF.cosine_similarity(a, b, dim=-1),
                          [signed(2, 3), signed(2, 3)]),
    "euclidean_distance": (losses.euclidean_distance, lambda a, b: (a - b).norm(dim=-1),
                           [signed(2, 3), signed(2, 3)]),
}

# (case, which inputs require grad, value changed) -> why gradcraft computes the gradient where
# PyTorch refuses: its backward does not read that value.
_IM2COL = "conv2d's weight gradient reads gradcraft's own im2col copy of the input"
_SHAPE_ONLY = "avg_pool2d's backward needs only the input's shape; torch's kernel keeps the input"
_HINGE = ("the hinge's gradient is its own mask of the classes violating the margin; "
          "torch's multi_margin_loss recomputes it from the input")
_POW = "with a constant exponent, d(a^b)/da = b a^(b-1) does not read the result a^b"
SAVED_DEVIATIONS = {
    **{("conv2d", needs, "input 0"): _IM2COL for needs in ("ggg", "gg-", "g-g", "g--", "-gg", "-g-", "--g")},
    **{("conv2d", needs, "input 1"): "dx = W^T G reads the weight; without dx nothing reads it"
       for needs in ("-gg", "-g-", "--g")},
    ("avg_pool2d", "g", "input 0"): _SHAPE_ONLY,
    ("multiclass_hinge", "g", "input 0"): _HINGE,
    ("pow", "g-", "output"): _POW,
    **{("binary_cross_entropy", "-g", target): "dl/dt = log(1 - p) - log p: the op's own arrays"
       for target in ("input 0", "input 1")},
    ("kl_divergence", "g-", "input 0"): "dKL/dp = log(p / q) + 1: the op's own array",
    ("binary_cross_entropy_with_logits", "-g", "input 1"): "dl/dt = -x does not read t",
}


def test_in_place_change_verdict_is_pytorchs(saved_program, check_saved_program):
    check_saved_program(saved_program)


def test_a_computed_gradient_is_that_of_the_recorded_graph():
    # Changing a value nothing reads must not change the gradient: y = w * c with a constant c
    # keeps c; w changes in place before backward, and dL/dw is still c (torch agrees).
    w = gc.tensor(np.array([1.0, 2.0]), requires_grad=True)
    c = gc.tensor(np.array([3.0, 5.0]))
    y = (w * c).sum()
    with gc.no_grad():
        w -= 10.0
    y.backward()
    np.testing.assert_array_equal(w.grad, [3.0, 5.0])
