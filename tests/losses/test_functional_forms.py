"""The losses in PyTorch's functional form (gradcraft.functional = gradcraft.nn.functional)
against torch.nn.functional in float64: values and every gradient (random upstream gradient),
all reductions, weight, ignore_index, label_smoothing (also with a weight), (N, C, d1, d2)
and unbatched shapes, probability targets, pos_weight; float64 gradient checks; bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import gradcraft as gc
from gradcraft import functional as F
from gradcraft.losses import TargetOutOfRange

REDUCTIONS = ["mean", "sum", "none"]


def _leaf(lib, array):
    if array.dtype.kind != "f":
        return torch.tensor(array) if lib is torch else array
    return torch.tensor(array, requires_grad=True) if lib is torch else gc.tensor(array, requires_grad=True)


def compare(gc_fn, torch_fn, *arrays, seed=0, rtol=1e-10, atol=1e-12):
    """Values and gradients of every float input of gc_fn and torch_fn on the same arrays."""
    mine_in = [_leaf(gc, a) for a in arrays]
    ref_in = [_leaf(torch, a) for a in arrays]
    mine, ref = gc_fn(*mine_in), torch_fn(*ref_in)
    assert mine.shape == tuple(ref.shape)
    assert mine.dtype == np.float64
    np.testing.assert_allclose(mine.data, ref.detach().numpy(), rtol=rtol, atol=atol)
    upstream = np.random.default_rng(seed).standard_normal(tuple(ref.shape))
    mine.backward(upstream)
    ref.backward(torch.tensor(upstream))
    for i, (m, r) in enumerate(zip(mine_in, ref_in)):
        if isinstance(m, gc.Tensor):
            assert m.grad is not None, f"input {i} received no gradient"
            np.testing.assert_allclose(m.grad, r.grad.numpy(), rtol=rtol, atol=atol,
                                       err_msg=f"gradient of input {i}")


RNG = np.random.default_rng(7)
CLASS_WEIGHT = RNG.uniform(0.5, 2.0, 4)


def labels(shape, ignore=()):
    y = RNG.integers(0, 4, shape)
    for index in ignore:
        y[index] = -100
    return y


# ----------------------------------------------------------------------------- cross_entropy
CE_TARGETS = {  # name: (input shape, integer target)
    "N,C": ((6, 4), labels(6)),
    "N,C ignored": ((6, 4), labels(6, ignore=[(1,), (4,)])),
    "N,C,d1,d2": ((2, 4, 3, 2), labels((2, 3, 2), ignore=[(0, 1, 1)])),
    "N,C,d1": ((3, 4, 5), labels((3, 5))),
    "C unbatched": ((4,), np.array(2)),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name", list(CE_TARGETS))
def test_cross_entropy_class_indices_match_torch(name, weighted, smoothing, reduction):
    shape, y = CE_TARGETS[name]
    x = RNG.standard_normal(shape) * 2
    w = CLASS_WEIGHT if weighted else None
    compare(lambda s: F.cross_entropy(s, y, weight=w, reduction=reduction, label_smoothing=smoothing),
            lambda s: TF.cross_entropy(s, torch.tensor(y), weight=None if w is None else torch.tensor(w),
                                       reduction=reduction, label_smoothing=smoothing), x)


def test_cross_entropy_with_weight_and_smoothing_is_torchs_formula():
    # torch: (1 - eps) nll + (eps / C) smooth, both divided by the sum of the kept targets' weights
    x = RNG.standard_normal((5, 4))
    y = np.array([0, -100, 3, 1, 1])
    w, eps = CLASS_WEIGHT, 0.3
    log_p = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    keep = y != -100
    y0 = np.where(keep, y, 0)
    nll = -(w[y0] * log_p[np.arange(5), y0] * keep).sum()
    smooth = -((log_p * w).sum(axis=1) * keep).sum()
    expected = ((1 - eps) * nll + eps / 4 * smooth) / w[y0][keep].sum()
    out = F.cross_entropy(x, y, weight=w, label_smoothing=eps)
    np.testing.assert_allclose(out.item(), expected, rtol=1e-13)


@pytest.mark.parametrize("ignore_index", [0, 2])
def test_ignore_index_inside_the_class_range(ignore_index):
    x = RNG.standard_normal((6, 4))
    y = np.array([0, 1, 2, 3, 2, 0])
    compare(lambda s: F.cross_entropy(s, y, ignore_index=ignore_index, label_smoothing=0.1),
            lambda s: TF.cross_entropy(s, torch.tensor(y), ignore_index=ignore_index, label_smoothing=0.1), x)
    compare(lambda s: F.nll_loss(s, y, weight=CLASS_WEIGHT, ignore_index=ignore_index),
            lambda s: TF.nll_loss(s, torch.tensor(y), weight=torch.tensor(CLASS_WEIGHT),
                                  ignore_index=ignore_index), x)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(5, 4), (2, 4, 3, 2), (4,)])
def test_cross_entropy_probability_targets_match_torch(shape, weighted, smoothing, reduction):
    x = RNG.standard_normal(shape)
    class_axis = 0 if len(shape) == 1 else 1
    t = np.exp(RNG.standard_normal(shape))
    t /= t.sum(axis=class_axis, keepdims=True)
    w = CLASS_WEIGHT if weighted else None
    compare(lambda s, p: F.cross_entropy(s, p, weight=w, reduction=reduction, label_smoothing=smoothing),
            lambda s, p: TF.cross_entropy(s, p, weight=None if w is None else torch.tensor(w),
                                          reduction=reduction, label_smoothing=smoothing), x, t)


def test_cross_entropy_plain_case_is_the_fast_fused_op():
    x = gc.tensor(RNG.standard_normal((8, 4)), requires_grad=True)
    out = F.cross_entropy(x, labels(8))
    assert type(out._ctx).__name__ == "SoftmaxCrossEntropy"
    assert type(F.cross_entropy(x, labels(8, ignore=[(0,)]))._ctx).__name__ == "IndexCrossEntropy"


def test_non_contiguous_input():
    base = RNG.standard_normal((4, 6))
    y = labels(6, ignore=[(2,)])
    compare(lambda s: F.cross_entropy(s.T, y, weight=CLASS_WEIGHT, label_smoothing=0.1),
            lambda s: TF.cross_entropy(s.T, torch.tensor(y), weight=torch.tensor(CLASS_WEIGHT),
                                       label_smoothing=0.1), base)


def test_every_target_ignored_or_empty_batch_is_nan_as_torch():
    x = RNG.standard_normal((3, 4))
    assert np.isnan(F.cross_entropy(x, np.full(3, -100)).item())
    assert np.isnan(torch.nn.functional.cross_entropy(torch.tensor(x), torch.full((3,), -100)).item())
    assert np.isnan(F.nll_loss(x[:0], np.zeros(0, dtype=np.int64)).item())
    assert F.cross_entropy(x[:0], np.zeros(0, dtype=np.int64), reduction="sum").item() == 0.0


def test_float32_stays_float32():
    x = RNG.standard_normal((5, 4)).astype(np.float32)
    assert F.cross_entropy(x, labels(5), weight=CLASS_WEIGHT).dtype == np.float32
    assert F.nll_loss(x, labels(5)).dtype == np.float32


# ----------------------------------------------------------------------------- nll_loss
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name", list(CE_TARGETS))
def test_nll_loss_matches_torch(name, weighted, reduction):
    shape, y = CE_TARGETS[name]
    x = RNG.standard_normal(shape)
    w = CLASS_WEIGHT if weighted else None
    compare(lambda s: F.nll_loss(s, y, weight=w, reduction=reduction),
            lambda s: TF.nll_loss(s, torch.tensor(y), weight=None if w is None else torch.tensor(w),
                                  reduction=reduction), x)


# ----------------------------------------------------------------------------- regression
REGRESSION = [
    ("mse_loss", F.mse_loss, TF.mse_loss, {}),
    ("l1_loss", F.l1_loss, TF.l1_loss, {}),
    ("smooth_l1_loss", F.smooth_l1_loss, TF.smooth_l1_loss, {}),
    ("smooth_l1_loss beta=0.3", F.smooth_l1_loss, TF.smooth_l1_loss, {"beta": 0.3}),
    ("smooth_l1_loss beta=0", F.smooth_l1_loss, TF.smooth_l1_loss, {"beta": 0.0}),
    ("huber_loss", F.huber_loss, TF.huber_loss, {}),
    ("huber_loss delta=0.4", F.huber_loss, TF.huber_loss, {"delta": 0.4}),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(3, 4), (), (2, 3, 2), (0, 3)])
@pytest.mark.parametrize("name, mine, ref, options", REGRESSION, ids=[r[0] for r in REGRESSION])
def test_regression_losses_match_torch(name, mine, ref, options, shape, reduction):
    if shape == (0, 3) and reduction == "mean":
        shape = (0, 3, 1)  # the mean of nothing is NaN both sides: test_regression_mean_of_nothing
        reduction = "sum"
    # values away from the kinks (|d| = 0, beta, delta) so both sides take the same branch
    x = RNG.standard_normal(shape) * 1.5
    t = x + RNG.choice([-1, 1], shape) * RNG.uniform(0.05, 2.0, shape)
    compare(lambda a, b: mine(a, b, reduction=reduction, **options),
            lambda a, b: ref(a, b, reduction=reduction, **options), x, t)


def test_regression_mean_of_nothing_is_nan_as_torch():
    assert np.isnan(F.mse_loss(np.zeros((0, 3)), np.zeros((0, 3))).item())
    assert np.isnan(F.l1_loss(np.zeros(0), np.zeros(0)).item())


def test_l1_gradient_at_equal_values_is_zero_as_torch():
    x = gc.tensor(np.zeros(3), requires_grad=True)
    F.l1_loss(x, np.zeros(3)).backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])


def test_regression_broadcast_target_warns_and_matches_torch():
    x, t = RNG.standard_normal((3, 1)), RNG.standard_normal((3, 4))
    with pytest.warns(UserWarning, match="different to the input size"):
        compare(F.mse_loss, lambda a, b: TF.mse_loss(a, b), x, t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(lambda a, b: F.huber_loss(a, b, reduction="none"),
                lambda a, b: TF.huber_loss(a, b, reduction="none"), x, t)


def test_non_contiguous_regression_inputs():
    x, t = RNG.standard_normal((4, 3)), RNG.standard_normal((3, 8))
    compare(lambda a, b: F.smooth_l1_loss(a.T, b[:, ::2], beta=0.5),
            lambda a, b: TF.smooth_l1_loss(a.T, b[:, ::2], beta=0.5), x, t)


# ----------------------------------------------------------------------------- binary
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", [None, (4,), (3, 4), (3, 1)])
def test_binary_cross_entropy_matches_torch(weight_shape, reduction):
    p, t = RNG.uniform(0.05, 0.95, (3, 4)), RNG.uniform(0, 1, (3, 4))
    w = None if weight_shape is None else RNG.uniform(0.5, 2, weight_shape)
    compare(lambda a, b: F.binary_cross_entropy(a, b, weight=w, reduction=reduction),
            lambda a, b: TF.binary_cross_entropy(a, b, weight=None if w is None else torch.tensor(w),
                                                 reduction=reduction), p, t)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("pos_weight_shape", [None, (4,), (1,)])
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4)])
def test_binary_cross_entropy_with_logits_matches_torch(shape, pos_weight_shape, weighted, reduction):
    x, t = RNG.standard_normal(shape) * 3, RNG.uniform(0, 1, shape)
    w = RNG.uniform(0.5, 2, shape[-1:]) if weighted else None
    q = None if pos_weight_shape is None else RNG.uniform(0.2, 4, pos_weight_shape)
    as_torch = lambda a: None if a is None else torch.tensor(a)  # noqa: E731
    compare(lambda a, b: F.binary_cross_entropy_with_logits(a, b, weight=w, reduction=reduction, pos_weight=q),
            lambda a, b: TF.binary_cross_entropy_with_logits(a, b, weight=as_torch(w), reduction=reduction,
                                                             pos_weight=as_torch(q)), x, t)


def test_bce_with_logits_and_pos_weight_is_exact_for_extreme_logits():
    x = np.array([-1000.0, 1000.0, 0.0])
    t = np.array([1.0, 0.0, 0.5])
    compare(lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=np.full(3, 2.0), reduction="none"),
            lambda a, b: TF.binary_cross_entropy_with_logits(a, b, pos_weight=torch.full((3,), 2.0, dtype=torch.float64),
                                                             reduction="none"), x, t)


def test_legacy_size_average_and_reduce_read_as_torch():
    x, t = RNG.standard_normal(5), RNG.standard_normal(5)
    with pytest.warns(UserWarning, match="reduction='sum'"):
        out = F.mse_loss(x, t, size_average=False)
    np.testing.assert_allclose(out.item(), ((x - t) ** 2).sum(), rtol=1e-13)
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert F.l1_loss(x, t, reduce=False).shape == (5,)


# ----------------------------------------------------------------------------- gradcheck
GRADCHECK = {
    "cross_entropy weight smoothing ignore": (
        lambda s: F.cross_entropy(s, np.array([[0, -100], [3, 1]]), weight=CLASS_WEIGHT, label_smoothing=0.2),
        [(2, 4, 2)]),
    "cross_entropy probability targets": (
        lambda s, p: F.cross_entropy(s, p, weight=CLASS_WEIGHT, reduction="sum"), [(3, 4), (3, 4)]),
    "nll_loss": (lambda s: F.nll_loss(s, np.array([1, 3, -100]), weight=CLASS_WEIGHT), [(3, 4)]),
    "mse_loss": (F.mse_loss, [(3, 2), (3, 2)]),
    "l1_loss": (F.l1_loss, [(3, 2), (3, 2)]),
    "smooth_l1_loss": (lambda a, b: F.smooth_l1_loss(a, b, beta=0.5), [(3, 2), (3, 2)]),
    "huber_loss": (lambda a, b: F.huber_loss(a, b, delta=0.5), [(3, 2), (3, 2)]),
    "binary_cross_entropy_with_logits": (
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, weight=np.array([1.0, 2.0]),
                                                        pos_weight=np.array([3.0, 0.5])), [(3, 2), (3, 2)]),
}


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_gradcheck(name, assert_gradcheck):
    fn, shapes = GRADCHECK[name]
    rng = np.random.default_rng(3)
    # second inputs: probabilities / targets in (0.1, 0.9); differences kept off the kinks
    arrays = [rng.standard_normal(shapes[0])]
    if len(shapes) == 2:
        arrays.append(arrays[0] + rng.choice([-1, 1], shapes[1]) * rng.uniform(0.1, 0.3, shapes[1])
                      if "loss" in name and "entropy" not in name else rng.uniform(0.1, 0.9, shapes[1]))
    assert_gradcheck(fn, *[gc.tensor(a, requires_grad=True) for a in arrays])


def test_gradcheck_binary_cross_entropy_with_weight(assert_gradcheck):
    rng = np.random.default_rng(4)
    p = gc.tensor(rng.uniform(0.2, 0.8, (3, 2)), requires_grad=True)
    t = gc.tensor(rng.uniform(0.1, 0.9, (3, 2)), requires_grad=True)
    assert_gradcheck(lambda a, b: F.binary_cross_entropy(a, b, weight=np.array([0.5, 2.0])), p, t)


# ----------------------------------------------------------------------------- bad input
def test_nll_loss_refuses_float_targets():
    with pytest.raises(TypeError, match="target must be integer class indices"):
        F.nll_loss(np.zeros((3, 4)), np.zeros(3))


def test_class_index_out_of_range_names_the_target():
    with pytest.raises(TargetOutOfRange, match="target 7 is out of bounds"):
        F.cross_entropy(np.zeros((3, 4)), np.array([0, 1, 7]))
    with pytest.raises(IndexError, match="target -3"):
        F.nll_loss(np.zeros((3, 4)), np.array([0, -3, 1]))
    with pytest.raises(ValueError, match="target 4"):
        F.cross_entropy(np.zeros((3, 4)), np.array([0, 4, 1]), weight=CLASS_WEIGHT)


def test_mismatched_shapes_name_the_argument():
    with pytest.raises(ValueError, match="target must have shape \\(3,\\)"):
        F.cross_entropy(np.zeros((3, 4)), np.array([0, 1]))
    with pytest.raises(ValueError, match="probability targets"):
        F.cross_entropy(np.zeros((3, 4)), np.zeros((3, 5)))
    with pytest.raises(ValueError, match="weight must have one entry a class"):
        F.cross_entropy(np.zeros((3, 4)), np.array([0, 1, 2]), weight=np.ones(3))
    with pytest.raises(ValueError, match="target of shape \\(2,\\) does not broadcast"):
        F.mse_loss(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match="target must have the input's shape"):
        F.binary_cross_entropy_with_logits(np.zeros((3, 1)), np.zeros((3, 4)))
    with pytest.raises(ValueError, match="pos_weight of shape \\(3,\\)"):
        F.binary_cross_entropy_with_logits(np.zeros((2, 4)), np.zeros((2, 4)), pos_weight=np.ones(3))


def test_bad_reduction_and_options_name_the_argument():
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.mse_loss(np.zeros(3), np.zeros(3), reduction="avg")
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.cross_entropy(np.zeros((3, 4)), np.array([0, 1, 2]), reduction="avg")
    with pytest.raises(ValueError, match="label_smoothing must be in \\[0, 1\\]"):
        F.cross_entropy(np.zeros((3, 4)), np.array([0, 1, 2]), label_smoothing=1.5)
    with pytest.raises(TypeError, match="ignore_index must be an int"):
        F.nll_loss(np.zeros((3, 4)), np.array([0, 1, 2]), ignore_index=1.5)
    with pytest.raises(ValueError, match="delta must be > 0"):
        F.huber_loss(np.zeros(3), np.zeros(3), delta=0.0)
    with pytest.raises(ValueError, match="beta must be >= 0"):
        F.smooth_l1_loss(np.zeros(3), np.zeros(3), beta=-1.0)
    with pytest.raises(ValueError, match="input must be probabilities"):
        F.binary_cross_entropy(np.array([0.5, 1.5]), np.array([0.0, 1.0]))


def test_weight_requiring_grad_is_refused_as_torch():
    w = gc.tensor(np.ones(4), requires_grad=True)
    with pytest.raises(ValueError, match="weight must not require grad"):
        F.cross_entropy(np.zeros((3, 4)), np.array([0, 1, 2]), weight=w)
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'weight'"):
        TF.cross_entropy(torch.zeros(3, 4), torch.tensor([0, 1, 2]), weight=torch.ones(4, requires_grad=True))


def test_functional_is_nn_functional_and_old_cross_entropy_unchanged():
    assert gc.nn.functional.cross_entropy is F.cross_entropy
    p = np.array([[0.5, 0.5]])
    np.testing.assert_allclose(gc.losses.cross_entropy(p, p).item(), np.log(2), rtol=1e-6)
