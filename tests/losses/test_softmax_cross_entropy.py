"""softmax_cross_entropy: the training loss. PyTorch parity (class indices, probability targets,
label smoothing), float32 kept, worked examples, extreme logits, float64 gradient checks."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import gradcraft as gc
from gradcraft.losses import softmax_cross_entropy, value_and_grad


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("shape", [(7, 5), (1, 3), (4, 1)])
def test_class_indices_match_torch(rng, reduction, smoothing, shape, torch_value_and_grads):
    n, k = shape
    scores = rng.standard_normal(shape) * 3
    labels = rng.integers(0, k, n)
    expected, (expected_grad,) = torch_value_and_grads(
        lambda s: F.cross_entropy(s, torch.tensor(labels), reduction=reduction, label_smoothing=smoothing),
        scores)
    loss, grad = value_and_grad(softmax_cross_entropy, scores, labels, reduction=reduction,
                                label_smoothing=smoothing)
    np.testing.assert_allclose(loss, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_probability_targets_match_torch_for_both_inputs(rng, reduction, smoothing, torch_value_and_grads):
    scores = rng.standard_normal((6, 4))
    targets = rng.dirichlet(np.ones(4), size=6)
    expected, expected_grads = torch_value_and_grads(
        lambda s, t: F.cross_entropy(s, t, reduction=reduction, label_smoothing=smoothing),
        scores, targets)
    s, t = gc.tensor(scores, requires_grad=True), gc.tensor(targets, requires_grad=True)
    out = softmax_cross_entropy(s, t, reduction=reduction, label_smoothing=smoothing)
    out.sum().backward()
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    np.testing.assert_allclose(s.grad, expected_grads[0], rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(t.grad, expected_grads[1], rtol=1e-11, atol=1e-14)


def test_float32_stays_float32_and_matches_torch(rng):
    scores = rng.standard_normal((128, 10)).astype(np.float32)
    labels = rng.integers(0, 10, 128)
    s = gc.tensor(scores, requires_grad=True)
    loss = softmax_cross_entropy(s, gc.tensor(labels))  # labels may be a Tensor too
    loss.backward()
    torch_scores = torch.tensor(scores, requires_grad=True)
    expected = F.cross_entropy(torch_scores, torch.tensor(labels))
    expected.backward()
    assert loss.dtype == np.float32 and s.grad.dtype == np.float32
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)
    np.testing.assert_allclose(s.grad, torch_scores.grad.numpy(), rtol=1e-5, atol=1e-8)


def test_mean_gradient_is_softmax_minus_one_hot_over_n(rng):
    scores = rng.standard_normal((5, 3))
    labels = np.array([0, 2, 1, 1, 0])
    _, grad = value_and_grad(softmax_cross_entropy, scores, labels)
    exps = np.exp(scores)
    expected = (exps / exps.sum(axis=1, keepdims=True) - np.eye(3)[labels]) / 5
    np.testing.assert_allclose(grad, expected, rtol=1e-12, atol=1e-15)


def test_homework_cat_dog_bird():
    # s = [3, -1, 4], y = cat: p = e^s / (e^3 + e^-1 + e^4) = [0.2676, 0.0049, 0.7275],
    # L = -log p_cat = 1.3182 (the write-up's 1.317 and its p_dog = 0.004 are rounded).
    denom = math.exp(3) + math.exp(-1) + math.exp(4)
    p = [math.exp(3) / denom, math.exp(-1) / denom, math.exp(4) / denom]
    loss, grad = value_and_grad(softmax_cross_entropy, [3.0, -1.0, 4.0], 0)
    assert loss == pytest.approx(-math.log(p[0]), rel=1e-14)
    assert loss == pytest.approx(1.3182, abs=1e-4)
    np.testing.assert_allclose(grad, [p[0] - 1, p[1], p[2]], rtol=1e-13)
    np.testing.assert_allclose(grad, [-0.7324, 0.0049, 0.7275], atol=1e-4)


def test_homework_scaled_scores():
    # s = 2 [3, -1, 4] = [6, -2, 8]: L = log(e^6 + e^-2 + e^8) - 6 = log(1 + e^-8 + e^2) = 2.1270.
    # (The write-up's 2.249 is an arithmetic slip; its own p_cat = 0.1188 gives -log = 2.130.)
    loss, _ = value_and_grad(softmax_cross_entropy, [6.0, -2.0, 8.0], 0)
    assert loss == pytest.approx(math.log(1 + math.exp(-8) + math.exp(2)), rel=1e-14)
    assert loss == pytest.approx(2.1270, abs=1e-4)


def test_homework_linear_classifier_softmax_loss():
    # HW 1, problem 4: scores [-2.85, 0.86, 0.28], true class 2: log(e^-2.85 + e^0.86 + e^0.28) - 0.28
    loss, _ = value_and_grad(softmax_cross_entropy, [-2.85, 0.86, 0.28], 2)
    assert loss == pytest.approx(math.log(math.exp(-2.85) + math.exp(0.86) + math.exp(0.28)) - 0.28)
    assert loss == pytest.approx(1.040, abs=1e-3)


def test_extreme_logits_are_exact():
    # logsumexp([1e3, -1e3, 0]) = 1e3 + log(1 + e^-2e3 + e^-1e3) = 1e3 in float32, so the loss of
    # class 1 is 2e3, and softmax = [1, 0, 0]: gradient [1, -1, 0].
    s = gc.tensor(np.array([[1e3, -1e3, 0.0], [1e3, -1e3, 0.0]], dtype=np.float32), requires_grad=True)
    loss = softmax_cross_entropy(s, np.array([1, 0]), reduction="none")
    np.testing.assert_array_equal(loss.data, [2000.0, 0.0])
    loss.sum().backward()
    np.testing.assert_array_equal(s.grad, [[1.0, -1.0, 0.0], [0.0, 0.0, 0.0]])
    soft = softmax_cross_entropy(s.detach(), np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]], np.float32),
                                 reduction="none")
    np.testing.assert_array_equal(soft.data, [1000.0, 1000.0])  # 0.5 * 0 + 0.5 * 2000; 1000 - 0


def test_single_sample_gives_a_scalar():
    s = gc.tensor([1.0, 2.0, 0.5], requires_grad=True)
    out = softmax_cross_entropy(s, 1, reduction="none")
    assert out.shape == ()
    out.backward()
    assert s.grad.shape == (3,)
    assert softmax_cross_entropy(s, np.array([0.0, 1.0, 0.0]), reduction="none").shape == ()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_gradcheck_class_indices(rng, reduction, assert_gradcheck):
    s = gc.tensor(rng.standard_normal((6, 4)), requires_grad=True)
    labels = rng.integers(0, 4, 6)
    assert_gradcheck(lambda x: softmax_cross_entropy(x, labels, reduction=reduction), s)
    assert_gradcheck(lambda x: softmax_cross_entropy(x, labels, reduction=reduction,
                                                     label_smoothing=0.3), s)


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_gradcheck_probability_targets(rng, reduction, assert_gradcheck):
    s = gc.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    t = gc.tensor(rng.dirichlet(np.ones(3), size=5), requires_grad=True)
    assert_gradcheck(lambda x, y: softmax_cross_entropy(x, y, reduction=reduction,
                                                        label_smoothing=0.2), s, t)


def test_no_graph_without_grad():
    out = softmax_cross_entropy(np.array([[1.0, 2.0]]), [0])
    assert not out.requires_grad
    assert out.item() == pytest.approx(math.log(1 + math.e))  # log(e^1 + e^2) - 1
