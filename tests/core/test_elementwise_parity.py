"""Elementwise ops against PyTorch (float64 values and gradients) and finite differences.

Every binary op runs on shapes that broadcast in both directions, 0-d scalars, size-1 and
size-0 dimensions, and non-contiguous (transposed, strided) inputs.
"""

from __future__ import annotations

import operator

import numpy as np
import pytest
import torch

import gradcraft as gc

BINARY_SHAPES = [  # (shape a, shape b, layouts)
    ((3, 4), (3, 4), "CC"),
    ((2, 3, 4), (4,), "CC"),        # b broadcast up
    ((3, 1), (2, 3, 4), "CC"),      # a broadcast up (new leading dim and a size-1 dim)
    ((3, 1), (1, 4), "CC"),         # both broadcast
    ((), (3, 4), "CC"),             # 0-d on the left
    ((2, 3), (), "CC"),             # 0-d on the right
    ((), (), "CC"),
    ((1, 1), (1,), "CC"),
    ((0, 3), (3,), "CC"),           # size-0
    ((2, 0), (2, 1), "CC"),
    ((4, 3), (4, 3), "TS"),         # non-contiguous both
    ((3, 4), (4,), "SS"),
    ((3, 4), (3, 1), "TC"),
]

BINARY_OPS = [
    # name, gradcraft, torch, domains
    ("add", operator.add, operator.add, ("any", "any")),
    ("sub", operator.sub, operator.sub, ("any", "any")),
    ("mul", operator.mul, operator.mul, ("any", "any")),
    ("div", operator.truediv, operator.truediv, ("any", "nonzero")),
    ("pow", operator.pow, operator.pow, ("positive", "small")),
    ("gc.add", gc.add, torch.add, ("any", "any")),
    ("gc.subtract", gc.subtract, torch.sub, ("any", "any")),
    ("gc.multiply", gc.multiply, torch.mul, ("any", "any")),
    ("gc.divide", gc.divide, torch.div, ("any", "nonzero")),
    ("gc.power", gc.power, torch.pow, ("positive", "small")),
    ("maximum", gc.maximum, torch.maximum, ("grid_a", "grid_b")),
    ("minimum", gc.minimum, torch.minimum, ("grid_a", "grid_b")),
    ("maximum_method", lambda a, b: a.maximum(b), torch.maximum, ("grid_b", "grid_a")),
]

BINARY_CASES = [
    (name, f, tf, (sa, sb), domains, layouts)
    for name, f, tf, domains in BINARY_OPS
    for sa, sb, layouts in BINARY_SHAPES
]


def _leaky(slope):
    return (lambda x: gc.leaky_relu(x, slope),
            lambda x: torch.nn.functional.leaky_relu(x, slope))


UNARY_OPS = [
    ("neg", operator.neg, operator.neg, "any"),
    ("exp", gc.exp, torch.exp, "any"),
    ("exp_method", lambda x: x.exp(), torch.exp, "any"),
    ("log", gc.log, torch.log, "positive"),
    ("sqrt", gc.sqrt, torch.sqrt, "positive"),
    ("abs", gc.abs, torch.abs, "nonzero"),
    ("abs_builtin", lambda x: abs(x), torch.abs, "nonzero"),
    ("tanh", gc.tanh, torch.tanh, "any"),
    ("sigmoid", gc.sigmoid, torch.sigmoid, "any"),
    ("relu", gc.relu, torch.relu, "nonzero"),
    ("leaky_relu", gc.leaky_relu, torch.nn.functional.leaky_relu, "nonzero"),
    ("leaky_relu_0.2", *_leaky(0.2), "nonzero"),
    ("F.relu", gc.functional.relu, torch.nn.functional.relu, "nonzero"),
    ("F.sigmoid", gc.functional.sigmoid, torch.sigmoid, "any"),
    ("F.tanh", gc.functional.tanh, torch.tanh, "any"),
    # grid values are 0.05 away from +-0.5 and 0.15 from 0.3: no clip boundary under eps
    ("clip", lambda x: gc.clip(x, -0.5, 0.5), lambda x: torch.clamp(x, -0.5, 0.5), "grid_a"),
    ("clip_min", lambda x: x.clip(-0.3, None), lambda x: torch.clamp(x, min=-0.3), "grid_b"),
    ("clip_max", lambda x: x.clip(None, 0.3), lambda x: torch.clamp(x, max=0.3), "grid_a"),
    ("clip_arrays", lambda x: gc.clip(x, np.full(x.shape[-1:], -0.3), 0.5),
     lambda x: torch.clamp(x, torch.full(x.shape[-1:], -0.3, dtype=torch.float64), torch.tensor(0.5)),
     "grid_b"),
    ("square", lambda x: x**2, lambda x: x**2, "any"),
    ("cube", lambda x: x**3.0, lambda x: x**3.0, "any"),
    ("rsqrt", lambda x: x**-0.5, lambda x: x**-0.5, "positive"),
    ("pow0", lambda x: x**0, lambda x: x**0, "any"),
    ("rpow", lambda x: 2.0**x, lambda x: 2.0**x, "any"),
]

