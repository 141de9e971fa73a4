"""The elementwise mathematics of gradcraft.ops.functions.math against PyTorch (float64 values
and gradients), finite differences, and PyTorch's in-place verdicts; erf against `math.erf`;
the dtype rules of integer inputs; the integer divisions; bad input.

Inputs stay inside each function's domain and away from its jumps: the cases map the conftest
domains affinely inside the function (the same map in gradcraft and torch), e.g. arcsin sees
0.6 * U(-1.5, 1.5), within (-0.9, 0.9); fmod and remainder see a = 0.2k + 0.05 and
b = 2 (0.2j + 0.15), so a / b = (4k + 1) / (8j + 6) is an odd number over an even one: at least
1/58 away from every integer, where they jump.
"""

from __future__ import annotations

import math
import operator

import numpy as np
import pytest
import torch

import gradcraft as gc

UNARY_SHAPES = [
    ((), "C"), ((5,), "C"), ((3, 4), "C"), ((1,), "C"), ((0, 4), "C"),
    ((4, 3), "T"), ((3, 4), "S"), ((2, 3, 2), "T"),
]

BINARY_SHAPES = [  # (shape a, shape b, layouts)
    ((3, 4), (3, 4), "CC"),
    ((2, 3, 4), (4,), "CC"),
    ((3, 1), (2, 3, 4), "CC"),
    ((3, 1), (1, 4), "CC"),
    ((), (3, 4), "CC"),
    ((2, 3), (), "CC"),
    ((), (), "CC"),
    ((0, 3), (3,), "CC"),
    ((4, 3), (4, 3), "TS"),
    ((3, 4), (3, 1), "TC"),
]


def _within(gc_fn, torch_fn, scale, shift=0.0):
    """The function of scale * x + shift (both libraries), to bring a domain inside another."""
    return (lambda x: gc_fn(x * scale + shift), lambda x: torch_fn(x * scale + shift))


UNARY_OPS = [
    # name, gradcraft, torch, domain
    ("sin", gc.sin, torch.sin, "any"),
    ("cos", gc.cos, torch.cos, "any"),
    ("tan", *_within(gc.tan, torch.tan, 0.9), "small"),             # (-1.35, 1.35)
    ("arcsin", *_within(gc.arcsin, torch.asin, 0.6), "small"),      # (-0.9, 0.9)
    ("asin_method", *_within(lambda x: x.asin(), torch.asin, 0.6), "small"),
    ("arccos", *_within(gc.arccos, torch.acos, 0.6), "small"),
    ("acos_method", *_within(lambda x: x.acos(), torch.acos, 0.6), "small"),
    ("arctan", gc.arctan, torch.atan, "any"),
    ("sinh", gc.sinh, torch.sinh, "any"),
    ("cosh", gc.cosh, torch.cosh, "any"),
    ("arcsinh", gc.arcsinh, torch.asinh, "any"),
    ("arccosh", *_within(gc.arccosh, torch.acosh, 1.0, 0.6), "positive"),  # (1.1, 2.6)
    ("acosh_method", *_within(lambda x: x.acosh(), torch.acosh, 1.0, 0.6), "positive"),
    ("arctanh", *_within(gc.arctanh, torch.atanh, 0.6), "small"),
    ("log2", gc.log2, torch.log2, "positive"),
    ("log10", gc.log10, torch.log10, "positive"),
    ("log1p", *_within(gc.log1p, torch.log1p, 0.6), "small"),       # (-0.9, 0.9)
    ("exp2", gc.exp2, torch.exp2, "any"),
    ("expm1", gc.expm1, torch.expm1, "any"),
    ("erf", gc.erf, torch.erf, "any"),
    ("erf_wide", *_within(gc.erf, torch.erf, 2.0), "small"),        # through every branch
    ("erf_method", lambda x: x.erf(), torch.erf, "any"),
    ("erfc", gc.erfc, torch.erfc, "any"),
    ("erfc_tail", *_within(gc.erfc, torch.erfc, 1.0, 1.5), "positive"),
    ("erfinv", *_within(gc.erfinv, torch.erfinv, 0.6), "small"),
    ("reciprocal", gc.reciprocal, torch.reciprocal, "nonzero"),
    ("reciprocal_method", lambda x: x.reciprocal(), torch.reciprocal, "nonzero"),
    ("rsqrt", gc.rsqrt, torch.rsqrt, "positive"),
    ("rsqrt_method", lambda x: x.rsqrt(), torch.rsqrt, "positive"),
    # piecewise constant: gradient 0 (torch's). grid_a = 0.2k + 0.05 is never within 0.05 of a
    # whole number or of a half, so finite differences never cross a jump.
    ("floor", gc.floor, torch.floor, "grid_a"),
    ("ceil", gc.ceil, torch.ceil, "grid_a"),
    ("trunc", gc.trunc, torch.trunc, "grid_a"),
    ("round", gc.round, torch.round, "grid_a"),
    ("round_method", lambda x: x.round(), torch.round, "grid_a"),
    ("round_decimals", lambda x: gc.round(x, 1), lambda x: torch.round(x, decimals=1), "any"),
    ("sign", gc.sign, torch.sign, "nonzero"),
    ("sign_method", lambda x: x.sign(), torch.sign, "nonzero"),
]

