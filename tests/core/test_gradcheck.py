"""Gradient checking as a user feature: numerical_gradient, check_gradient (a hand-derived
gradient) and gradcheck (gradcraft's autograd), and their reports."""

from __future__ import annotations

import numpy as np
import pytest

import gradcraft as gc
from gradcraft.autograd import Function


# ----------------------------------------------------------------------------- numerical_gradient
def test_numerical_gradient_of_known_functions():
    x = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(gc.numerical_gradient(lambda v: np.sum(v**3), x), 3 * x**2, rtol=1e-8)
    y = np.array([[2.0, 3.0]])
    np.testing.assert_allclose(gc.numerical_gradient(lambda v: v[0, 0] * v[0, 1], y), [[3.0, 2.0]],
                               rtol=1e-8)


def test_numerical_gradient_leaves_x_alone_and_works_in_float64():
    x = np.array([1.0, 2.0], dtype=np.float32)
    seen = []
    grad = gc.numerical_gradient(lambda v: seen.append(v.dtype) or float(np.sum(v**2)), x)
    assert set(seen) == {np.dtype(np.float64)}
    np.testing.assert_array_equal(x, np.array([1.0, 2.0], dtype=np.float32))
    np.testing.assert_allclose(grad, [2.0, 4.0], rtol=1e-8)


def test_numerical_gradient_accepts_a_tensor_valued_function():
    grad = gc.numerical_gradient(lambda v: gc.tensor(v).sum() * 2.0, np.zeros(3))
    np.testing.assert_allclose(grad, [2.0, 2.0, 2.0], rtol=1e-6)


def test_numerical_gradient_needs_a_scalar_function():
    with pytest.raises(ValueError, match=r"scalar.*\(2,\)"):
        gc.numerical_gradient(lambda v: v * 2, np.ones(2))


# ----------------------------------------------------------------------------- check_gradient
# Softmax regression of homework 003: yhat = softmax(W x + b), l = -sum_i y_i log yhat_i.
RNG = np.random.default_rng(0)
X = RNG.standard_normal(4)                # d = 4
B = RNG.standard_normal(3)                # k = 3
Y = np.array([0.0, 1.0, 0.0])             # one-hot label
W0 = RNG.standard_normal((3, 4))


def _softmax(a):
    e = np.exp(a - a.max())
    return e / e.sum()


def _loss(W):
    return -np.sum(Y * np.log(_softmax(W @ X + B)))


def _correct_grad(W):
    return np.outer(_softmax(W @ X + B) - Y, X)          # dl/dW_ij = (yhat_i - y_i) x_j


def _homework_grad(W):
    yhat = _softmax(W @ X + B)
    return -np.outer(Y * (1 - yhat), X)                   # the write-up's (13): -x_j y_i (1 - yhat_i)


def test_a_correct_hand_gradient_passes():
    report = gc.check_gradient(_loss, _correct_grad, W0)
    assert report and report.passed
    assert report.max_abs_error < 1e-8 and report.max_rel_error < 1e-6
    assert "PASSED" in str(report)


def test_the_homework_softmax_gradient_fails():
    report = gc.check_gradient(_loss, _homework_grad, W0)
    assert not report and report.passed is False
    assert report.max_abs_error > 0.01
    text = str(report)
    assert "FAILED" in text and "max abs error" in text
    # the rows of the wrong classes are where it differs (it gives 0 there, the truth yhat_i x_j)
    assert "8 of 12 elements differ" in text


def test_report_fields_and_bool():
    # analytic 2.01, numerical 2: error 0.01 > atol + rtol * 2 = 0.00201
    report = gc.check_gradient(lambda v: np.sum(v**2), lambda v: 2 * v + 1e-2, np.ones(3))
    assert isinstance(report.passed, bool)
    assert report.passed is False and bool(report) is False
    assert report.max_abs_error == pytest.approx(1e-2, rel=1e-4)
    assert report.max_rel_error == pytest.approx(1e-2 / 2.01, rel=1e-4)
    assert report.atol == 1e-5 and report.rtol == 1e-3
    assert isinstance(report, gc.GradientReport)


def test_a_nan_gradient_fails_and_shows_as_nan():
    report = gc.check_gradient(lambda v: np.sum(v**2), lambda v: np.where(v > 1.5, np.nan, 2 * v),
                               np.array([1.0, 2.0]))
    assert not report
    assert np.isnan(report.max_abs_error) and np.isnan(report.max_rel_error)
    assert "1 of 2 elements differ" in str(report) and "nan" in str(report)


def test_tolerances_are_respected():
    f, wrong = (lambda v: np.sum(v**2)), (lambda v: 2 * v * (1 + 1e-4))
    assert gc.check_gradient(f, wrong, np.ones(3))                  # within rtol=1e-3
    assert not gc.check_gradient(f, wrong, np.ones(3), rtol=1e-6, atol=1e-8)


