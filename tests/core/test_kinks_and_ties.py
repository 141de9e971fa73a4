"""The documented conventions at points where a derivative does not exist, against PyTorch:
relu'(0) = 0, abs'(0) = 0, leaky_relu'(0) = slope, max/min ties share the gradient equally
(torch.amax/amin), maximum/minimum ties give half to each side, clip boundaries pass the
gradient (torch.clamp), pow's 0 * inf cases."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradcraft as gc


def _grads(gc_fn, torch_fn, *arrays):
    """Gradients of sum(fn(*arrays) * upstream) in both libraries (upstream 1, 2, 3, ...)."""
    xs = [gc.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]
    ts = [torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out, ref = gc_fn(*xs), torch_fn(*ts)
    np.testing.assert_allclose(out.data, ref.detach().numpy())
    upstream = np.arange(1.0, out.size + 1).reshape(out.shape)
    out.backward(upstream)
    ref.backward(torch.tensor(upstream))
    return [x.grad for x in xs], [t.grad.numpy() for t in ts]


def _assert_same(gc_fn, torch_fn, *arrays, expected=None):
    mine, ref = _grads(gc_fn, torch_fn, *arrays)
    for m, r in zip(mine, ref):
        np.testing.assert_array_equal(m, r)
    if expected is not None:
        for m, e in zip(mine, expected):
            np.testing.assert_array_equal(m, e)


KINK = np.array([-1.0, 0.0, 1.0])


def test_relu_derivative_at_zero_is_zero():
    _assert_same(gc.relu, torch.relu, KINK, expected=[[0.0, 0.0, 3.0]])


def test_abs_derivative_at_zero_is_zero():
    _assert_same(gc.abs, torch.abs, KINK, expected=[[-1.0, 0.0, 3.0]])


def test_leaky_relu_derivative_at_zero_is_the_slope():
    _assert_same(lambda x: gc.leaky_relu(x, 0.1), lambda x: torch.nn.functional.leaky_relu(x, 0.1),
                 KINK, expected=[[0.1, 0.2, 3.0]])


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_max_ties_share_the_gradient_like_amax(axis):
    values = np.array([[3.0, 1.0, 3.0], [2.0, 2.0, 2.0]])
    dim = tuple(range(2)) if axis is None else axis
    _assert_same(lambda x: x.max(axis=axis), lambda t: torch.amax(t, dim=dim), values)
    _assert_same(lambda x: x.min(axis=axis, keepdims=True),
                 lambda t: torch.amin(t, dim=dim, keepdim=True), values)


def test_max_tie_by_hand():
    x = gc.tensor(np.array([1.0, 3.0, 3.0]), requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.5, 0.5])


def test_maximum_and_minimum_ties_give_half_to_each_side():
    a, b = np.array([1.0, 3.0, 3.0]), np.array([2.0, 3.0, 1.0])
    _assert_same(gc.maximum, torch.maximum, a, b, expected=[[0.0, 1.0, 3.0], [1.0, 1.0, 0.0]])
    _assert_same(gc.minimum, torch.minimum, a, b, expected=[[1.0, 1.0, 0.0], [0.0, 1.0, 3.0]])


def test_maximum_ties_with_broadcasting():
    a, b = np.array([[0.0, 1.0], [1.0, 2.0]]), np.array([1.0])
    _assert_same(gc.maximum, torch.maximum, a, b)


def test_clip_boundaries_pass_the_gradient_like_clamp():
    values = np.array([-1.0, 0.0, 0.5, 1.0, 2.0])
    _assert_same(lambda x: x.clip(0.0, 1.0), lambda t: t.clamp(0.0, 1.0), values,
                 expected=[[0.0, 2.0, 3.0, 4.0, 0.0]])
    _assert_same(lambda x: x.clip(0.0, None), lambda t: t.clamp(min=0.0), values)
    _assert_same(lambda x: x.clip(None, 1.0), lambda t: t.clamp(max=1.0), values)


def test_pow_at_zero_base_and_zero_exponent_like_torch():
    base = np.array([0.0, 0.0, 0.0, 2.0, 2.0])
    exponent = np.array([0.0, 1.0, 2.0, 0.0, 0.5])
    _assert_same(lambda a, b: a**b, torch.pow, base, exponent)


def test_integer_power_at_zero_base_has_the_exact_gradient():
    # d(x^2)/dx = 2x = 0 at 0, d(x^3)/dx = 3x^2 = 0: computed as b * a^(b-1), never b * out / a
    _assert_same(lambda x: x**2, lambda t: t**2, np.array([0.0, -1.5]), expected=[[0.0, -6.0]])
    _assert_same(lambda x: x**3, lambda t: t**3, np.array([0.0, 2.0]), expected=[[0.0, 24.0]])