UNARY_CASES = [(name, f, tf, (shape,), domain, layout)
               for name, f, tf, domain in UNARY_OPS for shape, layout in UNARY_SHAPES]


def _divisor_doubled(gc_fn, torch_fn):
    return (lambda a, b: gc_fn(a, 2 * b), lambda a, b: torch_fn(a, 2 * b))


BINARY_OPS = [
    ("arctan2", gc.arctan2, torch.atan2, ("any", "nonzero")),
    ("atan2_method", lambda a, b: a.atan2(b), torch.atan2, ("nonzero", "any")),
    ("logaddexp", gc.logaddexp, torch.logaddexp, ("any", "any")),
    ("logaddexp_method", lambda a, b: a.logaddexp(b), torch.logaddexp, ("any", "any")),
    ("logaddexp2", gc.logaddexp2, torch.logaddexp2, ("any", "any")),
    ("fmod", *_divisor_doubled(gc.fmod, torch.fmod), ("grid_a", "grid_b")),
    ("fmod_method", *_divisor_doubled(lambda a, b: a.fmod(b), torch.fmod), ("grid_a", "grid_b")),
    ("remainder", *_divisor_doubled(gc.remainder, torch.remainder), ("grid_a", "grid_b")),
    ("mod_operator", *_divisor_doubled(operator.mod, operator.mod), ("grid_a", "grid_b")),
    ("remainder_method", *_divisor_doubled(lambda a, b: a.remainder(b), torch.remainder),
     ("grid_a", "grid_b")),
]

BINARY_CASES = [(name, f, tf, (sa, sb), domains, layouts)
                for name, f, tf, domains in BINARY_OPS for sa, sb, layouts in BINARY_SHAPES]

CASES = UNARY_CASES + BINARY_CASES


def test_parity_with_torch(case, parity):
    parity(case)


def test_gradcheck(case, gradcheck_case):
    gradcheck_case(case)


# ----------------------------------------------------------------------------- in-place verdicts
RNG = np.random.default_rng(0)


def _values(low, high, n=3):
    return RNG.uniform(low, high, n)