def test_check_gradient_rejects_a_gradient_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"\(3,\).*\(1, 3\)"):
        gc.check_gradient(lambda v: np.sum(v), lambda v: v.reshape(1, 3), np.ones(3))


# ----------------------------------------------------------------------------- gradcheck
def test_gradcheck_of_a_composite_function_passes():
    x = gc.tensor(np.random.default_rng(1).standard_normal((3, 4)), requires_grad=True)
    w = gc.tensor(np.random.default_rng(2).standard_normal((4, 2)), requires_grad=True)
    report = gc.gradcheck(lambda a, b: gc.tanh(a @ b).sum(axis=0) * 3.0, x, w)
    assert report.passed and report
    assert "input 0" in str(report) and "input 1" in str(report)


class _WrongSin(Function):
    def forward(self, a):
        self.a = a
        return np.sin(a)

    def backward(self, grad):
        return -grad * np.cos(self.a)        # the sign is wrong


class _SoftmaxWithZeroGradient(Function):
    def forward(self, a):
        e = np.exp(a - a.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def backward(self, grad):
        return np.zeros_like(grad)           # right only for an upstream gradient of all ones


def test_gradcheck_catches_a_wrong_backward():
    x = gc.tensor(np.linspace(-1, 1, 5), requires_grad=True)
    report = gc.gradcheck(_WrongSin.apply, x)
    assert not report
    assert "FAILED" in str(report)


def test_gradcheck_uses_a_random_upstream_gradient():
    # softmax rows sum to 1, so with an upstream of ones the true gradient is 0 too
    x = gc.tensor(np.random.default_rng(3).standard_normal((2, 3)), requires_grad=True)
    assert not gc.gradcheck(_SoftmaxWithZeroGradient.apply, x)
    assert gc.gradcheck(gc.functional.softmax, x)


def test_gradcheck_works_in_float64_and_leaves_inputs_alone():
    values = np.array([0.3, 0.7], dtype=np.float32)
    x = gc.tensor(values, requires_grad=True)
    seen = []

    def fn(t):
        seen.append(t.dtype)
        return gc.exp(t) * 2.0

    assert gc.gradcheck(fn, x)
    assert set(seen) == {np.dtype(np.float64)}
    assert x.dtype == np.float32 and x.grad is None
    np.testing.assert_array_equal(x.data, values)


def test_gradcheck_only_checks_inputs_that_require_grad():
    x = gc.tensor(np.array([1.0, 2.0]), requires_grad=True)
    c = gc.tensor(np.array([3.0, 4.0]))
    idx = np.array([1, 0])
    report = gc.gradcheck(lambda a, b, i: (a * b)[i], x, c, idx)
    assert report
    assert len(report.details) == 1


def test_gradcheck_options_change_the_verdict():
    x = gc.tensor(np.array([0.5, 1.5]), requires_grad=True)

    class _SlightlyOff(Function):
        def forward(self, a):
            return a**2

        def backward(self, grad):
            return grad * 2 * np.array([0.5, 1.5]) * (1 + 1e-4)

    assert gc.gradcheck(_SlightlyOff.apply, x)
    assert not gc.gradcheck(_SlightlyOff.apply, x, atol=1e-9, rtol=1e-7)
    assert gc.gradcheck(_SlightlyOff.apply, x, eps=1e-5)


def test_gradcheck_of_a_function_that_ignores_its_input():
    x = gc.tensor(np.ones(3), requires_grad=True)
    assert gc.gradcheck(lambda a: gc.tensor(np.full(2, 5.0)), x)
    # a detach hides a real dependence from autograd: finite differences see it
    assert not gc.gradcheck(lambda a: a.detach() * 2.0, x)


def test_gradcheck_bad_calls():
    with pytest.raises(ValueError, match="requires_grad"):
        gc.gradcheck(lambda a: a * 2, gc.tensor(np.ones(2)))
    with pytest.raises(TypeError, match="Tensor"):
        gc.gradcheck(lambda a: 1.0, gc.tensor(np.ones(2), requires_grad=True))


@pytest.mark.parametrize("call, error, message", [
    (lambda: gc.numerical_gradient(np.sum, np.ones(2), eps=0.0), ValueError, "eps must be > 0, got 0.0"),
    (lambda: gc.numerical_gradient(np.sum, np.ones(2), eps="1e-6"), TypeError, "eps must be a real number"),
    (lambda: gc.check_gradient(np.sum, np.ones_like, np.ones(2), atol=-1.0), ValueError,
     "atol must be >= 0, got -1.0"),
    (lambda: gc.gradcheck(gc.exp, gc.tensor(np.ones(2), requires_grad=True), rtol=None), TypeError,
     r"rtol must be a real number, got None \(NoneType\)"),
    (lambda: gc.gradcheck(gc.exp, gc.tensor(np.ones(2), requires_grad=True), seed=1.5), TypeError,
     r"seed must be an int, got 1.5 \(float\)"),
])
def test_gradient_check_arguments_follow_the_validation_policy(call, error, message):
    with pytest.raises(error, match=message):
        call()
