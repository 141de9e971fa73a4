"""kl_divergence and cross_entropy between distributions: the homework's worked example,
PyTorch (kl_div, whose input is log q) and SciPy (rel_entr), the p = 0 / q = 0 conventions,
the gradients -p/q and log(p/q) + 1, validation, float64 gradient checks."""

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.special import rel_entr

import gradcraft as gc
from gradcraft.losses import cross_entropy, kl_divergence, value_and_grad

# Homework 1, problem 3: frequencies of 8 events, normalised by their total 50
P = np.array([1, 6, 12, 5, 2, 8, 12, 4]) / 50
Q = np.array([1, 3, 6, 8, 15, 10, 5, 2]) / 50


def test_homework_kl_both_directions():
    # the sums written out term by term (the write-up rounds them to 0.352 and 0.484)
    kl_pq = math.fsum(p * math.log(p / q) for p, q in zip(P, Q))
    kl_qp = math.fsum(q * math.log(q / p) for p, q in zip(P, Q))
    assert kl_divergence(P, Q).item() == pytest.approx(kl_pq, rel=1e-12)
    assert kl_divergence(Q, P).item() == pytest.approx(kl_qp, rel=1e-12)
    assert round(kl_divergence(P, Q).item(), 3) == 0.352
    assert round(kl_divergence(Q, P).item(), 3) == 0.484


def test_homework_kl_gradients():
    # dKL(p||q)/dq = -p/q; dKL(q||p)/dq = log(q/p) + 1 (the homework's part (b))
    _, grad = value_and_grad(lambda q, p: kl_divergence(p, q), Q, P)
    np.testing.assert_allclose(grad, -P / Q, rtol=1e-14)
    _, grad = value_and_grad(kl_divergence, Q, P)
    np.testing.assert_allclose(grad, np.log(Q / P) + 1, rtol=1e-13)


@pytest.mark.parametrize("reduction, torch_reduction", [("mean", "batchmean"), ("sum", "sum")])
def test_kl_matches_torch_kl_div_and_scipy(rng, reduction, torch_reduction):
    p = rng.dirichlet(np.ones(5), size=4)
    q = rng.dirichlet(np.ones(5), size=4)
    ps, qs = gc.tensor(p, requires_grad=True), gc.tensor(q, requires_grad=True)
    out = kl_divergence(ps, qs, reduction=reduction)
    out.backward()
    pt, qt = torch.tensor(p, requires_grad=True), torch.tensor(q, requires_grad=True)
    expected = F.kl_div(qt.log(), pt, reduction=torch_reduction)
    expected.backward()
    assert out.item() == pytest.approx(expected.item(), rel=1e-12)
    np.testing.assert_allclose(ps.grad, pt.grad.numpy(), rtol=1e-11)
    np.testing.assert_allclose(qs.grad, qt.grad.numpy(), rtol=1e-11)
    np.testing.assert_allclose(kl_divergence(p, q, reduction="none").data, rel_entr(p, q).sum(axis=1),
                               rtol=1e-12)