_SIGNED = (-0.8, 0.8)
SAVED_CASES = {
    "sin": (gc.sin, torch.sin, [_values(*_SIGNED)]),
    "cos": (gc.cos, torch.cos, [_values(*_SIGNED)]),
    "tan": (gc.tan, torch.tan, [_values(*_SIGNED)]),
    "arcsin": (gc.arcsin, torch.asin, [_values(-0.5, 0.5)]),
    "arccos": (gc.arccos, torch.acos, [_values(-0.5, 0.5)]),
    "arctan": (gc.arctan, torch.atan, [_values(*_SIGNED)]),
    "arctan2": (gc.arctan2, torch.atan2, [_values(*_SIGNED), _values(0.5, 1.5)]),
    "sinh": (gc.sinh, torch.sinh, [_values(*_SIGNED)]),
    "cosh": (gc.cosh, torch.cosh, [_values(*_SIGNED)]),
    "arcsinh": (gc.arcsinh, torch.asinh, [_values(*_SIGNED)]),
    "arccosh": (gc.arccosh, torch.acosh, [_values(1.5, 2.5)]),
    "arctanh": (gc.arctanh, torch.atanh, [_values(-0.5, 0.5)]),
    "log2": (gc.log2, torch.log2, [_values(0.5, 1.5)]),
    "log10": (gc.log10, torch.log10, [_values(0.5, 1.5)]),
    "log1p": (gc.log1p, torch.log1p, [_values(0.5, 1.5)]),
    "exp2": (gc.exp2, torch.exp2, [_values(*_SIGNED)]),
    "expm1": (gc.expm1, torch.expm1, [_values(*_SIGNED)]),
    "logaddexp": (gc.logaddexp, torch.logaddexp, [_values(*_SIGNED), _values(*_SIGNED)]),
    "logaddexp2": (gc.logaddexp2, torch.logaddexp2, [_values(*_SIGNED), _values(*_SIGNED)]),
    "erf": (gc.erf, torch.erf, [_values(*_SIGNED)]),
    "erfc": (gc.erfc, torch.erfc, [_values(*_SIGNED)]),
    "erfinv": (gc.erfinv, torch.erfinv, [_values(-0.5, 0.5)]),
    "reciprocal": (gc.reciprocal, torch.reciprocal, [_values(0.5, 1.5)]),
    "rsqrt": (gc.rsqrt, torch.rsqrt, [_values(0.5, 1.5)]),
    "fmod": (gc.fmod, torch.fmod, [np.array([1.3, -2.7, 3.1]), np.array([0.7, 0.8, -0.9])]),
    "remainder": (gc.remainder, torch.remainder,
                  [np.array([1.3, -2.7, 3.1]), np.array([0.7, 0.8, -0.9])]),
    "floor": (gc.floor, torch.floor, [_values(*_SIGNED)]),
    "ceil": (gc.ceil, torch.ceil, [_values(*_SIGNED)]),
    "trunc": (gc.trunc, torch.trunc, [_values(*_SIGNED)]),
    "round": (gc.round, torch.round, [_values(*_SIGNED)]),
    "round with decimals": (lambda x: gc.round(x, 2), lambda x: torch.round(x, decimals=2),
                            [_values(*_SIGNED)]),
    "sign": (gc.sign, torch.sign, [_values(*_SIGNED)]),
}


def test_in_place_change_verdict_is_pytorchs(saved_program, check_saved_program):
    check_saved_program(saved_program)


# ----------------------------------------------------------------------------- erf's accuracy
def _erf_points():
    rng = np.random.default_rng(7)
    return np.concatenate([rng.uniform(-7, 7, 4000), rng.uniform(-2.5, 2.5, 4000),
                           np.geomspace(1e-300, 1.0, 200), -np.geomspace(1e-12, 6.0, 200),
                           [0.0, 1.0, 1.5, 2.0, 6.0, 30.0, 1e300]])


def test_erf_matches_math_erf_to_a_few_ulp():
    x = _erf_points()
    expected = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(gc.erf(gc.tensor(x)).data, expected, rtol=1.5e-15, atol=0)
    np.testing.assert_allclose(gc.erf(gc.tensor(x)).data, torch.erf(torch.tensor(x)).numpy(),
                               rtol=1.5e-15, atol=0)


def test_erfc_keeps_relative_accuracy_in_the_tail():
    x = np.concatenate([np.random.default_rng(8).uniform(-3, 26, 4000), [0.0, 1.0, 5.0, 25.0]])
    expected = np.array([math.erfc(v) for v in x])
    np.testing.assert_allclose(gc.erfc(gc.tensor(x)).data, expected, rtol=4e-15, atol=0)
    far = gc.erfc(gc.tensor(10.0, dtype=np.float64)).item()
    assert far == pytest.approx(2.088487583762545e-45, rel=1e-14)


def test_erfinv_inverts_erf_across_the_range():
    y = np.concatenate([np.random.default_rng(9).uniform(-1, 1, 3000),
                        1 - np.geomspace(1e-15, 0.5, 100), -1 + np.geomspace(1e-15, 0.5, 100)])
    got = gc.erfinv(gc.tensor(y)).data
    np.testing.assert_allclose(got, torch.erfinv(torch.tensor(y)).numpy(), rtol=1e-14, atol=0)
    centre = np.abs(y) < 0.9  # elsewhere erf is too flat to give y back to full precision
    np.testing.assert_allclose([math.erf(v) for v in got[centre]], y[centre], rtol=1e-15, atol=1e-16)


def test_erf_family_at_the_edges_is_torchs():
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-310, -40.0])
    for gc_fn, torch_fn in [(gc.erf, torch.erf), (gc.erfc, torch.erfc)]:
        np.testing.assert_array_equal(gc_fn(gc.tensor(x)).data, torch_fn(torch.tensor(x)).numpy())
    y = np.array([0.0, -0.0, 1.0, -1.0, 1.5, -2.0, np.nan])
    got, expected = gc.erfinv(gc.tensor(y)).data, torch.erfinv(torch.tensor(y)).numpy()
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(expected))


