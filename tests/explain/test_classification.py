"""hinge, softmax, compare, linear: values checked by hand (the homework's worked examples) and
against PyTorch; the per-class terms must add up to the library's loss."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gradcraft import explain

CAT_DOG_BIRD = [3.0, -1.0, 4.0]  # homework 001: scores for cat, dog, bird; the true class is cat


def torch_hinge(scores, label, margin):
    s = torch.tensor(scores, dtype=torch.float64, requires_grad=True)
    terms = torch.clamp(s - s[label] + margin, min=0)
    loss = terms.sum() - terms[label]  # the j = y term (= margin) is not part of the sum
    loss.backward()
    return loss.item(), s.grad.numpy()


def torch_softmax(scores, label, margin=0.0):
    s = torch.tensor(scores, dtype=torch.float64, requires_grad=True)
    shifted = s - margin * F.one_hot(torch.tensor(label), len(scores)).double()
    loss = F.cross_entropy(shifted[None], torch.tensor([label]))
    loss.backward()
    return loss.item(), s.grad.numpy()


def test_hinge_homework_seed():
    # L = max(0, -1 - 3 + 1) + max(0, 4 - 3 + 1) = 0 + 2 = 2; gradient [-1, 0, +1]
    r = explain.hinge(CAT_DOG_BIRD, 0, classes=["cat", "dog", "bird"])
    assert r["loss"] == 2.0
    np.testing.assert_array_equal(r["dL/ds"], [-1.0, 0.0, 1.0])
    assert r["term 1 (dog)"] == 0.0 and r["term 2 (bird)"] == 2.0
    assert "= 2 > 0, so dL/ds_2 = +1" in r.step("term 2 (bird)").note_text()
    assert "<= 0" in r.step("term 1 (dog)").note_text()
    assert r["dL/ds_0 (cat)"] == -1.0


def test_hinge_margin_two_homework_seed():
    # Delta = 2: max(0, -1 - 3 + 2) + max(0, 4 - 3 + 2) = 0 + 3 = 3
    assert explain.hinge(CAT_DOG_BIRD, 0, margin=2)["loss"] == 3.0


def test_hinge_on_the_hinge_point_uses_subgradient_zero():
    # margin 4: dog's term is -1 - 3 + 4 = 0 exactly
    r = explain.hinge(CAT_DOG_BIRD, 0, margin=4)
    assert "hinge point" in r.step("term 1").note_text()
    np.testing.assert_array_equal(r["dL/ds"], [-1.0, 0.0, 1.0])
    assert r["loss"] == 5.0  # 0 + (4 - 3 + 4)


@pytest.mark.parametrize("scores, label, margin", [
    ([0.5, 2.0, -1.0, 1.9], 1, 1.0),
    ([0.0, 0.0, 0.0], 2, 0.5),
    ([10.0, -3.0, 2.0, 9.5, 1.0], 0, 1.0),
])
def test_hinge_matches_torch_and_terms_sum_to_loss(scores, label, margin):
    r = explain.hinge(scores, label, margin=margin)
    loss, grad = torch_hinge(scores, label, margin)
    assert r["loss"] == pytest.approx(loss, abs=1e-12)
    np.testing.assert_allclose(r["dL/ds"], grad, atol=1e-12)
    terms = [s.value for s in r.steps if s.name.startswith("term ")]
    assert sum(terms) == pytest.approx(r["loss"], abs=1e-12)


def test_softmax_homework_seed():
    # p = e^s / (e^3 + e^-1 + e^4) with e^3 = 20.0855, e^-1 = 0.3679, e^4 = 54.5982 (sum 75.0516)
    # p = [0.26762, 0.00490, 0.72747]; L = ln(75.0516) - s_cat = 4.31818 - 3 = 1.31818
    # (the write-up's 1.317 took the log of p rounded to 0.268)
    r = explain.softmax(CAT_DOG_BIRD, 0)
    np.testing.assert_allclose(r["p"], [0.26762, 0.0049016, 0.72747], atol=5e-5)
    assert r["loss"] == pytest.approx(1.31818, abs=1e-5)
    np.testing.assert_allclose(r["dL/ds"], [0.26762 - 1, 0.0049016, 0.72747], atol=5e-5)
    assert r.step("dL/ds_0").note_text().startswith("true class: p_0 - 1 = 0.2676 - 1")


def test_softmax_scaled_scores_homework_seed():
    # s = 2 [3, -1, 4] = [6, -2, 8]: L = log(1 + e^(-2-6) + e^(8-6)) = log(1 + 0.000335 + 7.389056)
    #   = log(8.389391) = 2.12697. (The write-up's 2.249 is an arithmetic slip.)
    r = explain.softmax([6.0, -2.0, 8.0], 0)
    assert r["loss"] == pytest.approx(2.12697, abs=1e-5)


@pytest.mark.parametrize("scores, label, margin", [
    ([1.0, 2.0, 3.0], 2, 0.0),
    ([-5.0, 0.3, 0.2, 7.0], 1, 0.0),
    ([3.0, -1.0, 4.0], 0, 1.0),  # smooth hinge: s_y lowered by the margin
])
def test_softmax_matches_torch(scores, label, margin):
    r = explain.softmax(scores, label, margin=margin)
    loss, grad = torch_softmax(scores, label, margin)
    assert r["loss"] == pytest.approx(loss, abs=1e-12)
    np.testing.assert_allclose(r["dL/ds"], grad, atol=1e-12)
    assert r["dL/ds"].sum() == pytest.approx(0.0, abs=1e-12)


def test_compare_homework_seed():
    # hinge 2 > softmax 1.31818 (see above); gradient L1 norms: hinge |[-1, 0, 1]| = 2, softmax 2 (1 - 0.26762) = 1.4648
    r = explain.compare(CAT_DOG_BIRD, 0)
    assert r["hinge loss"] == 2.0
    assert r["softmax loss"] == pytest.approx(1.31818, abs=1e-5)
    assert r["larger loss"] == "hinge"
    assert "margin" in r.step("larger loss").note
    assert r["|softmax dL/ds|_1"] == pytest.approx(2 * (1 - 0.26762), abs=1e-4)
    assert r["larger gradient"] == "hinge"
    np.testing.assert_array_equal(r["gaps s_j - s_y"], [-4.0, 1.0])


def test_compare_when_softmax_is_larger():
    # well classified: gaps -5, -6 are beyond the margin, hinge 0; softmax log(1 + e^-5 + e^-6) > 0
    r = explain.compare([5.0, 0.0, -1.0], 0)
    assert r["hinge loss"] == 0.0
    assert r["softmax loss"] == pytest.approx(math.log(1 + math.exp(-5) + math.exp(-6)), rel=1e-12)
    assert r["larger loss"] == "softmax" and r["larger gradient"] == "softmax"


HOMEWORK_W = [[0.01, -0.05, 0.1, 0.05], [0.7, 0.2, 0.05, 0.16], [0.0, -0.45, -0.2, 0.03]]
HOMEWORK_B = [0.0, 0.2, -0.3]
HOMEWORK_X = [-15.0, 22.0, -44.0, 56.0]


def test_linear_homework_seed():
    # s_0 = 0.01*(-15) - 0.05*22 + 0.1*(-44) + 0.05*56 + 0   = -0.15 - 1.1 - 4.4 + 2.8       = -2.85
    # s_1 = 0.7*(-15) + 0.2*22 + 0.05*(-44) + 0.16*56 + 0.2  = -10.5 + 4.4 - 2.2 + 8.96 + 0.2 = 0.86
    # s_2 = 0*(-15) - 0.45*22 - 0.2*(-44) + 0.03*56 - 0.3    = -9.9 + 8.8 + 1.68 - 0.3       = 0.28
    # The homework's one-hot y has 4 entries for 3 classes; its answers fit the third class (2):
    # hinge = max(0, -2.85 - 0.28 + 1) + max(0, 0.86 - 0.28 + 1) = 0 + 1.58 = 1.58
    # softmax = -ln(e^0.28 / (e^-2.85 + e^0.86 + e^0.28)) = -ln(1.3231 / 3.7441) = 1.0402
    r = explain.linear(HOMEWORK_W, HOMEWORK_B, HOMEWORK_X, 2)
    np.testing.assert_allclose(r["scores"], [-2.85, 0.86, 0.28], atol=1e-12)
    assert r["hinge loss"] == pytest.approx(1.58, abs=1e-12)
    assert r["softmax loss"] == pytest.approx(1.0402, abs=1e-4)
    assert "0.01*(-15)" in r.step("s_0").note_text()


def test_linear_gradients_match_torch():
    W = torch.tensor(HOMEWORK_W, dtype=torch.float64, requires_grad=True)
    x, b = torch.tensor(HOMEWORK_X, dtype=torch.float64), torch.tensor(HOMEWORK_B, dtype=torch.float64)
    F.cross_entropy((W @ x + b)[None], torch.tensor([2])).backward()
    r = explain.linear(HOMEWORK_W, HOMEWORK_B, HOMEWORK_X, 2)
    np.testing.assert_allclose(r["softmax dL/dW"], W.grad.numpy(), atol=1e-12)
    # hinge: only class 1 violates, so dL/ds = [0, 1, -1] and dL/dW = outer([0, 1, -1], x)
    np.testing.assert_allclose(r["hinge dL/dW"], np.outer([0, 1, -1], HOMEWORK_X), atol=1e-12)


@pytest.mark.parametrize("call, message", [
    (lambda: explain.hinge([1.0, 2.0], 2), "label must be in [0, 2)"),
    (lambda: explain.hinge([1.0], 0), "scores needs at least 2 numbers"),
    (lambda: explain.softmax([1.0, float("nan")], 0), "finite"),
    (lambda: explain.compare([1.0, 2.0, 3.0], 0, classes=["a", "b"]), "classes must name all 3"),
    (lambda: explain.linear([[1.0, 2.0], [3.0, 4.0]], [0.0], [1.0, 1.0], 0), "b must have one entry per row"),
    (lambda: explain.linear([[1.0, 2.0], [3.0, 4.0]], [0.0, 0.0], [1.0], 0), "x must have one entry per column"),
    # 1e308 - (-1e308) is beyond float64's 1.8e308: an error, not an inf loss and overflow warnings
    (lambda: explain.hinge([1e308, -1e308, 2.0], 1), "scores are too far apart for float64"),
    (lambda: explain.softmax([1e308, -1e308], 1), "scores are too far apart for float64"),
    (lambda: explain.compare([1e308, 1.0], 1, margin=1e308), "(max 1e+308, min 1, margin 1e+308)"),
    (lambda: explain.linear([[1e200, 1.0], [1.0, 1.0]], [0.0, 0.0], [1e200, 1.0], 0),
     "the scores W x + b overflow float64: got [inf, 1e+200]"),
])
def test_bad_input_names_the_problem(call, message):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no RuntimeWarning on the way to the error
        with pytest.raises(ValueError) as error:
            call()
    assert message in str(error.value)


def test_a_label_that_is_not_an_int_is_a_type_error():
    # gradcraft.validation's policy: a wrong type is a TypeError naming the argument (0.5 is not
    # a class index; 1.0 is refused too, as check_int refuses 2.0 for every count)
    with pytest.raises(TypeError, match=r"label must be an int, got 0\.5 \(float\)"):
        explain.hinge([1.0, 2.0], 0.5)
    with pytest.raises(TypeError, match=r"label must be an int, got 1\.0 \(float\)"):
        explain.softmax([1.0, 2.0], 1.0)


def test_softmax_loss_note_when_p_y_underflows():
    # scores [1000, 0], label 1: p_1 = 1 / (1 + e^1000) = e^-1000 is below float64's smallest
    # number (4.9e-324) and prints as 0, while L = log(1 + e^1000) = 1000 (torch agrees).
    r = explain.softmax([1000.0, 0.0], 1)
    expected = F.cross_entropy(torch.tensor([[1000.0, 0.0]], dtype=torch.float64), torch.tensor([1]))
    assert r["loss"] == pytest.approx(expected.item(), rel=1e-15) and r["loss"] == 1000.0
    assert "-log(0)" not in r.to_text()
    assert r.step("loss").note_text() == "-log p_y = log(sum_k e^{s_k}) - s_y; p_y = e^-L underflows to 0 in float64"
