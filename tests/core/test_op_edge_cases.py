"""Edge cases of ops found by comparing with PyTorch 2.13 in float64: integer dropout, var/std
without degrees of freedom, clip with Tensor bounds, max-pooling windows of -inf or NaN next to
padding, empty indices and empty batches, silent inf/nan outside an op's domain, and the
gradcheck report when atol hides a relative error.

Expected values come from PyTorch or NumPy run here, or from arithmetic written into the test.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import gradcraft as gc
from gradcraft.autograd import Function

F = gc.functional


def _leaf(values, dtype=np.float64):
    return gc.tensor(np.array(values, dtype=dtype), requires_grad=True)


def _torch_leaf(values):
    return torch.tensor(np.array(values, dtype=np.float64), requires_grad=True)


# ----------------------------------------------------------------------------- 1. dropout
def test_dropout_refuses_an_integer_tensor_naming_its_dtype():
    with pytest.raises(RuntimeError):  # PyTorch refuses it too
        TF.dropout(torch.tensor([1, 2, 3, 4]), 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # before the fix: inf/nan and RuntimeWarnings
        with pytest.raises(TypeError, match=r"dropout: input must be a floating-point.*int64"):
            F.dropout(gc.tensor(np.array([1, 2, 3, 4], dtype=np.int64)), 0.5, rng=1)
        with pytest.raises(TypeError, match=r"floating-point.*bool"):
            F.dropout(gc.tensor(np.array([True, False])), 0.5, rng=1)


@pytest.mark.parametrize("p", ["0.5", None, True, [0.5]])
def test_dropout_p_must_be_a_number(p):
    with pytest.raises(TypeError, match=r"dropout probability p must be a real number, got " + re.escape(repr(p))):
        F.dropout(gc.tensor([1.0, 2.0]), p)


def test_dropout_still_scales_float_survivors_and_accepts_numpy_p():
    x = gc.tensor(np.arange(1.0, 101.0))
    out = F.dropout(x, np.float64(0.5), rng=1).data
    kept = out != 0
    assert 0 < kept.sum() < 100
    np.testing.assert_array_equal(out[kept], 2 * x.data[kept])  # 1 / (1 - 0.5) = 2


# ----------------------------------------------------------------------------- 2. var/std, ddof >= n
def test_var_with_ddof_beyond_n_is_numpys_inf_not_negative():
    values = np.array([1.0, 2.0, 4.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for ddof in (3, 5):
            expected = np.var(values, ddof=ddof)
            assert expected == np.inf
            assert gc.tensor(values).var(ddof=ddof).item() == expected
            assert gc.tensor(values).std(ddof=ddof).item() == np.std(values, ddof=ddof)
        rows = np.array([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]])
        np.testing.assert_array_equal(gc.var(gc.tensor(rows), axis=1, ddof=5).data,
                                      np.var(rows, axis=1, ddof=5))  # [inf, nan]


def test_var_without_degrees_of_freedom_warns_at_the_caller():
    with pytest.warns(RuntimeWarning, match=r"var: degrees of freedom n - ddof = 3 - 5 <= 0") as seen:
        gc.tensor(np.array([1.0, 2.0, 4.0])).var(ddof=5)
    assert seen[0].filename == __file__
    with pytest.warns(RuntimeWarning, match=r"std: degrees of freedom n - ddof = 1 - 1") as seen:
        gc.std(gc.tensor(np.array([2.0])), ddof=1)
    assert seen[0].filename == __file__


def _backward_both(gc_fn, torch_fn, values, upstream):
    x, t = _leaf(values), _torch_leaf(values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both libraries warn about the degrees of freedom
        out, ref = gc_fn(x), torch_fn(t)
        out.backward(np.array(upstream))
        ref.backward(torch.tensor(upstream, dtype=torch.float64))
    return out, ref, x.grad, t.grad.numpy()


@pytest.mark.parametrize("gc_fn, torch_fn, values, upstream", [
    # one element, ddof=1: std nan, gradient nan (before the fix: ZeroDivisionError)
    (lambda x: x.std(ddof=1), lambda t: t.std(correction=1), [2.0], 1.0),
    (lambda x: x.std(ddof=5), lambda t: t.std(correction=5), [1.0, 2.0, 4.0], 1.0),
    (lambda x: x.var(ddof=1), lambda t: t.var(correction=1), [2.0], 1.0),
    # along an axis with ddof = n: +-inf, and nan where the deviation is 0 (2/0 * (x - mean))
    (lambda x: gc.var(x, axis=1, ddof=3), lambda t: t.var(dim=1, correction=3),
     [[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]], [1.0, 1.0]),
    (lambda x: gc.std(x, axis=1, ddof=3), lambda t: t.std(dim=1, correction=3),
     [[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]], [1.0, 1.0]),
])
def test_var_std_without_degrees_of_freedom_match_torch(gc_fn, torch_fn, values, upstream):
    out, ref, grad, expected = _backward_both(gc_fn, torch_fn, values, upstream)
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    np.testing.assert_array_equal(grad, expected)


def test_var_full_reduction_without_degrees_of_freedom_gradient_is_signed_inf():
    # 2/0 * (x - mean) with mean 7/3: deviations -4/3, -1/3, 5/3 -> -inf, -inf, +inf. (PyTorch's
    # full reduction gives +inf everywhere, its reduction along an axis the signed infinities;
    # gradcraft uses the latter rule for both.)
    x = _leaf([1.0, 2.0, 4.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        x.var(ddof=5).backward()
    np.testing.assert_array_equal(x.grad, [-np.inf, -np.inf, np.inf])


def test_var_with_ddof_keeps_float32_and_ordinary_ddof_unchanged():
    x = _leaf([1.0, 2.0, 4.0], np.float32)
    v = x.var(ddof=1)  # sum of squared deviations 42/9 = 14/3, over 2: 7/3
    v.backward()
    assert v.dtype == np.float32 and x.grad.dtype == np.float32
    np.testing.assert_allclose(v.data, 7 / 3, rtol=1e-6)
    np.testing.assert_allclose(x.grad, [-4 / 3, -1 / 3, 5 / 3], rtol=1e-6)  # 2/2 * deviation


# ----------------------------------------------------------------------------- 3. clip with Tensor bounds
CLIP_CASES = [
    # x = [0, 1, 5]; x == low at 1 (tie: x keeps the gradient), x == high at 1 below
    ([1.0, 1.0, 1.0], None),
    (None, [1.0, 1.0, 1.0]),
    ([1.0, 1.0, 1.0], [2.0, 2.0, 2.0]),
    ([3.0, 0.0, 1.0], [1.0, 0.0, 2.0]),  # low > high, low == high
    ([0.5, 2.0, 6.0], [0.0, 1.0, 5.0]),  # every bound below the other: high wins
]


@pytest.mark.parametrize("low, high", CLIP_CASES)
def test_clip_with_tensor_bounds_gives_them_gradients_as_torch_clamp(low, high):
    values, upstream = [0.0, 1.0, 5.0], [1.0, 2.0, 3.0]
    x, t = _leaf(values), _torch_leaf(values)
    lo, tlo = (None, None) if low is None else (_leaf(low), _torch_leaf(low))
    hi, thi = (None, None) if high is None else (_leaf(high), _torch_leaf(high))
    out, ref = gc.clip(x, lo, hi), torch.clamp(t, tlo, thi)
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    out.backward(np.array(upstream))
    ref.backward(torch.tensor(upstream, dtype=torch.float64))
    for mine, theirs in ((x, t), (lo, tlo), (hi, thi)):
        if theirs is not None:
            assert mine.grad is not None
            np.testing.assert_array_equal(mine.grad, theirs.grad.numpy())


def test_clip_with_a_broadcast_tensor_bound_and_a_number_bound():
    rng = np.random.default_rng(0)
    values, low = rng.standard_normal((4, 3)), rng.standard_normal(3) * 0.5 - 0.2
    upstream = rng.standard_normal((4, 3))
    x, lo = _leaf(values), _leaf(low)
    out = gc.clip(x, lo, 0.7)  # torch.clamp takes two tensors or two numbers, not a mix
    t, tlo = _torch_leaf(values), _torch_leaf(low)
    ref = torch.clamp(t, tlo, torch.tensor(0.7, dtype=torch.float64))
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    out.backward(upstream)
    ref.backward(torch.tensor(upstream))
    assert lo.grad.shape == (3,)
    np.testing.assert_allclose(lo.grad, tlo.grad.numpy(), rtol=1e-12)
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


def test_clip_bounds_pass_gradcheck_and_keep_float32():
    x = _leaf([-1.3, -0.2, 0.4, 1.9])            # far from both bounds: no kink inside eps
    lo, hi = _leaf([-0.5, -0.5, 0.1, 0.1]), _leaf([1.0, 1.0, 1.0, 1.5])
    report = gc.gradcheck(lambda a, b, c: gc.clip(a, b, c), x, lo, hi)
    assert report, str(report)
    y = gc.clip(gc.tensor(np.array([0.1, 2.0], dtype=np.float32)), 0.5, 1.5)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.data, np.array([0.5, 1.5], dtype=np.float32))


# ----------------------------------------------------------------------------- 4. max_pool2d
@pytest.mark.parametrize("values, kernel, stride, padding", [
    ([[-np.inf, 1.0], [2.0, 3.0]], 2, 1, 1),           # a window of -inf next to padding
    ([[-np.inf, -np.inf], [-np.inf, -np.inf]], 2, 2, 1),  # every window all -inf
    ([[-np.inf, -np.inf, 0.0], [1.0, -np.inf, -np.inf], [-np.inf, 2.0, -np.inf]], 3, 1, 1),
    ([[np.nan, 1.0, np.nan, 0.0]], (1, 4), None, 0),    # NaN: the last NaN takes the gradient
    ([[2.0, np.nan], [np.nan, 5.0]], 2, 1, 1),          # NaN next to padding
])
def test_max_pool2d_routes_gradients_like_torch(values, kernel, stride, padding):
    values = np.array(values)[None, None]
    x, t = _leaf(values), _torch_leaf(values)
    out = F.max_pool2d(x, kernel, stride=stride, padding=padding)
    ref = TF.max_pool2d(t, kernel, stride=stride, padding=padding)
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    upstream = np.arange(1.0, out.data.size + 1).reshape(out.shape)
    out.backward(upstream)
    ref.backward(torch.tensor(upstream))
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


# ----------------------------------------------------------------------------- 5. empty index, empty batch
@pytest.mark.parametrize("index", [[], [[], []]])
def test_an_empty_list_index_selects_nothing_as_numpy(index):
    values = np.arange(12.0).reshape(3, 4)
    x = _leaf(values)
    out = x[index]
    expected = values[index]
    assert out.shape == expected.shape and out.dtype == expected.dtype
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros((3, 4)))
    assert gc.tensor(np.arange(5))[[]].shape == (0,)


def test_conv2d_and_pooling_of_an_empty_batch_match_torch():
    rng = np.random.default_rng(0)
    xs, ws, bs = np.zeros((0, 3, 5, 6)), rng.standard_normal((4, 3, 3, 2)), rng.standard_normal(4)
    x, w, b = _leaf(xs), _leaf(ws), _leaf(bs)
    t, tw, tb = _torch_leaf(xs), _torch_leaf(ws), _torch_leaf(bs)
    out = F.conv2d(x, w, b, stride=(2, 1), padding=1)
    ref = TF.conv2d(t, tw, tb, stride=(2, 1), padding=1)
    assert out.shape == tuple(ref.shape) == (0, 4, 3, 7)
    out.sum().backward()
    ref.sum().backward()
    for mine, theirs in ((x, t), (w, tw), (b, tb)):
        assert mine.grad.shape == mine.shape
        np.testing.assert_array_equal(mine.grad, theirs.grad.numpy())  # all zeros
    for ours, torchs in ((F.max_pool2d, TF.max_pool2d), (F.avg_pool2d, TF.avg_pool2d)):
        x = _leaf(xs)
        out = ours(x, 2, padding=1)
        assert out.shape == tuple(torchs(torch.tensor(xs), 2, padding=1).shape)
        out.sum().backward()
        assert x.grad.shape == xs.shape


# ----------------------------------------------------------------------------- 6. quiet inf/nan
@pytest.mark.parametrize("gc_fn, torch_fn, values", [
    (gc.log, torch.log, [0.0, -1.0, 2.0]),
    (gc.sqrt, torch.sqrt, [-1.0, 0.0, 4.0]),
    (lambda x: x ** -1.0, lambda t: t ** -1.0, [0.0, 2.0, -0.5]),
    (lambda x: x ** 0.5, lambda t: t ** 0.5, [-8.0, 0.0, 4.0]),
])
def test_values_outside_the_domain_are_torchs_and_silent(gc_fn, torch_fn, values):
    x, t = _leaf(values), _torch_leaf(values)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # before the fix: NumPy RuntimeWarnings from elementwise.py
        out = gc_fn(x)
        out.backward(np.ones(3))
    ref = torch_fn(t)
    ref.backward(torch.ones(3, dtype=torch.float64))
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


def test_zero_to_a_negative_tensor_power_is_silent_with_torchs_gradients():
    a, b = _leaf([0.0, 0.0, 2.0]), _leaf([-1.0, 2.0, -1.0])
    ta, tb = _torch_leaf([0.0, 0.0, 2.0]), _torch_leaf([-1.0, 2.0, -1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = a ** b
        out.backward(np.ones(3))
    ref = ta ** tb
    ref.backward(torch.ones(3, dtype=torch.float64))
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    np.testing.assert_array_equal(a.grad, ta.grad.numpy())
    np.testing.assert_array_equal(b.grad, tb.grad.numpy())


# ----------------------------------------------------------------------------- 7. gradcheck report
class _TinyAndTwiceTooLarge(Function):
    """f(a) = 1e-6 a^2 / 2, so f'(a) = 1e-6 a; backward returns 2e-6 a."""

    def forward(self, a):
        self.a = a
        return 1e-6 * a * a / 2

    def backward(self, grad):
        return grad * 2e-6 * self.a