def test_erf_of_float32_is_rounded_once():
    x = np.random.default_rng(10).uniform(-4, 4, 1000).astype(np.float32)
    out = gc.erf(gc.tensor(x))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data, np.array([math.erf(v) for v in x.astype(np.float64)],
                                                     dtype=np.float32))


# ----------------------------------------------------------------------------- edges and dtypes
def test_values_outside_the_domain_are_torchs_without_warnings():
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0, np.inf, np.nan])
    pairs = [(gc.arcsin, torch.asin), (gc.arccos, torch.acos), (gc.arccosh, torch.acosh),
             (gc.arctanh, torch.atanh), (gc.log2, torch.log2), (gc.log10, torch.log10),
             (gc.log1p, torch.log1p), (gc.reciprocal, torch.reciprocal), (gc.rsqrt, torch.rsqrt),
             (gc.tan, torch.tan), (gc.sign, torch.sign), (gc.exp2, torch.exp2),
             (gc.expm1, torch.expm1), (gc.cosh, torch.cosh)]
    with np.errstate(all="raise"):
        for gc_fn, torch_fn in pairs:
            np.testing.assert_allclose(gc_fn(gc.tensor(x)).data, torch_fn(torch.tensor(x)).numpy(),
                                       rtol=1e-15, atol=0, err_msg=gc_fn.__name__)


def test_sign_of_nan_and_the_gradients_at_jumps_are_torchs():
    x = np.array([np.nan, -0.0, 0.0, 1.0, 2.5, -0.5])
    np.testing.assert_array_equal(gc.sign(gc.tensor(x)).data, torch.sign(torch.tensor(x)).numpy())
    for gc_fn, torch_fn in [(gc.sign, torch.sign), (gc.floor, torch.floor), (gc.round, torch.round)]:
        t, tt = gc.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        gc_fn(t).sum().backward()
        torch_fn(tt).sum().backward()
        np.testing.assert_array_equal(t.grad, tt.grad.numpy())  # zero, also at 0 and at ties


def test_round_halves_to_even_with_decimals_like_torch():
    x = np.array([0.5, 1.5, 2.5, -0.5, -2.5, 0.125, 0.375, 1.25, -1.35, 125.0, 135.0, -150.0, 2.675])
    for decimals in (0, 1, 2, -1, -2):
        np.testing.assert_array_equal(gc.round(gc.tensor(x), decimals).data,
                                      torch.round(torch.tensor(x), decimals=decimals).numpy())
    np.testing.assert_array_equal(gc.tensor(x).round(decimals=1).data, np.round(x, 1))


INTEGER_INPUT = np.array([-3, -1, 0, 2, 5])


@pytest.mark.parametrize("name", ["sin", "exp2", "log1p", "erf", "reciprocal", "arctan", "rsqrt"])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_integer_and_bool_inputs_give_float32(name, dtype):
    torch_name = {"arctan": "atan"}.get(name, name)
    values = INTEGER_INPUT.astype(dtype)
    out = getattr(gc, name)(gc.tensor(values))
    expected = getattr(torch, torch_name)(torch.tensor(values))
    assert out.dtype == np.float32 and expected.dtype == torch.float32
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", ["floor", "ceil", "round", "trunc", "sign"])
def test_rounding_keeps_integers_integer(name):
    values = np.array([-7, 0, 3], dtype=np.int32)
    out = getattr(gc, name)(gc.tensor(values))
    expected = getattr(torch, name)(torch.tensor(values))
    assert out.dtype == np.int32 and expected.dtype == torch.int32
    np.testing.assert_array_equal(out.data, expected.numpy())


def test_sign_of_bool_is_the_bool_and_floor_of_bool_is_refused():
    b = np.array([True, False])
    assert gc.sign(gc.tensor(b)).dtype == np.bool_
    np.testing.assert_array_equal(gc.sign(gc.tensor(b)).data, torch.sign(torch.tensor(b)).numpy())
    with pytest.raises(TypeError, match="floor: x must be a numeric tensor, got dtype bool"):
        gc.floor(gc.tensor(b))


def test_atan2_of_integers_gives_float32():
    a, b = np.array([1, -2, 3]), np.array([2, 2, -1])
    out, expected = gc.arctan2(gc.tensor(a), gc.tensor(b)), torch.atan2(torch.tensor(a), torch.tensor(b))
    assert out.dtype == np.float32 and expected.dtype == torch.float32
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-6)


