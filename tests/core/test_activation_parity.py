"""The activations of gradcraft.functional (gelu ... normalize, prelu) against PyTorch: float64
values and gradients on 0-d, 1-D, 2-D, size-0, 4-D and non-contiguous inputs, finite
differences, torch's gradient at each kink, float32 kept float32, stable tails, the in-place
verdicts, and the argument errors.

Piecewise functions get "kinked" inputs: k + 0.75 for integers k in [-8, 7] (`_spread` of the
grid_a domain), which cross every kink (0, +-1, +-3, 6, softplus's threshold 2.5) and never come
within 0.25 of one. The kinks themselves are checked exactly against torch in
`test_gradient_at_the_kinks_is_torchs`.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import gradcraft as gc
from gradcraft import functional as F
from gradcraft.backend import AxisError


def _spread(x):
    """grid_a values 0.2 k + 0.05 -> k + 0.75: both sides of every integer kink, none on one."""
    return 5 * x + 0.5


def _kinked(gc_fn, torch_fn):
    return (lambda x: gc_fn(_spread(x)), lambda x: torch_fn(_spread(x)))


def _wide(gc_fn, torch_fn, scale=4.0):
    """Standard-normal inputs times `scale`: reaches the tails of the smooth functions."""
    return (lambda x: gc_fn(x * scale), lambda x: torch_fn(x * scale))


ELEMENTWISE = [
    # name, gradcraft, torch, domain
    ("gelu", *_wide(F.gelu, TF.gelu), "any"),
    ("gelu_tanh", *_wide(lambda x: F.gelu(x, approximate="tanh"),
                         lambda x: TF.gelu(x, approximate="tanh")), "any"),
    ("silu", *_wide(F.silu, TF.silu), "any"),
    ("mish", *_wide(F.mish, TF.mish), "any"),
    ("softsign", *_wide(F.softsign, TF.softsign), "any"),
    ("logsigmoid", *_wide(F.logsigmoid, TF.logsigmoid, 10.0), "any"),
    ("softplus", *_wide(F.softplus, TF.softplus), "any"),
    ("softplus_beta2_threshold5", *_kinked(lambda x: F.softplus(x, beta=2.0, threshold=5.0),
                                           lambda x: TF.softplus(x, beta=2.0, threshold=5.0)), "grid_a"),
    ("elu", *_kinked(F.elu, TF.elu), "grid_a"),
    ("elu_alpha0.5", *_kinked(lambda x: F.elu(x, 0.5), lambda x: TF.elu(x, 0.5)), "grid_a"),
    ("selu", *_kinked(F.selu, TF.selu), "grid_a"),
    ("celu", *_kinked(F.celu, TF.celu), "grid_a"),
    ("celu_alpha2", *_kinked(lambda x: F.celu(x, alpha=2.0), lambda x: TF.celu(x, alpha=2.0)), "grid_a"),
    ("hardtanh", *_kinked(F.hardtanh, TF.hardtanh), "grid_a"),
    ("hardtanh_-2_3", *_kinked(lambda x: F.hardtanh(x, -2.0, 3.0),
                               lambda x: TF.hardtanh(x, -2.0, 3.0)), "grid_a"),
    ("relu6", *_kinked(F.relu6, TF.relu6), "grid_a"),
    ("hardsigmoid", *_kinked(F.hardsigmoid, TF.hardsigmoid), "grid_a"),
    ("hardswish", *_kinked(F.hardswish, TF.hardswish), "grid_a"),
]

SHAPES = [((), "C"), ((5,), "C"), ((3, 4), "C"), ((0, 4), "C"), ((2, 3, 4, 5), "C"),
          ((4, 3), "T"), ((3, 4), "S")]

ELEMENTWISE_CASES = [(name, f, tf, (shape,), domain, layout)
                     for name, f, tf, domain in ELEMENTWISE for shape, layout in SHAPES]


def _softmin(axis):
    return (lambda x: F.softmin(x, dim=axis), lambda x: TF.softmin(x, dim=axis))


SOFTMIN_CASES = [
    ("softmin", *_softmin(0), ((5,),)),
    ("softmin", *_softmin(1), ((3, 4),)),
    ("softmin", *_softmin(0), ((3, 4),)),
    ("softmin", *_softmin(-1), ((0, 4),)),
    ("softmin", *_softmin(2), ((2, 3, 4, 5),)),
    ("softmin", *_softmin(1), ((4, 3),), "any", "T"),
    ("softmin", *_softmin(-1), ((3, 4),), "any", "S"),
    ("softmin_axis", lambda x: F.softmin(x, axis=0), lambda x: TF.softmin(x, dim=0), ((3, 4),)),
]


def _normalize(**options):
    return (lambda x: F.normalize(x, **options), lambda x: TF.normalize(x, **options))


NORMALIZE_CASES = [
    ("normalize", *_normalize(), ((3, 4),)),
    ("normalize", *_normalize(), ((2, 3, 4, 5),)),
    ("normalize", *_normalize(), ((0, 4),)),
    ("normalize", *_normalize(dim=0), ((5,),)),
    ("normalize", *_normalize(dim=0), ((),), "nonzero"),
    ("normalize", *_normalize(dim=-1), ((4, 3),), "any", "T"),
    ("normalize", *_normalize(), ((3, 4),), "any", "S"),
    ("normalize_dims", *_normalize(dim=(1, 2)), ((2, 3, 4, 5),)),
    ("normalize_p1", *_normalize(p=1.0), ((3, 4),), "nonzero"),
    ("normalize_p3", *_normalize(p=3.0), ((2, 3, 4),), "nonzero"),
    ("normalize_p0.5", *_normalize(p=0.5, dim=-1), ((3, 4),), "nonzero"),
    ("normalize_p-1", *_normalize(p=-1.0, dim=-1), ((3, 4),), "nonzero"),
    ("normalize_inf", *_normalize(p=float("inf")), ((3, 4),), "distinct"),
    ("normalize_-inf", *_normalize(p=float("-inf")), ((3, 4),), "distinct"),
    ("normalize_eps", *_normalize(eps=0.5), ((3, 4),), "small"),  # some rows held at eps
]


def _prelu(x, w):
    return F.prelu(x, w)


PRELU_CASES = [
    ("prelu", _prelu, TF.prelu, ((2, 3, 4, 5), (3,)), ("nonzero", "positive")),
    ("prelu", _prelu, TF.prelu, ((2, 3, 4, 5), (1,)), ("nonzero", "positive")),
    ("prelu", _prelu, TF.prelu, ((3, 4), (4,)), ("nonzero", "any")),
    ("prelu", _prelu, TF.prelu, ((5,), (1,)), ("nonzero", "any")),
    ("prelu", _prelu, TF.prelu, ((), (1,)), ("nonzero", "any")),
    ("prelu", _prelu, TF.prelu, ((2, 3), ()), ("nonzero", "any")),
    ("prelu", _prelu, TF.prelu, ((0, 4), (4,)), ("nonzero", "any")),
    ("prelu", _prelu, TF.prelu, ((3, 4), (4,)), ("nonzero", "any"), "TC"),
    ("prelu", _prelu, TF.prelu, ((2, 3, 4), (3,)), ("nonzero", "any"), "SC"),
]

CASES = ELEMENTWISE_CASES + SOFTMIN_CASES + NORMALIZE_CASES + PRELU_CASES


def test_parity_with_torch(case, parity):
    parity(case)


def test_gradcheck(case, gradcheck_case):
    gradcheck_case(case)


# ----------------------------------------------------------------------------- kinks
KINKS = [
    # name, gradcraft, torch, the points where the function has a kink or switches branch
    ("relu6", F.relu6, TF.relu6, [0.0, 6.0]),
    ("hardtanh", F.hardtanh, TF.hardtanh, [-1.0, 1.0]),
    ("hardtanh_-2_3", lambda x: F.hardtanh(x, -2.0, 3.0), lambda x: TF.hardtanh(x, -2.0, 3.0), [-2.0, 3.0]),
    ("hardtanh_equal_bounds", lambda x: F.hardtanh(x, 0.5, 0.5), lambda x: TF.hardtanh(x, 0.5, 0.5),
     [0.5, 0.0, 1.0]),
    ("hardswish", F.hardswish, TF.hardswish, [-3.0, 3.0]),
    ("hardsigmoid", F.hardsigmoid, TF.hardsigmoid, [-3.0, 3.0]),
    ("elu", F.elu, TF.elu, [0.0, -0.0]),
    ("elu_alpha2", lambda x: F.elu(x, 2.0), lambda x: TF.elu(x, 2.0), [0.0]),
    ("selu", F.selu, TF.selu, [0.0]),
    ("celu_alpha2", lambda x: F.celu(x, 2.0), lambda x: TF.celu(x, 2.0), [0.0]),
    ("softplus_threshold", lambda x: F.softplus(x, 2.0, 5.0), lambda x: TF.softplus(x, 2.0, 5.0),
     [2.5, np.nextafter(2.5, 3.0), np.nextafter(2.5, 2.0)]),
    ("softsign", F.softsign, TF.softsign, [0.0]),
    ("logsigmoid", F.logsigmoid, TF.logsigmoid, [0.0]),
    ("prelu", lambda x: F.prelu(x, np.array([0.25])), lambda x: TF.prelu(x, torch.tensor([0.25], dtype=torch.float64)),
     [0.0]),
    ("nan_hardtanh", F.hardtanh, TF.hardtanh, [np.nan]),
    ("nan_hardsigmoid", F.hardsigmoid, TF.hardsigmoid, [np.nan]),
]


@pytest.mark.parametrize("name,fn,torch_fn,points", KINKS, ids=[k[0] for k in KINKS])
def test_gradient_at_the_kinks_is_torchs(name, fn, torch_fn, points):
    x = gc.tensor(np.array(points), requires_grad=True)
    tx = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    out, ref = fn(x), torch_fn(tx)
    out.backward(np.ones(len(points)))
    ref.backward(torch.ones_like(ref))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-15, atol=0)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-15, atol=0)


def test_prelu_weight_gradient_at_zero_is_torchs():
    values = np.array([[0.0, -1.0, 2.0], [0.0, 0.0, -3.0]])
    x, w = gc.tensor(values, requires_grad=True), gc.tensor(np.array([0.1, 0.2, 0.3]), requires_grad=True)
    tx = torch.tensor(values, requires_grad=True)
    tw = torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64, requires_grad=True)
    F.prelu(x, w).sum().backward()
    TF.prelu(tx, tw).sum().backward()
    np.testing.assert_array_equal(w.grad, tw.grad.numpy())
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())


def test_normalize_of_a_zero_vector_is_scaled_by_one_over_eps():
    values = np.array([[0.0, 0.0, 0.0], [3.0, 4.0, 0.0]])
    for eps in (1e-12, 0.5, 5.0):  # 5.0 > the second row's norm: clamped as well
        x, tx = gc.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
        upstream = np.array([[1.0, -2.0, 0.5], [0.25, 1.0, -1.0]])
        F.normalize(x, eps=eps).backward(upstream)
        ref = TF.normalize(tx, eps=eps)
        ref.backward(torch.tensor(upstream))
        np.testing.assert_allclose(F.normalize(values, eps=eps).data, ref.detach().numpy(), rtol=1e-15)
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12)


def test_normalize_inf_norm_shares_the_gradient_between_ties():
    values = np.array([[1.0, -2.0, 2.0]])
    x, tx = gc.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    F.normalize(x, p=float("inf")).sum().backward()
    TF.normalize(tx, p=float("inf")).sum().backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-15)
    np.testing.assert_allclose(x.grad, [[0.5, 0.625, 0.375]], rtol=1e-15)  # by hand: 1/2 - (1/4) [0, -1/2, 1/2]


def test_normalize_p0_counts_the_nonzeros():
    values = np.array([[0.0, 1.0, 2.0]])
    x, tx = gc.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    out = F.normalize(x, p=0.0)
    out.sum().backward()
    TF.normalize(tx, p=0.0).sum().backward()
    np.testing.assert_array_equal(out.data, [[0.0, 0.5, 1.0]])
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())


# ----------------------------------------------------------------------------- softmin's dim=None
@pytest.mark.parametrize("shape", [(4,), (2, 3), (2, 3, 4), (2, 3, 4, 5)])
def test_softmin_without_dim_picks_torchs_implicit_dim_and_warns(shape):
    values = np.random.default_rng(5).standard_normal(shape)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        out = F.softmin(values)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        ref = TF.softmin(torch.tensor(values))
    np.testing.assert_allclose(out.data, ref.numpy(), rtol=1e-14)


# ----------------------------------------------------------------------------- float32
FLOAT32 = [
    ("gelu", F.gelu, TF.gelu),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), lambda x: TF.gelu(x, approximate="tanh")),
    ("silu", F.silu, TF.silu), ("mish", F.mish, TF.mish), ("elu", F.elu, TF.elu),
    ("selu", F.selu, TF.selu), ("celu", lambda x: F.celu(x, 2.0), lambda x: TF.celu(x, 2.0)),
    ("softplus", F.softplus, TF.softplus), ("softsign", F.softsign, TF.softsign),
    ("logsigmoid", F.logsigmoid, TF.logsigmoid), ("hardtanh", F.hardtanh, TF.hardtanh),
    ("relu6", F.relu6, TF.relu6), ("hardsigmoid", F.hardsigmoid, TF.hardsigmoid),
    ("hardswish", F.hardswish, TF.hardswish),
    ("softmin", lambda x: F.softmin(x, dim=1), lambda x: TF.softmin(x, dim=1)),
    ("normalize", F.normalize, TF.normalize),
    ("normalize_p3", lambda x: F.normalize(x, p=3.0), lambda x: TF.normalize(x, p=3.0)),
    ("prelu", lambda x: F.prelu(x, np.array([0.25, 0.5, 0.75, 1.5], dtype=np.float32)),
     lambda x: TF.prelu(x, torch.tensor([0.25, 0.5, 0.75, 1.5]))),
]


@pytest.mark.parametrize("name,fn,torch_fn", FLOAT32, ids=[f[0] for f in FLOAT32])
def test_float32_stays_float32(name, fn, torch_fn):
    values = (np.random.default_rng(7).standard_normal((3, 4)) * 4).astype(np.float32)
    x, tx = gc.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    out, ref = fn(x), torch_fn(tx)
    assert out.dtype == np.float32
    upstream = np.random.default_rng(8).standard_normal((3, 4)).astype(np.float32)
    out.backward(upstream)
    ref.backward(torch.tensor(upstream))
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=2e-6, atol=2e-6)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=2e-5, atol=2e-6)


def test_prelu_weight_gradient_keeps_float32():
    x = gc.tensor(np.array([[-1.0, 2.0], [-3.0, -4.0]], dtype=np.float32))
    w = gc.tensor(np.array([0.25, 0.5], dtype=np.float32), requires_grad=True)
    F.prelu(x, w).sum().backward()
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad, np.array([-4.0, -4.0], dtype=np.float32))


# ----------------------------------------------------------------------------- tails
TAILS = [
    ("gelu", F.gelu, TF.gelu), ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"),
                                lambda x: TF.gelu(x, approximate="tanh")),
    ("silu", F.silu, TF.silu), ("mish", F.mish, TF.mish), ("elu", F.elu, TF.elu),
    ("selu", F.selu, TF.selu), ("celu", lambda x: F.celu(x, 0.5), lambda x: TF.celu(x, 0.5)),
    ("softplus", F.softplus, TF.softplus),
    ("softplus_high_threshold", lambda x: F.softplus(x, threshold=1e4),
     lambda x: TF.softplus(x, threshold=1e4)),
    ("logsigmoid", F.logsigmoid, TF.logsigmoid), ("softsign", F.softsign, TF.softsign),
]


@pytest.mark.parametrize("name,fn,torch_fn", TAILS, ids=[t[0] for t in TAILS])
def test_large_inputs_give_torchs_values_silently(name, fn, torch_fn):
    values = np.array([-1000.0, -800.0, -40.0, -10.0, 10.0, 40.0, 800.0, 1000.0])
    x, tx = gc.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NumPy RuntimeWarning (overflow, 0/0) fails the test
        out = fn(x)
        out.backward(np.ones_like(values))
    ref = torch_fn(tx)
    ref.backward(torch.ones_like(tx))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-300)


def test_logsigmoid_keeps_tiny_values():
    # log sigmoid(40) = -4.25e-18: log(sigmoid(40)) would round it to 0
    out = F.logsigmoid(np.array([40.0, 700.0]))
    np.testing.assert_allclose(out.data, [-np.exp(-40.0), -np.exp(-700.0)], rtol=1e-14)


# ----------------------------------------------------------------------------- in place
RNG = np.random.default_rng(11)
_SIGNED = RNG.uniform(-2.0, 2.0, 4) + np.array([0.0, 0.0, 3.0, -3.5])

SAVED_CASES = {
    "gelu": (F.gelu, TF.gelu, [_SIGNED]),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), lambda x: TF.gelu(x, approximate="tanh"), [_SIGNED]),
    "silu": (F.silu, TF.silu, [_SIGNED]),
    "mish": (F.mish, TF.mish, [_SIGNED]),
    "elu": (F.elu, TF.elu, [_SIGNED]),
    "selu": (F.selu, TF.selu, [_SIGNED]),
    "celu": (F.celu, TF.celu, [_SIGNED]),
    "softplus": (F.softplus, TF.softplus, [_SIGNED]),
    "softsign": (F.softsign, TF.softsign, [_SIGNED]),
    "logsigmoid": (F.logsigmoid, TF.logsigmoid, [_SIGNED]),
    "hardtanh": (F.hardtanh, TF.hardtanh, [_SIGNED]),
    "relu6": (F.relu6, TF.relu6, [_SIGNED]),
    "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid, [_SIGNED]),
    "hardswish": (F.hardswish, TF.hardswish, [_SIGNED]),
    "softmin": (lambda x: F.softmin(x, dim=0), lambda x: TF.softmin(x, dim=0), [_SIGNED]),
    "normalize": (lambda x: F.normalize(x, dim=0), lambda x: TF.normalize(x, dim=0), [_SIGNED]),
    "prelu": (F.prelu, TF.prelu, [RNG.uniform(-1.0, 1.0, (2, 3)), RNG.uniform(0.1, 0.5, 3)]),
}

SAVED_DEVIATIONS = {
    ("prelu", "-g", "input 1"): "dL/dweight = x [x <= 0] * g does not read the weight; torch's "
                                "_prelu_kernel_backward keeps it for both gradients",
}


def test_in_place_change_verdict_is_pytorchs(saved_program, check_saved_program):
    check_saved_program(saved_program)


# ----------------------------------------------------------------------------- bad arguments
BAD_ARGUMENTS = [
    (lambda: F.gelu(np.zeros(2), approximate="fast"), ValueError, "approximate"),
    (lambda: F.gelu(np.zeros(2), approximate=None), TypeError, "approximate"),
    (lambda: F.gelu(np.arange(3)), TypeError, "gelu: input must be a floating-point"),
    (lambda: F.elu(np.zeros(2), alpha="a"), TypeError, "alpha"),
    (lambda: F.celu(np.zeros(2), alpha=0.0), ValueError, "alpha"),
    (lambda: F.softplus(np.zeros(2), beta=None), TypeError, "beta"),
    (lambda: F.softplus(np.zeros(2), threshold="20"), TypeError, "threshold"),
    (lambda: F.hardtanh(np.zeros(2), 1.0, -1.0), ValueError, "min_val"),
    (lambda: F.hardtanh(np.zeros(2), max_val="1"), TypeError, "max_val"),
    (lambda: F.silu(np.zeros(2), inplace=1), TypeError, "inplace"),
    (lambda: F.softmin(np.zeros(3), dim=1.5), TypeError, "axis"),
    (lambda: F.softmin(np.zeros(3), dim=1), AxisError, "axis"),
    (lambda: F.softmin(np.float64(1.0), dim=0), ValueError, "at least 1 dimension"),
    (lambda: F.normalize(np.zeros((2, 3)), p="2"), TypeError, "p must"),
    (lambda: F.normalize(np.zeros((2, 3)), p=float("nan")), ValueError, "p must"),
    (lambda: F.normalize(np.zeros((2, 3)), eps=-1.0), ValueError, "eps"),
    (lambda: F.normalize(np.zeros((2, 3)), dim="0"), TypeError, "axis"),
    (lambda: F.normalize(np.zeros((2, 3)), dim=2), AxisError, "axis"),
    (lambda: F.normalize(np.zeros(3)), AxisError, "axis"),  # torch's default dim=1
    (lambda: F.prelu(np.zeros((2, 3)), np.ones(2)), ValueError, "3 channels"),
    (lambda: F.prelu(np.zeros(3), np.ones(3)), ValueError, "input has 1 channel "),
    (lambda: F.prelu(np.float64(1.0), np.ones(2)), ValueError, "0-d input"),
    (lambda: F.prelu(np.zeros((2, 3)), np.ones((1, 3))), ValueError, "weight must be 0-d or 1-D"),
    (lambda: F.prelu(np.zeros((2, 3), dtype=np.float32), np.ones(3)), TypeError, "dtype"),
]


@pytest.mark.parametrize("call,error,words", BAD_ARGUMENTS, ids=[b[2] for b in BAD_ARGUMENTS])
def test_bad_arguments_name_the_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_inplace_is_accepted_and_the_input_is_left_alone():
    values = np.array([-2.0, 0.5, 7.0])
    x = gc.tensor(values)
    for fn in (F.silu, F.mish, F.elu, F.selu, F.celu, F.hardtanh, F.relu6, F.hardsigmoid, F.hardswish):
        out = fn(x, inplace=True)
        assert out is not x
        np.testing.assert_array_equal(x.data, values)
