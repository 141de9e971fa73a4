"""sigmoid, kl, distance, batchnorm, gradient-signs, prox: the seeds' numbers by hand and PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gradcraft import explain


# ------------------------------------------------------------------ sigmoid
def test_sigmoid_homework_seed():
    # homework 004 (1c, 1d), rounded to 2 decimals: S(+-100) = 1.00/0.00, S(+-10) = 1.00/0.00,
    # S(0) = 0.5; S'(0) = e^0 / (1 + e^0)^2 = 0.25 and S'(+-10), S'(+-100) = 0.00 (saturated)
    r = explain.sigmoid()
    np.testing.assert_array_equal(r["x"], [-100, -10, 0, 10, 100])
    np.testing.assert_array_equal(np.round(r["S(x)"], 2), [0.0, 0.0, 0.5, 1.0, 1.0])
    np.testing.assert_array_equal(np.round(r["S'(x)"], 2), [0.0, 0.0, 0.25, 0.0, 0.0])
    # S'(10) = e^-10 / (1 + e^-10)^2 = 4.53958e-05 exactly, not just "0.00"
    assert r["S'(x)"][3] == pytest.approx(math.exp(-10) / (1 + math.exp(-10)) ** 2, rel=1e-12)
    np.testing.assert_array_equal(r["saturated"], [True, True, False, True, True])
    np.testing.assert_allclose(r["odds"], np.exp([-100.0, -10, 0, 10, 100]), rtol=1e-12)
    np.testing.assert_allclose(r["logit"], [-100, -10, 0, 10, 100], atol=1e-9)


def test_sigmoid_matches_torch():
    points = [-7.0, -1.5, 0.0, 0.3, 4.0]
    t = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    torch.sigmoid(t).sum().backward()
    r = explain.sigmoid(points)
    np.testing.assert_allclose(r["S(x)"], torch.sigmoid(t).detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(r["S'(x)"], t.grad.numpy(), rtol=1e-12)
    np.testing.assert_array_equal(r["saturated"], [True, False, False, False, False])  # S'(-7) = 9.1e-4


def test_sigmoid_derivative_stays_exact_in_the_far_tail():
    # S'(100) = S'(-100) = e^-100 / (1 + e^-100)^2 = 3.72e-44 (S(1 - S) would round to 0)
    r = explain.sigmoid([100.0])
    assert r["S'(x)"][0] == pytest.approx(math.exp(-100), rel=1e-12)


def test_sigmoid_logit_gives_back_x_beyond_the_float64_range_of_the_odds():
    # e^1000 overflows and e^-1000 underflows in float64 (max ~1.8e308, i.e. e^709.8), but
    # logit(S(x)) = x still holds: no inf, no "divide by zero" warning
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = explain.sigmoid([-1000.0, -800.0, 1000.0])
    np.testing.assert_array_equal(r["logit"], [-1000.0, -800.0, 1000.0])
    np.testing.assert_array_equal(r["S(x)"], [0.0, 0.0, 1.0])


# ------------------------------------------------------------------ kl
P_COUNTS = [1, 6, 12, 5, 2, 8, 12, 4]    # homework 004, 3a; both sum to 50
Q_COUNTS = [1, 3, 6, 8, 15, 10, 5, 2]


def test_kl_homework_seed():
    # p = counts / 50 = [.02 .12 .24 .10 .04 .16 .24 .08], q = [.02 .06 .12 .16 .30 .20 .10 .04]
    # KL(p||q) = .12 ln2 + .24 ln2 + .10 ln(5/8) + .04 ln(2/15) + .16 ln(.8) + .24 ln(2.4) + .08 ln2
    #          = 0.0832 + 0.1664 - 0.0470 - 0.0806 - 0.0357 + 0.2101 + 0.0555 = 0.352
    # KL(q||p) = 0.484 (the homework's answers, 3 decimals)
    r = explain.kl(P_COUNTS, Q_COUNTS)
    np.testing.assert_allclose(r["p"], np.array(P_COUNTS) / 50, rtol=1e-12)
    np.testing.assert_allclose(r["q"], np.array(Q_COUNTS) / 50, rtol=1e-12)
    assert round(r["KL(p||q)"], 3) == 0.352
    assert round(r["KL(q||p)"], 3) == 0.484
    assert "counts / 50" in r.step("p").note


def test_kl_values_and_gradients_match_torch():
    p = torch.tensor(P_COUNTS, dtype=torch.float64) / 50
    q = (torch.tensor(Q_COUNTS, dtype=torch.float64) / 50).requires_grad_()
    forward = F.kl_div(q.log(), p, reduction="sum")  # KL(p||q)
    forward.backward()
    grad_forward = q.grad.clone()
    q.grad = None
    backward = (q * (q.log() - p.log())).sum()  # KL(q||p)
    backward.backward()
    r = explain.kl(P_COUNTS, Q_COUNTS)
    assert r["KL(p||q)"] == pytest.approx(forward.item(), rel=1e-12)
    assert r["KL(q||p)"] == pytest.approx(backward.item(), rel=1e-12)
    np.testing.assert_allclose(r["dKL(p||q)/dq"], grad_forward.numpy(), rtol=1e-12)  # -p/q
    np.testing.assert_allclose(r["dKL(q||p)/dq"], q.grad.numpy(), rtol=1e-12)         # log(q/p) + 1


def test_kl_accepts_probabilities_as_given():
    r = explain.kl([0.5, 0.5], [0.25, 0.75])
    # KL(p||q) = .5 ln(.5/.25) + .5 ln(.5/.75) = .5 ln 2 + .5 ln(2/3) = .5 ln(4/3) = 0.143841
    assert r["KL(p||q)"] == pytest.approx(0.5 * math.log(4 / 3), rel=1e-12)
    assert r.step("p").note == ""


@pytest.mark.parametrize("p, q, message", [
    ([1, 2], [1, 2, 3], "same length"),
    ([1, -2], [1, 2], "non-negative"),
    ([0, 0], [1, 2], "positive total"),
    # zeros are valid (0 log 0 = 0, an infinite direction is reported as inf): see test_audit_fixes
    # 1e308 + 1e308 overflows: say so, rather than "p[0] is 0" (inf total -> p = 0)
    ([1e308, 1e308], [1, 1], "p's total overflows float64 (max 1e+308)"),
])
def test_kl_bad_input(p, q, message):
    with pytest.raises(ValueError) as error:
        explain.kl(p, q)
    assert message in str(error.value)


# ------------------------------------------------------------------ distance
def test_distance_exam_identity_for_unit_vectors():
    # exam 3.2: for unit vectors D_E = sqrt(2 - 2 D_C). x = (0.6, 0.8), y = (0, 1):
    # D_C = 0.8, D_E = sqrt(0.36 + 0.04) = sqrt(0.4) = 0.63246 = sqrt(2 - 1.6)
    r = explain.distance([0.6, 0.8], [0.0, 1.0])
    assert r["unit vectors"] is True
    assert r["D_C"] == pytest.approx(0.8, rel=1e-12)
    assert r["D_E"] == pytest.approx(math.sqrt(0.4), rel=1e-12)
    assert r["sqrt(2 - 2 D_C)"] == pytest.approx(math.sqrt(0.4), rel=1e-12)
    assert r["identity holds"] is True


def test_distance_non_unit_vectors_check_identity_after_normalising():
    x, y = [3.0, 4.0, 0.0], [1.0, 1.0, 1.0]
    r = explain.distance(x, y)
    tx, ty = torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    assert r["D_E"] == pytest.approx(torch.dist(tx, ty).item(), rel=1e-12)
    assert r["D_C"] == pytest.approx(F.cosine_similarity(tx, ty, dim=0).item(), rel=1e-12)
    assert r["unit vectors"] is False
    assert r["D_E(x/|x|, y/|y|)"] == pytest.approx(torch.dist(tx / 5, ty / math.sqrt(3)).item(), rel=1e-12)
    assert r["identity holds"] is True


@pytest.mark.parametrize("x, y, message", [
    ([1.0, 2.0], [1.0, 2.0, 3.0], "same length"),
    ([0.0, 0.0], [1.0, 2.0], "zero vector"),
    # (1e-200)^2 = 1e-400 underflows to 0: not the zero vector, a norm float64 cannot hold
    ([1e-200, 1e-200], [1.0, 0.0], "x's norm underflows float64 (largest entry 1e-200)"),
    # (1e200)^2 = 1e400 overflows: an error, not an inf norm and a NaN cosine behind warnings
    ([1e200, 1e200], [1.0, 0.0], "the numbers are too large for float64 (overflow"),
])
def test_distance_bad_input(x, y, message):
    with pytest.raises(ValueError) as error:
        explain.distance(x, y)
    assert message in str(error.value)


# ------------------------------------------------------------------ batchnorm
def test_batchnorm_by_hand():
    # x = [1, 2, 3, 6]: mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5, unbiased 14/3 = 4.667
    r = explain.batchnorm([1.0, 2.0, 3.0, 6.0], eps=1e-5)
    assert r["mean"] == 3.0 and r["variance"] == 3.5
    np.testing.assert_allclose(r["x_hat"], (np.array([1, 2, 3, 6]) - 3) / math.sqrt(3.5 + 1e-5), rtol=1e-12)
    assert r["unbiased variance"] == pytest.approx(14 / 3, rel=1e-12)
    assert r["running_mean"] == pytest.approx(0.3) and r["running_var"] == pytest.approx(0.9 + 1.4 / 3)


def test_batchnorm_matches_torch():
    x = np.array([[1.0, 2.0], [3.0, 0.0], [5.0, 1.5], [0.5, -1.0]])
    gamma, beta = np.array([2.0, 0.5]), np.array([0.0, 1.0])
    tx = torch.tensor(x, requires_grad=True)
    running_mean, running_var = torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    y = F.batch_norm(tx, running_mean, running_var, torch.tensor(gamma), torch.tensor(beta), training=True,
                     momentum=0.1, eps=1e-5)
    (y * torch.arange(1, 5, dtype=torch.float64)[:, None]).sum().backward()  # the topic's L = sum n y_n
    r = explain.batchnorm(x, gamma, beta)
    np.testing.assert_allclose(r["y"], y.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(r["dL/dx"], tx.grad.numpy(), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(r["running_mean"], running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(r["running_var"], running_var.numpy(), rtol=1e-12)


def test_batchnorm_batch_of_one_exam_seed():
    # exam 3.3: batch size 1 breaks training (no batch statistics): x - mean = 0, so y = beta
    # whatever x is, and no gradient reaches x. PyTorch refuses the same batch in training.
    r = explain.batchnorm([[4.0, -2.0]], gamma=[3.0, 1.0], beta=[0.5, -1.0])
    np.testing.assert_array_equal(r["y"], [[0.5, -1.0]])
    np.testing.assert_array_equal(r["dL/dx"], [[0.0, 0.0]])
    assert r["unbiased variance"] == "undefined"
    assert "training" in r.summary and "test time" in r.summary
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        F.batch_norm(torch.tensor([[4.0, -2.0]]), None, None, training=True)


@pytest.mark.parametrize("kwargs, message", [
    (dict(x=[1.0, 2.0], gamma=[1.0, 2.0, 3.0]), "gamma must be one number or one per feature (1)"),
    (dict(x=[[1.0, 2.0], [3.0]]), "rows of equal length"),
    (dict(x=[1.0, 2.0], eps=0), "eps must be > 0"),
])
def test_batchnorm_bad_input(kwargs, message):
    with pytest.raises(ValueError) as error:
        explain.batchnorm(**kwargs)
    assert message in str(error.value)


# ------------------------------------------------------------------ gradient signs
def _torch_w1_grad(W1, W2, x, label, loss):
    w1 = torch.tensor(W1, dtype=torch.float64, requires_grad=True)
    s = torch.tensor(W2, dtype=torch.float64) @ torch.relu(w1 @ torch.tensor(x, dtype=torch.float64))
    if loss == "softmax":
        value = F.cross_entropy(s[None], torch.tensor([label]))
    else:
        terms = torch.clamp(s - s[label] + 1, min=0)
        value = terms.sum() - terms[label]
    value.backward()
    return w1.grad.numpy()


def test_gradient_signs_by_hand():
    # a = W1 x = [2 - 1, 1 + 0, -2 + 0] = [1, 1, -2] -> h = [1, 1, 0]; s = W2 h = [1, 1, 0]
    # hinge, label 1: terms max(0, 1 - 1 + 1) = 1 (class 0), max(0, 0 - 1 + 1) = 0 -> dL/ds = [1, -1, 0]
    # W2^T dL/ds = [1, -1, -2], masked by h > 0 -> delta = [1, -1, 0]; dL/dW1 = delta x^T
    W1, W2, x = [[1, -1, 0], [0, 1, 1], [-1, 0, 1]], [[1, 0, -1], [0, 1, 1], [-1, 1, 0]], [2, 1, 0]
    r = explain.gradient_signs(W1, W2, x, 1)
    np.testing.assert_array_equal(r["scores"], [1, 1, 0])
    assert r["prediction"] == "tie: class 0, class 1"
    assert r["hinge loss"] == 1.0
    np.testing.assert_array_equal(r["hinge dL/dW1"], [[2, 1, 0], [-2, -1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(r["hinge sign(dL/dW1)"], [["+", "+", "0"], ["-", "-", "0"], ["0", "0", "0"]])
    np.testing.assert_allclose(r["softmax dL/dW1"], _torch_w1_grad(W1, W2, x, 1, "softmax"), atol=1e-12)
    assert "row 2 is 0" in r.summary and "column 2 is 0" in r.summary


def test_gradient_signs_zero_hinge_loss_exam_seed():
    # exam 3.5.3 (SVM part): when the true class beats every other by more than the margin the
    # hinge loss is 0, so every entry of dL/dW1 is 0, while softmax still has nonzero entries.
    W1, W2, x = [[1.0, 0.0], [0.0, 1.0]], [[3.0, 0.0], [0.0, 3.0]], [1.0, 0.0]
    r = explain.gradient_signs(W1, W2, x, 0)  # scores [3, 0]: margin 3 > 1
    assert r["hinge loss"] == 0.0
    assert (r["hinge sign(dL/dW1)"] == "0").all()
    np.testing.assert_allclose(r["softmax dL/dW1"], _torch_w1_grad(W1, W2, x, 0, "softmax"), atol=1e-12)
    np.testing.assert_array_equal(r["softmax sign(dL/dW1)"], [["-", "0"], ["0", "0"]])


def test_gradient_signs_match_torch_on_a_random_net():
    rng = np.random.default_rng(5)
    W1, W2, x = rng.standard_normal((4, 3)), rng.standard_normal((3, 4)), rng.standard_normal(3)
    r = explain.gradient_signs(W1, W2, x, 2)
    for loss in ("hinge", "softmax"):
        expected = _torch_w1_grad(W1, W2, x, 2, loss)
        np.testing.assert_allclose(r[f"{loss} dL/dW1"], expected, atol=1e-12)
        np.testing.assert_array_equal(r[f"{loss} sign(dL/dW1)"],
                                      np.where(expected > 1e-12, "+", np.where(expected < -1e-12, "-", "0")))


@pytest.mark.parametrize("args, message", [
    (([[1.0, 2.0]], [[1.0], [2.0]], [1.0, 2.0, 3.0], 0), "x must have one entry per column of W1 (2)"),
    (([[1.0, 2.0]], [[1.0, 2.0], [0.0, 1.0]], [1.0, 2.0], 0), "W2 must have one column per row of W1"),
    (([[1.0, 2.0]], [[1.0], [2.0]], [1.0, 2.0], 2), "label must be in [0, 2)"),
    # W2 relu(W1 x) = [1e200 * 1e200, 1] overflows: an error, not a NaN softmax loss
    (([[1e200, 0.0], [0.0, 1.0]], [[1e200, 0.0], [0.0, 1.0]], [1.0, 1.0], 1),
     "the scores W2 relu(W1 x) overflow float64: got [inf, 1.0]"),
])
def test_gradient_signs_bad_input(args, message):
    with pytest.raises(ValueError) as error:
        explain.gradient_signs(*args)
    assert message in str(error.value)


# ------------------------------------------------------------------ prox
def test_prox_by_hand_and_torch_softshrink():
    # t = 1: 3 -> 3 - 1 = 2; -0.5 -> 0 (|x| <= t); 1 -> 0 (on the threshold); -2.5 -> -2.5 + 1 = -1.5
    x = [3.0, -0.5, 1.0, -2.5]
    r = explain.prox(x, 1.0)
    np.testing.assert_array_equal(r["prox_t(x)"], [2.0, 0.0, 0.0, -1.5])
    np.testing.assert_array_equal(r["prox_t(x)"], F.softshrink(torch.tensor(x, dtype=torch.float64), 1.0).numpy())
    assert r.step("z_0").note_text() == "x > t: x - t = 3 - 1"
    assert r.step("z_2").note_text() == "|x| = 1 <= t: 0"
    assert r.step("z_3").note_text() == "x < -t: x + t = -2.5 + 1"
    assert r.summary.startswith("2 of 4 components set to 0")


def test_prox_bad_threshold():
    with pytest.raises(ValueError, match="t must be >= 0, got -1"):
        explain.prox([1.0], -1)