# ----------------------------------------------------------------------------- integer divisions
A_INT = np.array([-7, 7, 3, -3, 0, 10, -10, 9])
B_INT = np.array([2, -2, -2, 2, 3, 3, -4, 9])


@pytest.mark.parametrize("dtype", [np.int64, np.int32])
@pytest.mark.parametrize("gc_fn,torch_fn", [
    (operator.mod, operator.mod), (operator.floordiv, operator.floordiv),
    (gc.remainder, torch.remainder), (gc.fmod, torch.fmod), (gc.floor_divide, torch.floor_divide),
], ids=["%", "//", "remainder", "fmod", "floor_divide"])
def test_integer_divisions_are_torchs(dtype, gc_fn, torch_fn):
    a, b = A_INT.astype(dtype), B_INT.astype(dtype)
    out = gc_fn(gc.tensor(a), gc.tensor(b))
    expected = torch_fn(torch.tensor(a), torch.tensor(b))
    assert out.dtype == dtype and str(expected.dtype) == f"torch.{np.dtype(dtype).name}"
    np.testing.assert_array_equal(out.data, expected.numpy())
    assert not out.requires_grad


@pytest.mark.parametrize("symbol,op", [("%", operator.mod), ("//", operator.floordiv)])
def test_python_numbers_on_either_side_of_mod_and_floordiv(symbol, op):
    a = gc.tensor(A_INT)
    ta = torch.tensor(A_INT)
    for number in (3, -4):
        for mine, ref in [(op(a, number), op(ta, number)), (op(number, a + 20), op(number, ta + 20))]:
            assert mine.dtype == np.int64 and ref.dtype == torch.int64
            np.testing.assert_array_equal(mine.data, ref.numpy())
    x32 = gc.tensor(np.array([5.5, -5.5], dtype=np.float32))
    assert op(x32, 2.5).dtype == np.float32 and op(2.5, x32).dtype == np.float32
    np.testing.assert_allclose(op(x32, 2.5).data, op(torch.tensor([5.5, -5.5]), 2.5).numpy())


@pytest.mark.parametrize("fn", [gc.remainder, gc.fmod, gc.floor_divide, operator.mod, operator.floordiv])
def test_integer_division_by_zero_raises(fn):
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        fn(gc.tensor(np.array([1, 2])), gc.tensor(np.array([1, 0])))
    with pytest.raises(ZeroDivisionError):
        fn(gc.tensor(np.array([1, 2])), 0)


def test_float_division_by_zero_is_torchs_without_warnings():
    a, b = np.array([1.0, -1.0, 0.0]), np.array([0.0, 0.0, 0.0])
    with np.errstate(all="raise"):
        for gc_fn, torch_fn in [(gc.remainder, torch.remainder), (gc.fmod, torch.fmod),
                                (gc.floor_divide, torch.floor_divide)]:
            np.testing.assert_array_equal(gc_fn(gc.tensor(a), gc.tensor(b)).data,
                                          torch_fn(torch.tensor(a), torch.tensor(b)).numpy())