class _TinyAndRight(_TinyAndTwiceTooLarge):
    def backward(self, grad):
        return grad * 1e-6 * self.a


def test_gradcheck_flags_a_pass_that_only_atol_allowed():
    # upstream (seed 0) ~ [0.126, -0.132, 0.640]: errors 1e-6 * |u| x ~ [1.3e-7, 2.6e-7, 1.9e-6],
    # all below atol = 1e-5 yet above the noise floor atol/100
    x = _leaf([1.0, 2.0, 3.0])
    report = gc.gradcheck(_TinyAndTwiceTooLarge.apply, x)
    assert report  # |error| ~1e-6 <= atol = 1e-5: the rule (numpy/torch's) passes it
    assert report.passed_by_atol_only
    assert report.max_rel_error == pytest.approx(0.5, rel=1e-4)  # (2 - 1) / 2
    text = str(report)
    assert text.startswith("gradient check PASSED (within atol; relative error is large: "
                           "gradients are tiny)")
    assert "3 of 3 elements agree only within atol" in text


def test_gradcheck_does_not_flag_right_gradients():
    report = gc.gradcheck(_TinyAndRight.apply, _leaf([1.0, -0.5, 2.0]))
    assert report and not report.passed_by_atol_only
    assert "PASSED:" in str(report) and "all 3 elements agree" in str(report)
    # exact zeros against finite-difference noise (relu's flat side) are not flagged either
    report = gc.gradcheck(lambda v: gc.relu(v) * 3.0, _leaf([-1.0, -0.3, 0.8]))
    assert report and not report.passed_by_atol_only


def test_gradcheck_failure_is_not_flagged_as_within_atol():
    report = gc.gradcheck(_TinyAndTwiceTooLarge.apply, _leaf([1.0, 2.0]), atol=1e-9)
    assert not report and not report.passed_by_atol_only
    assert str(report).startswith("gradient check FAILED:")