def test_zero_p_terms_contribute_nothing():
    # p = [0, 1/2, 1/2], q = [1/2, 1/4, 1/4]: 0 + 2 * (1/2) log 2 = log 2; q_0 = 0 is harmless
    # when p_0 = 0 too. No gradient reaches q_0 (the term is identically 0).
    q = gc.tensor(np.array([0.5, 0.25, 0.25]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = kl_divergence(np.array([0.0, 0.5, 0.5]), q)
        assert kl_divergence(np.array([0.0, 0.5, 0.5]), np.array([0.0, 0.5, 0.5])).item() == 0.0
    assert out.item() == pytest.approx(math.log(2))
    out.backward()
    np.testing.assert_allclose(q.grad, [0.0, -2.0, -2.0])


def test_zero_q_where_p_positive_is_inf_with_a_warning():
    with pytest.warns(RuntimeWarning, match="q is 0 where p > 0 at 1 position"):
        out = kl_divergence(np.array([0.5, 0.5]), np.array([1.0, 0.0]))
    assert out.item() == math.inf
    with pytest.warns(RuntimeWarning, match="infinite"):
        assert cross_entropy(np.array([0.5, 0.5]), np.array([1.0, 0.0])).item() == math.inf


def test_kl_gradient_with_respect_to_p():
    # dKL/dp = log(p/q) + 1, checked by hand at p = [0.2, 0.8], q = [0.5, 0.5]
    _, grad = value_and_grad(kl_divergence, np.array([0.2, 0.8]), np.array([0.5, 0.5]))
    np.testing.assert_allclose(grad, [math.log(0.4) + 1, math.log(1.6) + 1], rtol=1e-14)


def test_kl_batch_reduction_and_rows():
    p = np.array([[0.5, 0.5], [0.9, 0.1]])
    q = np.array([[0.5, 0.5], [0.5, 0.5]])
    row1 = 0.9 * math.log(1.8) + 0.1 * math.log(0.2)
    np.testing.assert_allclose(kl_divergence(p, q, reduction="none").data, [0.0, row1], atol=1e-15)
    assert kl_divergence(p, q).item() == pytest.approx(row1 / 2)
    assert kl_divergence(p, q, reduction="sum").item() == pytest.approx(row1)


def test_cross_entropy_is_entropy_plus_kl_and_matches_torch(rng, torch_value_and_grads):
    p = rng.dirichlet(np.ones(6), size=3)
    q = rng.dirichlet(np.ones(6), size=3)
    entropy = -(p * np.log(p)).sum(axis=1)
    np.testing.assert_allclose(cross_entropy(p, q, reduction="none").data,
                               entropy + kl_divergence(p, q, reduction="none").data, rtol=1e-12)
    # torch's cross_entropy takes logits; log q are logits whose softmax is q
    expected, grads = torch_value_and_grads(
        lambda a, b: F.cross_entropy(b.log(), a, reduction="none"), p, q)
    loss, grad_q = value_and_grad(lambda b, a: cross_entropy(a, b, reduction="none"), q, p)
    np.testing.assert_allclose(loss, expected, rtol=1e-12)
    np.testing.assert_allclose(grad_q, -p / q, rtol=1e-13)  # dH/dq = -p/q (hand formula)
    _, grad_p = value_and_grad(cross_entropy, p, q, reduction="none")
    np.testing.assert_allclose(grad_p, -np.log(q), rtol=1e-13)
    np.testing.assert_allclose(grad_p, grads[0], rtol=1e-12)


@pytest.mark.parametrize("loss", [kl_divergence, cross_entropy], ids=lambda f: f.__name__)
@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_gradcheck_float64(rng, loss, reduction, assert_gradcheck):
    p = gc.tensor(rng.dirichlet(np.ones(4), size=3), requires_grad=True)
    q = gc.tensor(rng.dirichlet(np.ones(4), size=3), requires_grad=True)
    assert_gradcheck(lambda a, b: loss(a, b, reduction=reduction), p, q)


def test_float32_softmax_outputs_are_accepted(rng):
    logits = gc.tensor(rng.standard_normal((4, 1000)).astype(np.float32), requires_grad=True)
    q = gc.functional.softmax(logits)
    p = rng.dirichlet(np.ones(1000), size=4).astype(np.float32)
    out = kl_divergence(p, q)
    out.backward()
    assert out.dtype == np.float32 and np.isfinite(out.item()) and np.all(np.isfinite(logits.grad))


def test_unnormalised_counts_are_refused():
    counts = np.array([1.0, 6, 12, 5, 2, 8, 12, 4])
    with pytest.raises(ValueError, match=r"p must sum to 1 over the last axis, got sums from 50 to 50"):
        kl_divergence(counts, Q)


def test_negative_probabilities_are_refused():
    with pytest.raises(ValueError, match="q must be non-negative"):
        kl_divergence(np.array([0.5, 0.5]), np.array([1.5, -0.5]))


def test_shapes_must_match():
    with pytest.raises(ValueError, match=r"q must have the shape of the input \(2, 3\), got \(3,\)"):
        kl_divergence(np.full((2, 3), 1 / 3), np.full(3, 1 / 3))


def test_cross_entropy_with_class_labels_points_to_softmax_cross_entropy():
    with pytest.raises(ValueError, match="softmax_cross_entropy"):
        cross_entropy(np.zeros((2, 3)), np.array([0, 2]))