def test_floor_division_floats_is_torchs():
    rng = np.random.default_rng(11)
    a, b = rng.uniform(-10, 10, 200), rng.choice([-1, 1], 200) * rng.uniform(0.3, 3, 200)
    np.testing.assert_array_equal((gc.tensor(a) // gc.tensor(b)).data,
                                  (torch.tensor(a) // torch.tensor(b)).numpy())
    np.testing.assert_array_equal(gc.tensor(a).floor_divide(gc.tensor(b)).data,
                                  torch.floor_divide(torch.tensor(a), torch.tensor(b)).numpy())


def test_floor_divide_has_no_derivative_as_in_torch():
    a = gc.tensor(np.array([1.5, -2.5]), requires_grad=True)
    out = a // 0.7
    assert out.requires_grad  # recorded, as torch records it
    with pytest.raises(RuntimeError, match="derivative of floor_divide"):
        out.sum().backward()
    ta = torch.tensor([1.5, -2.5], requires_grad=True)
    with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not implemented"):
        (ta // 0.7).sum().backward()


def test_in_place_mod_and_floordiv():
    x = gc.tensor(np.array([7, -7, 9]))
    with gc.no_grad():
        same = x
        x %= 4
        assert x is same and x._version == 1  # written in place, counted
        x //= 2
    np.testing.assert_array_equal(x.data, (torch.tensor([7, -7, 9]) % 4) // 2)
    with gc.no_grad(), pytest.raises(ZeroDivisionError):
        x %= 0
    y = gc.tensor(np.array([1.5, -2.5]), requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place '%='"):
        y %= 1.0
    z = y * 1.0
    z %= 1.0  # not a leaf: a new tensor in the graph, as `z = z % 1.0`
    z.sum().backward()
    np.testing.assert_array_equal(y.grad, [1.0, 1.0])


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("fn", [gc.sin, gc.erf, gc.floor, gc.rsqrt])
def test_a_non_numeric_input_is_a_type_error_naming_it(fn):
    with pytest.raises(TypeError, match=rf"{fn.__name__}: x must be a numeric tensor, got 'a' \(str\)"):
        fn("a")


def test_binary_function_names_the_bad_operand():
    with pytest.raises(TypeError, match="fmod: b must be a numeric tensor, got None"):
        gc.fmod(gc.tensor([1.0]), None)
    with pytest.raises(TypeError, match="arctan2: a must be a numeric tensor"):
        gc.arctan2("x", gc.tensor([1.0]))
    with pytest.raises(ValueError, match="incompatible shapes"):
        gc.logaddexp(gc.tensor(np.zeros(3)), gc.tensor(np.zeros(4)))


def test_round_decimals_must_be_an_int():
    with pytest.raises(TypeError, match="decimals must be an int, got 1.5"):
        gc.round(gc.tensor([1.0]), 1.5)


def test_mod_of_a_string_is_pythons_type_error():
    with pytest.raises(TypeError, match="unsupported operand type"):
        gc.tensor([1.0]) % "a"


# ----------------------------------------------------------------------------- gradients at edges
def _gradients(fn, *arrays):
    leaves = [gc.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*leaves)
    out.backward(np.ones(out.shape))
    return [leaf.grad for leaf in leaves]


def _torch_gradients(fn, *arrays):
    leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*leaves)
    out.backward(torch.ones_like(out))
    return [leaf.grad.numpy() for leaf in leaves]


def test_divisor_gradients_are_minus_the_rounded_quotient():
    a, b = np.array([5.5, -5.5, 5.5, -5.5]), np.array([2.0, 2.0, -2.0, -2.0])
    # remainder: d/db = -floor(a / b); fmod: d/db = -trunc(a / b); d/da = 1 for both
    assert [g.tolist() for g in _gradients(gc.remainder, a, b)] == [[1.0] * 4, [-2.0, 3.0, 3.0, -2.0]]
    assert [g.tolist() for g in _gradients(gc.fmod, a, b)] == [[1.0] * 4, [-2.0, 2.0, 2.0, -2.0]]
    for gc_fn, torch_fn in [(gc.remainder, torch.remainder), (gc.fmod, torch.fmod)]:
        for mine, ref in zip(_gradients(gc_fn, a, b), _torch_gradients(torch_fn, a, b)):
            np.testing.assert_array_equal(mine, ref)


def test_atan2_and_logaddexp_at_their_edges_are_torchs():
    a = np.array([0.0, 0.0, 1.0, -np.inf, np.inf, 3.0, 1e-200])
    b = np.array([0.0, -1.0, np.inf, -np.inf, 1.0, -800.0, 1e-200])
    with np.errstate(divide="raise", invalid="raise", over="raise"):  # no warnings (underflow is silent)
        for gc_fn, torch_fn in [(gc.arctan2, torch.atan2), (gc.logaddexp, torch.logaddexp),
                                (gc.logaddexp2, torch.logaddexp2)]:
            out = gc_fn(gc.tensor(a), gc.tensor(b)).data
            np.testing.assert_array_equal(out, torch_fn(torch.tensor(a), torch.tensor(b)).numpy())
            for mine, ref in zip(_gradients(gc_fn, a, b), _torch_gradients(torch_fn, a, b)):
                np.testing.assert_allclose(mine, ref, rtol=1e-15, atol=0)  # nan where torch's is


@pytest.mark.parametrize("name", ["sin", "tan", "arcsinh", "log1p", "expm1", "erf", "erfc", "rsqrt"])
def test_float32_stays_float32_with_torchs_values(name):
    values = np.random.default_rng(12).uniform(0.1, 0.9, 50).astype(np.float32)
    torch_name = {"arcsinh": "asinh"}.get(name, name)
    x, tx = gc.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    out, ref = getattr(gc, name)(x), getattr(torch, torch_name)(tx)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=2e-7)
    out.sum().backward()
    ref.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-6)