UNARY_SHAPES = [
    ((), "C"), ((5,), "C"), ((3, 4), "C"), ((2, 1, 3), "C"), ((1,), "C"), ((0, 4), "C"),
    ((4, 3), "T"), ((3, 4), "S"), ((2, 3, 2), "T"),
]

UNARY_CASES = [
    (name, f, tf, (shape,), domain, layout)
    for name, f, tf, domain in UNARY_OPS
    for shape, layout in UNARY_SHAPES
]

# The condition is the first input's sign (its gradient is checked to be zero).
WHERE_CASES = [
    ("where", lambda c, a, b: gc.where(c.data > 0, a, b),
     lambda c, a, b: torch.where(c > 0, a, b), shapes, "any", layouts)
    for shapes, layouts in [
        (((3, 4), (3, 4), (3, 4)), "CCC"),
        (((3, 1), (1, 4), ()), "CCC"),
        (((2, 3, 4), (4,), (3, 1)), "CCC"),
        (((4,), (3, 4), (3, 4)), "CTS"),
        (((0, 2), (2,), ()), "CCC"),
    ]
] + [
    ("where_scalar", lambda c, a: gc.where(c > 0, a, 0.5),
     lambda c, a: torch.where(c > 0, a, 0.5), ((3, 4), (3, 4))),
    ("where_scalar_left", lambda c, b: gc.where(c.data > 0, -1.0, b),
     lambda c, b: torch.where(c > 0, -1.0, b), ((2, 3), (3,))),
]

CASES = BINARY_CASES + UNARY_CASES + WHERE_CASES


def test_parity_with_torch(case, parity):
    parity(case)


def test_gradcheck(case, gradcheck_case):
    gradcheck_case(case)


# ----------------------------------------------------------------------------- Python scalars
SCALAR_OPS = [
    ("+", operator.add), ("-", operator.sub), ("*", operator.mul), ("/", operator.truediv),
    ("**", operator.pow),
]


@pytest.mark.parametrize("symbol,op", SCALAR_OPS, ids=[s for s, _ in SCALAR_OPS])
@pytest.mark.parametrize("scalar_on_left", [False, True], ids=["tensor_op_scalar", "scalar_op_tensor"])
@pytest.mark.parametrize("scalar", [2.5, 3, np.float64(1.5)], ids=["float", "int", "np.float64"])
def test_python_scalar_on_either_side(symbol, op, scalar_on_left, scalar):
    values = np.random.default_rng(3).uniform(0.5, 2.0, (3, 4))
    x, tx = gc.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    s = float(scalar)
    out = op(scalar, x) if scalar_on_left else op(x, scalar)
    ref = op(s, tx) if scalar_on_left else op(tx, s)
    assert isinstance(out, gc.Tensor)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12)
    upstream = np.random.default_rng(4).standard_normal((3, 4))
    out.backward(upstream)
    ref.backward(torch.tensor(upstream))
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12)


def test_numpy_array_on_the_left_defers_to_tensor():
    x = gc.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    out = np.array([10.0, 20.0, 30.0]) * x
    assert isinstance(out, gc.Tensor)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [10.0, 20.0, 30.0])


def test_cast_gradient_flows_back_in_the_leaf_dtype():
    values = np.array([1.0, -2.0, 3.0], dtype=np.float32)
    x = gc.tensor(values, requires_grad=True)
    y = x.astype(np.float64) * np.array([0.5, 0.25, 2.0])
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, np.array([0.5, 0.25, 2.0], dtype=np.float32))


def test_sigmoid_is_accurate_in_both_tails():
    # sigma(-40) = 4.25e-18 is representable; a formula through 1 + tanh(x/2) would round it to 0
    # (and log(sigmoid(x)) to -inf).
    values = np.array([-700.0, -100.0, -40.0, -20.0, 0.0, 20.0, 40.0, 100.0, 700.0])
    x, tx = gc.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    with np.errstate(all="raise"):
        out = gc.sigmoid(x)
        out.backward(np.ones_like(values))
    ref = torch.sigmoid(tx)
    ref.backward(torch.ones_like(tx))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-14, atol=0)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12, atol=0)


def test_sigmoid_float32_keeps_small_values():
    x = gc.tensor(np.array([-30.0, -17.0, 17.0], dtype=np.float32))
    ref = torch.sigmoid(torch.tensor([-30.0, -17.0, 17.0]))
    out = gc.sigmoid(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, ref.numpy(), rtol=1e-6)
    assert np.isfinite(gc.log(out).data).all()
