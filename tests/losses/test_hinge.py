"""The course's hinge losses: worked examples from the seeds (hand arithmetic written here),
PyTorch's multi_margin_loss (exact relation), float64 gradient checks, extreme scores."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import gradcraft as gc
from gradcraft.losses import (
    huber_hinge, huber_hinge_is_smooth, max_hinge, multiclass_hinge, smooth_hinge,
    softmax_cross_entropy, value_and_grad,
)

CLASSIFICATION_LOSSES = [multiclass_hinge, max_hinge, huber_hinge, smooth_hinge]


# ------------------------------------------------------------------ worked examples (seeds)
def test_exam_svm_example_loss_2_2_versus_200_9():
    # Exam 1.1, classes [Dog, Cat], margin 1. Image 1 is a Cat, image 2 a Dog.
    labels = np.array([1, 0])
    model_a = gc.tensor(np.array([[1.1, 1.0], [1.0, 1.1]]), requires_grad=True)
    model_b = gc.tensor(np.array([[1.0, 1.1], [1.0, 200.0]]), requires_grad=True)
    loss_a = multiclass_hinge(model_a, labels, reduction="sum")
    loss_b = multiclass_hinge(model_b, labels, reduction="sum")
    # A: max(0, 1.1 - 1.0 + 1) + max(0, 1.1 - 1.0 + 1) = 1.1 + 1.1
    # B: max(0, 1.0 - 1.1 + 1) + max(0, 200 - 1.0 + 1) = 0.9 + 200
    assert loss_a.item() == pytest.approx(2.2, abs=1e-12)
    assert loss_b.item() == pytest.approx(200.9, abs=1e-12)
    # ...yet A has accuracy 0 and B 50%: a lower loss does not mean a higher accuracy.
    assert np.mean(model_a.data.argmax(axis=1) == labels) == 0.0
    assert np.mean(model_b.data.argmax(axis=1) == labels) == 0.5
    loss_a.backward()
    loss_b.backward()
    # every wrong class violates the margin: +1 on it, -1 on the true class
    np.testing.assert_array_equal(model_a.grad, [[1, -1], [-1, 1]])
    np.testing.assert_array_equal(model_b.grad, [[1, -1], [-1, 1]])


@pytest.mark.parametrize("margin, expected", [(1.0, 2.0), (2.0, 3.0)])
def test_homework_svm_cat_dog_bird(margin, expected):
    # s = [3, -1, 4], true class cat (0):
    # margin 1: max(0, -1 - 3 + 1) + max(0, 4 - 3 + 1) = 0 + 2
    # margin 2: max(0, -1 - 3 + 2) + max(0, 4 - 3 + 2) = 0 + 3
    s = gc.tensor([3.0, -1.0, 4.0], requires_grad=True)
    loss = multiclass_hinge(s, 0, margin=margin)
    assert loss.item() == pytest.approx(expected)
    loss.backward()
    np.testing.assert_array_equal(s.grad, [-1.0, 0.0, 1.0])


def test_homework_linear_classifier_svm_loss():
    # HW 1, problem 4: s = W x + b = [-2.85, 0.86, 0.28] (by hand: -0.15 - 1.1 - 4.4 + 2.8;
    # -10.5 + 4.4 - 2.2 + 8.96 + 0.2; -9.9 + 8.8 + 1.68 - 0.3). The write-up's one-hot y has four
    # entries for three classes; its answer 1.58 is the loss for true class 2:
    # max(0, -2.85 - 0.28 + 1) + max(0, 0.86 - 0.28 + 1) = 0 + 1.58.
    x = np.array([-15.0, 22.0, -44.0, 56.0])
    W = np.array([[0.01, -0.05, 0.1, 0.05], [0.7, 0.2, 0.05, 0.16], [0.0, -0.45, -0.2, 0.03]])
    b = np.array([0.0, 0.2, -0.3])
    scores = W @ x + b
    np.testing.assert_allclose(scores, [-2.85, 0.86, 0.28], atol=1e-12)
    loss, grad = value_and_grad(multiclass_hinge, scores, 2)
    assert loss == pytest.approx(1.58, abs=1e-12)
    np.testing.assert_array_equal(grad, [0.0, 1.0, -1.0])
    # the same with the one-hot target the homework uses (restricted to the three classes)
    assert multiclass_hinge(scores, np.array([0.0, 0.0, 1.0])).item() == pytest.approx(1.58)


# ------------------------------------------------------------------ PyTorch: multi_margin_loss
def test_torch_multi_margin_divides_by_class_count_and_skips_true_class():
    # x = [0.2, 0.5, 0.4], y = 1: the wrong classes give (1 - 0.5 + 0.2) + (1 - 0.5 + 0.4) = 1.6
    # (including j = y would add max(0, 1) = 1). PyTorch divides by K = 3.
    x = torch.tensor([[0.2, 0.5, 0.4]], dtype=torch.float64)
    assert F.multi_margin_loss(x, torch.tensor([1])).item() == pytest.approx(1.6 / 3)
    assert multiclass_hinge(x.numpy(), [1]).item() == pytest.approx(1.6)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("margin", [1.0, 0.3])
def test_multiclass_hinge_is_class_count_times_torch(rng, reduction, margin, torch_value_and_grads):
    n, k = 9, 5
    scores = rng.standard_normal((n, k))
    labels = rng.integers(0, k, n)
    expected, (expected_grad,) = torch_value_and_grads(
        lambda s: k * F.multi_margin_loss(s, torch.tensor(labels), margin=margin, reduction=reduction),
        scores)
    loss, grad = value_and_grad(multiclass_hinge, scores, labels, margin=margin, reduction=reduction)
    np.testing.assert_allclose(loss, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=1e-12)


def test_float32_matches_torch_and_stays_float32(rng):
    scores = rng.standard_normal((64, 10)).astype(np.float32)
    labels = rng.integers(0, 10, 64)
    s = gc.tensor(scores, requires_grad=True)
    loss = multiclass_hinge(s, labels)
    loss.backward()
    torch_scores = torch.tensor(scores, requires_grad=True)
    expected = 10 * F.multi_margin_loss(torch_scores, torch.tensor(labels))
    expected.backward()
    assert loss.dtype == np.float32 and s.grad.dtype == np.float32
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
    np.testing.assert_allclose(s.grad, torch_scores.grad.numpy(), atol=1e-6)  # torch grad of 10 * loss


def test_subgradient_is_zero_at_the_hinge_point():
    # s_1 - s_0 + 1 = 0 exactly: on the hinge, neither class is pulled
    s = gc.tensor(np.array([2.0, 1.0, -5.0]), requires_grad=True)
    loss = multiclass_hinge(s, 0)
    loss.backward()
    assert loss.item() == 0.0
    np.testing.assert_array_equal(s.grad, [0.0, 0.0, 0.0])
    x = torch.tensor([[2.0, 1.0, -5.0]], requires_grad=True)  # PyTorch chooses the same
    F.multi_margin_loss(x, torch.tensor([0])).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 0.0, 0.0]])


# ------------------------------------------------------------------ Crammer-Singer
@pytest.mark.parametrize("scores, label, loss, grad", [
    # max(0, -1 - 3 + 1, 4 - 3 + 1) = 2; only bird pulls
    ([3.0, -1.0, 4.0], 0, 2.0, [-1.0, 0.0, 1.0]),
    # terms 1.5 - 2 + 1 = 0.5 and 1.8 - 2 + 1 = 0.8: the max is 0.8 (class 2)
    ([2.0, 1.5, 1.8], 0, 0.8, [-1.0, 0.0, 1.0]),
    # every wrong class is more than the margin below: loss and gradient 0
    ([5.0, 1.0, 2.0], 0, 0.0, [0.0, 0.0, 0.0]),
    # true class 2 has the lowest score: max(0, 1 - (-1) + 1, 0.5 + 1 + 1) = 3
    ([1.0, 0.5, -1.0], 2, 3.0, [1.0, 0.0, -1.0]),
])
def test_max_hinge_hand_examples(scores, label, loss, grad):
    value, dscores = value_and_grad(max_hinge, scores, label)
    assert value == pytest.approx(loss)
    np.testing.assert_array_equal(dscores, grad)


def test_max_hinge_versus_multiclass_hinge_on_two_violations():
    # [2.0, 1.5, 1.8], y = 0: Weston-Watkins sums 0.5 + 0.8 = 1.3 and both classes pull
    value, grad = value_and_grad(multiclass_hinge, [2.0, 1.5, 1.8], 0)
    assert value == pytest.approx(1.3)
    np.testing.assert_array_equal(grad, [-2.0, 1.0, 1.0])


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 6), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_hinge_bounds(k, n, seed):
    """max-hinge (margin 1) >= 0-1 loss (homework 4 proof), sum-hinge >= max-hinge, and the smooth
    hinge lies between max(.., 0) and max(.., 0) + log K (log-sum-exp bounds the max)."""
    gen = np.random.default_rng(seed)
    scores = gen.standard_normal((n, k)) * 3
    labels = gen.integers(0, k, n)
    cs = max_hinge(scores, labels, reduction="none").data
    ww = multiclass_hinge(scores, labels, reduction="none").data
    zero_one = (scores.argmax(axis=1) != labels).astype(float)
    assert np.all(cs >= zero_one - 1e-12)
    assert np.all(ww >= cs - 1e-12)
    margin = 0.5
    wrong = np.where(np.eye(k, dtype=bool)[labels], -np.inf, scores)
    hinge = np.maximum(wrong.max(axis=1) - scores[np.arange(n), labels] + margin, 0)
    smooth = smooth_hinge(scores, labels, margin=margin, reduction="none").data
    assert np.all(smooth >= hinge - 1e-12)
    assert np.all(smooth <= hinge + math.log(k) + 1e-12)


# ------------------------------------------------------------------ Huber classification loss
def test_huber_hinge_smooth_parameters_hand_example():
    # a = 0.5, b = 1, margin 1, y = 0, d = s_j - s_0 = [-0.5, 0.3, -2.0]:
    # 0.5 * 0.5^2 + 1 * (0.3 + 0.5) + 0.5 * max(-1, 0)^2 = 0.125 + 0.8 + 0 = 0.925
    # slopes: 2 * 0.5 * 0.5 = 0.5, b = 1, 0; true class -1.5
    value, grad = value_and_grad(huber_hinge, [0.0, -0.5, 0.3, -2.0], 0, a=0.5, b=1.0, margin=1.0)
    assert value == pytest.approx(0.925)
    np.testing.assert_allclose(grad, [-1.5, 0.5, 1.0, 0.0], atol=1e-15)


def test_huber_hinge_non_smooth_parameters_hand_example():
    # a = 2: 2 * 0.5^2 + 0.8 = 1.3; slopes 2 * 2 * 0.5 = 2 and 1
    value, grad = value_and_grad(huber_hinge, [0.0, -0.5, 0.3, -2.0], 0, a=2.0, b=1.0, margin=1.0)
    assert value == pytest.approx(1.3)
    np.testing.assert_allclose(grad, [-3.0, 2.0, 1.0, 0.0], atol=1e-15)


def test_huber_hinge_cat_dog_bird_positional_parameters():
    # [3, -1, 4], y = 0, a = 0.25, b = 1, margin 2: dog d = -4 -> 0.25 * max(-2, 0)^2 = 0;
    # bird d = 1 > 0 -> 1 * (1 + 1) = 2
    assert huber_hinge([3.0, -1.0, 4.0], 0, 0.25, 1.0, 2.0).item() == pytest.approx(2.0)


@pytest.mark.parametrize("a, b, margin, smooth", [
    (0.5, 1.0, 1.0, True), (0.25, 1.0, 2.0, True), (1 / 6, 1.0, 3.0, True), (1.0, 1.0, 1.0, False),
    (0.5, 1.0, 2.0, False), (0.0, 0.0, 1.0, True), (1.0, 0.0, 0.0, True), (1.0, 1.0, 0.0, False),
])
def test_huber_hinge_is_smooth(a, b, margin, smooth):
    assert huber_hinge_is_smooth(a, b, margin) is smooth


@pytest.mark.parametrize("a, smooth", [(0.25, True), (1.0, False)])
def test_huber_hinge_value_and_slope_across_the_joint(a, smooth):
    # b = 1, margin 2: around d = s_1 - s_0 = 0 the value is continuous (a*4 vs 1*1 only when
    # a = 1/4) and the slope jumps unless smooth.
    b, margin, h = 1.0, 2.0, 1e-7
    left, g_left = value_and_grad(huber_hinge, [0.0, -h], 0, a=a, b=b, margin=margin)
    right, g_right = value_and_grad(huber_hinge, [0.0, h], 0, a=a, b=b, margin=margin)
    assert bool(abs(left - right) < 1e-5) is smooth
    assert bool(abs(g_left[1] - g_right[1]) < 1e-5) is smooth
    assert g_right[1] == pytest.approx(b)
    assert g_left[1] == pytest.approx(2 * a * margin, rel=1e-6)


# ------------------------------------------------------------------ smooth hinge
def test_smooth_hinge_at_margin_zero_is_softmax_cross_entropy(rng):
    scores = rng.standard_normal((6, 4))
    labels = rng.integers(0, 4, 6)
    l1, g1 = value_and_grad(smooth_hinge, scores, labels)
    l2, g2 = value_and_grad(softmax_cross_entropy, scores, labels)
    assert l1 == pytest.approx(l2, rel=1e-14)
    np.testing.assert_allclose(g1, g2, rtol=1e-13, atol=1e-15)


def test_smooth_hinge_with_margin_hand_example():
    # [3, -1, 4], y = 0, margin 1: -log(e^2 / (e^2 + e^-1 + e^4))
    denom = math.exp(2) + math.exp(-1) + math.exp(4)
    value, grad = value_and_grad(smooth_hinge, [3.0, -1.0, 4.0], 0, margin=1.0)
    assert value == pytest.approx(math.log(denom) - 2, rel=1e-14)
    expected = [math.exp(2) / denom - 1, math.exp(-1) / denom, math.exp(4) / denom]
    np.testing.assert_allclose(grad, expected, rtol=1e-13)


# ------------------------------------------------------------------ gradients and extremes
@pytest.mark.parametrize("loss", CLASSIFICATION_LOSSES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_gradcheck_float64(rng, loss, reduction, assert_gradcheck):
    scores = gc.tensor(rng.standard_normal((6, 5)), requires_grad=True)
    labels = rng.integers(0, 5, 6)
    options = {"margin": 0.7} if loss is not huber_hinge else {"a": 0.3, "b": 0.8, "margin": 0.9}
    assert_gradcheck(lambda s: loss(s, labels, reduction=reduction, **options), scores)


@pytest.mark.parametrize("loss", CLASSIFICATION_LOSSES, ids=lambda f: f.__name__)
def test_extreme_scores_give_finite_loss_and_gradient(loss):
    scores = gc.tensor(np.array([[1e3, -1e3, 0.0], [-1e3, 1e3, 1e3], [0.0, 0.0, -1e3]],
                                dtype=np.float32), requires_grad=True)
    out = loss(scores, np.array([1, 0, 2]))
    out.backward()
    assert np.isfinite(out.item()) and np.all(np.isfinite(scores.grad))
    assert out.item() > 100  # each sample's true class is 1e3 or more behind


def test_one_hot_targets_equal_class_indices(rng):
    scores = rng.standard_normal((5, 3))
    labels = rng.integers(0, 3, 5)
    one_hot = np.eye(3)[labels]
    for loss in CLASSIFICATION_LOSSES:
        assert loss(scores, one_hot).item() == pytest.approx(loss(scores, labels).item(), rel=1e-14)


def test_soft_targets_are_refused_by_hinge_losses():
    with pytest.raises(ValueError, match="one-hot"):
        multiclass_hinge(np.zeros((2, 3)), np.full((2, 3), 1 / 3))
