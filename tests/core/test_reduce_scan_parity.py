"""Reductions and scans beyond sum/mean: prod, logsumexp, any, all, sum/mean(dtype=), cumsum,
cumprod, cummax, cummin, isclose, allclose -- against PyTorch (float64 values and gradients,
including zeros in prod/cumprod, ties and NaN in cummax) and finite differences."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import gradcraft as gc


def _dims(ndim, axis):
    return tuple(range(ndim)) if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)


def torch_prod(x, axis, keepdims):
    """torch.prod over any set of axes (torch takes one dim or all): move them last, flatten."""
    if x.ndim == 0:
        return torch.prod(x)
    dims = sorted(d % x.ndim for d in _dims(x.ndim, axis))
    kept = [d for d in range(x.ndim) if d not in dims]
    flat = x.permute(*kept, *dims).reshape(*[x.shape[d] for d in kept], math.prod(x.shape[d] for d in dims))
    out = flat.prod(-1)
    if keepdims:
        out = out.reshape([1 if d in dims else n for d, n in enumerate(x.shape)])
    return out


def torch_logsumexp(x, axis, keepdims):
    return torch.logsumexp(x, dim=_dims(x.ndim, axis) if x.ndim else (), keepdim=keepdims)


REDUCTION_SHAPES = [  # shape, axis, keepdims, layout
    ((3, 4, 5), None, False, "C"), ((3, 4, 5), None, True, "C"), ((3, 4, 5), 0, False, "C"),
    ((3, 4, 5), -1, True, "C"), ((3, 4, 5), (0, 2), False, "C"), ((3, 4, 5), (-1, 1), True, "C"),
    ((4,), 0, False, "C"), ((), None, False, "C"), ((), 0, False, "C"), ((0, 3), 1, False, "C"),
    ((0, 3), 0, True, "C"), ((4, 3), 0, False, "T"), ((3, 4), -1, True, "S"),
]


def _reduction_rows(name, gc_method, torch_fn, domain):
    rows = []
    for shape, axis, keepdims, layout in REDUCTION_SHAPES:
        label = f"{name}(axis={axis},keepdims={keepdims})"
        rows.append((label, lambda x, a=axis, k=keepdims: getattr(x, gc_method)(axis=a, keepdims=k),
                     lambda x, a=axis, k=keepdims: torch_fn(x, a, k), (shape,), domain, layout))
        rows.append((f"gc.{label}", lambda x, a=axis, k=keepdims: getattr(gc, gc_method)(x, a, k),
                     lambda x, a=axis, k=keepdims: torch_fn(x, a, k), (shape,), domain, layout))
    return rows


SCAN_SHAPES = [  # shape, axis, layout
    ((3, 4, 5), 0, "C"), ((3, 4, 5), -1, "C"), ((3, 4, 5), 1, "C"), ((5,), 0, "C"), ((), 0, "C"),
    ((), -1, "C"), ((0, 3), 0, "C"), ((2, 0), 1, "C"), ((4, 3), 0, "T"), ((3, 4), 1, "S"),
    ((1, 4), 0, "C"),
]


def _scan_rows(name, gc_fn, torch_fn, domain):
    return [(f"{name}(axis={axis})", lambda x, a=axis: gc_fn(x, a), lambda x, a=axis: torch_fn(x, a),
             (shape,), domain, layout) for shape, axis, layout in SCAN_SHAPES]


CASES = (
    _reduction_rows("prod", "prod", torch_prod, "nonzero")
    + _reduction_rows("logsumexp", "logsumexp", torch_logsumexp, "any")
    + _scan_rows("cumsum", gc.cumsum, torch.cumsum, "any")
    + _scan_rows("cumsum_method", lambda x, a: x.cumsum(a), torch.cumsum, "any")
    + _scan_rows("cumsum_dim", lambda x, a: gc.cumsum(x, dim=a), torch.cumsum, "any")
    + _scan_rows("cumprod", gc.cumprod, torch.cumprod, "nonzero")
    + _scan_rows("cumprod_method", lambda x, a: x.cumprod(dim=a), torch.cumprod, "nonzero")
    + _scan_rows("cummax", lambda x, a: gc.cummax(x, a).values,
                 lambda x, a: torch.cummax(x, a).values, "distinct")
    + _scan_rows("cummin", lambda x, a: x.cummin(dim=a)[0], lambda x, a: torch.cummin(x, a)[0], "distinct")
    + [
        ("cumsum(axis=None)", gc.cumsum, lambda x: torch.cumsum(x.reshape(-1), 0), ((3, 4),)),
        ("cumprod(axis=None)", lambda x: x.cumprod(), lambda x: torch.cumprod(x.reshape(-1), 0),
         ((2, 3),), "nonzero", "T"),
        ("sum(dtype=float64)", lambda x: x.sum(1, dtype=np.float64),
         lambda x: x.sum(1, dtype=torch.float64), ((3, 4),)),
        ("mean(dtype=float64)", lambda x: gc.mean(x, dim=0, dtype=np.float64),
         lambda x: x.mean(0, dtype=torch.float64), ((3, 4),), "any", "T"),
        ("prod(dim=1,keepdim=True)", lambda x: x.prod(dim=1, keepdim=True),
         lambda x: x.prod(1, keepdim=True), ((3, 4),), "nonzero"),
    ]
)


def test_parity_with_torch(case, parity):
    parity(case)


def test_gradcheck(case, gradcheck_case):
    gradcheck_case(case)


# ----------------------------------------------------------------------------- explicit values
def _parity_on(arrays, gc_fn, torch_fn, rtol=1e-12, atol=1e-14):
    """Values and gradients of gc_fn vs torch_fn on the given float64 arrays (upstream: random)."""
    mine_in = [gc.tensor(a, requires_grad=True) for a in arrays]
    ref_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    mine, ref = gc_fn(*mine_in), torch_fn(*ref_in)
    np.testing.assert_allclose(mine.data, ref.detach().numpy(), rtol=rtol, atol=atol)
    upstream = np.random.default_rng(7).standard_normal(mine.shape)
    mine.backward(upstream)
    ref.backward(torch.tensor(upstream))
    for m, r in zip(mine_in, ref_in):
        np.testing.assert_allclose(m.grad, r.grad.numpy(), rtol=rtol, atol=atol)


WITH_ZEROS = {
    "one zero": np.array([[1.5, 0.0, 3.0, -2.0], [2.0, 0.5, -1.0, 4.0], [0.7, 1.1, 1.3, 0.0]]),
    "several zeros": np.array([[0.0, 2.0, 0.0, 3.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]),
    "zeros in different rows": np.array([[0.0, 2.0, 1.5, 3.0], [1.0, 2.5, -3.0, 0.0], [0.0, 1.0, 2.0, 0.5]]),
}


@pytest.mark.parametrize("values", WITH_ZEROS.values(), ids=WITH_ZEROS.keys())
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1)], ids=str)
def test_prod_gradient_with_zeros_is_torchs(values, axis):
    _parity_on([values], lambda x: x.prod(axis=axis, keepdims=False),
               lambda x: torch_prod(x, axis, False))
    # prod is linear in each element, so central differences are exact even at a zero
    assert gc.gradcheck(lambda x: gc.prod(x, axis), gc.tensor(values, requires_grad=True))


@pytest.mark.parametrize("values", WITH_ZEROS.values(), ids=WITH_ZEROS.keys())
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_cumprod_gradient_with_zeros_is_torchs(values, axis):
    _parity_on([values], lambda x: gc.cumprod(x, axis), lambda x: torch.cumprod(x, axis))
    assert gc.gradcheck(lambda x: x.cumprod(axis), gc.tensor(values, requires_grad=True))


def test_cumprod_gradient_at_the_first_zero_by_hand():
    # x = [1, 0, 3, 0, 2], upstream g = [1..5]: out = [1, 0, 0, 0, 0].
    # d/dx0 = g0 = 1 (every later product holds the zero); d/dx1 = g1*x0 + g2*x0*x2 = 2 + 9 = 11;
    # after the first zero every product holds x1 = 0.
    x = gc.tensor(np.array([1.0, 0.0, 3.0, 0.0, 2.0]), requires_grad=True)
    gc.cumprod(x, 0).backward(np.arange(1.0, 6.0))
    np.testing.assert_array_equal(x.grad, [1.0, 11.0, 0.0, 0.0, 0.0])


def test_logsumexp_is_stable_and_handles_infinities_like_torch():
    values = np.array([[1000.0, 1000.0, -1000.0], [-np.inf, -np.inf, -np.inf],
                       [np.inf, 1.0, 2.0], [-1e3, -1e3 + 1, -np.inf]])
    x, t = gc.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    out, ref = gc.logsumexp(x, axis=1), torch.logsumexp(t, 1)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-14)
    out.backward(np.ones(4))
    ref.backward(torch.ones(4, dtype=torch.float64))
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-14)  # nan where torch's is nan


def test_logsumexp_of_an_empty_axis_is_minus_inf_and_integers_become_float64():
    np.testing.assert_array_equal(gc.logsumexp(gc.tensor(np.zeros((0, 3))), 0).data,
                                  torch.logsumexp(torch.zeros(0, 3), 0).numpy())
    out = gc.tensor(np.array([1, 2, 3])).logsumexp()
    assert out.dtype == np.float64
    assert out.item() == pytest.approx(torch.logsumexp(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64), 0).item())


@pytest.mark.parametrize("values", [
    np.array([1.0, 3.0, 3.0, 2.0, 3.0, 5.0, 5.0]),        # ties
    np.array([[2.0, 1.0, 1.0, 4.0], [0.0, 0.0, -1.0, 0.0]]),
    np.array([1.0, np.nan, 2.0, np.nan, 0.5]),             # NaN propagates, later NaNs take over
])
@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_cummax_cummin_ties_and_nan_like_torch(values, name):
    x, t = gc.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    out, ref = getattr(gc, name)(x, -1), getattr(torch, name)(t, -1)
    assert isinstance(out, tuple) and out.values is out[0] and out.indices is out[1]
    np.testing.assert_array_equal(out.indices.data, ref.indices.numpy())
    assert out.indices.dtype == np.int64 and not out.indices.requires_grad
    np.testing.assert_array_equal(out.values.data, ref.values.detach().numpy())
    upstream = np.random.default_rng(1).standard_normal(values.shape)
    out.values.backward(upstream)
    ref.values.backward(torch.tensor(upstream))
    np.testing.assert_array_equal(x.grad, t.grad.numpy())   # to the element each index names


def test_cummax_of_a_0d_tensor_and_of_integers():
    out = gc.cummax(gc.tensor(np.array(2.5)), 0)
    ref = torch.cummax(torch.tensor(2.5), 0)
    assert out.values.shape == () == tuple(ref.values.shape) and out.indices.item() == ref.indices.item() == 0
    values = np.array([[3, 1, 4, 1, 5], [9, 2, 6, 5, 3]])
    out, ref = gc.cummin(gc.tensor(values), 1), torch.cummin(torch.tensor(values), 1)
    np.testing.assert_array_equal(out.values.data, ref.values.numpy())
    np.testing.assert_array_equal(out.indices.data, ref.indices.numpy())


# ----------------------------------------------------------------------------- dtype=
def test_sum_and_mean_in_a_float_dtype_like_torch():
    ints = np.array([[1, 2, 3], [4, 5, 7]])
    out = gc.tensor(ints).sum(dim=1, dtype=np.float64)
    ref = torch.tensor(ints).sum(1, dtype=torch.float64)
    assert out.dtype == np.float64 and str(ref.dtype) == "torch.float64"
    np.testing.assert_array_equal(out.data, ref.numpy())
    bools = np.array([True, False, True, True])
    assert gc.sum(gc.tensor(bools), dtype=np.float32).dtype == np.float32
    assert gc.sum(gc.tensor(bools), dtype=np.float32).item() == torch.tensor(bools).sum(dtype=torch.float32).item() == 3
    assert gc.tensor(ints).mean(dtype=np.float32).item() == pytest.approx(
        torch.tensor(ints).mean(dtype=torch.float32).item())
    assert gc.tensor(ints).prod(axis=0, dtype=np.float64).dtype == np.float64


def test_sum_of_float32_in_float64_sends_a_float32_gradient_like_torch():
    values = np.random.default_rng(2).standard_normal((3, 4)).astype(np.float32)
    x, t = gc.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    out, ref = x.sum(0, dtype=np.float64), t.sum(0, dtype=torch.float64)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12)
    upstream = np.arange(4.0)
    out.backward(upstream)
    ref.backward(torch.tensor(upstream))
    assert x.grad.dtype == np.float32 and t.grad.dtype == torch.float32
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


def test_integer_defaults_are_numpys_and_torchs():
    ints = np.array([[1, 2], [3, 4]])
    for name in ("sum", "prod"):
        out, ref = getattr(gc.tensor(ints), name)(), getattr(torch.tensor(ints), name)()
        assert out.dtype == np.int64 and str(ref.dtype) == "torch.int64" and out.item() == ref.item()
    out = gc.tensor(ints).cumsum(1)
    np.testing.assert_array_equal(out.data, torch.tensor(ints).cumsum(1).numpy())
    assert out.dtype == np.int64
    assert gc.cumsum(gc.tensor(ints), 0, dtype=np.float64).dtype == np.float64


def test_sum_to_an_integer_dtype_leaves_the_graph():
    x = gc.tensor(np.array([1.7, 2.6]), requires_grad=True)
    out = x.sum(dtype=np.int64)
    assert out.dtype == np.int64 and not out.requires_grad and out.item() == 3  # NumPy casts first


# ----------------------------------------------------------------------------- any, all, isclose
@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, False), (1, True), ((0, 1), False), (-1, False)])
def test_any_and_all_are_bool_like_torch(axis, keepdims):
    values = np.array([[0.0, 0.0, 2.0], [1.0, -1.0, 3.0]])
    t, x = torch.tensor(values), gc.tensor(values, requires_grad=True)
    dims = _dims(2, axis)
    for name in ("any", "all"):
        out = getattr(x, name)(axis=axis, keepdims=keepdims)
        ref = getattr(torch, name)(t, dim=dims, keepdim=keepdims)
        assert out.dtype == np.bool_ and not out.requires_grad
        np.testing.assert_array_equal(out.data, ref.numpy())
        np.testing.assert_array_equal(getattr(gc, name)(x, dim=dims, keepdim=keepdims).data, ref.numpy())


def test_any_all_of_0d_and_empty_tensors_like_torch():
    assert gc.any(gc.tensor(np.array(0.0))).item() is False
    assert gc.tensor(np.array(2)).all(0).item() is True
    empty = np.zeros((0, 3))
    np.testing.assert_array_equal(gc.all(gc.tensor(empty), 0).data, torch.all(torch.tensor(empty), 0).numpy())
    np.testing.assert_array_equal(gc.any(gc.tensor(empty), 0).data, torch.any(torch.tensor(empty), 0).numpy())


def test_isclose_and_allclose_defaults_are_numpys_and_torchs():
    a = np.array([1.0, 1.0 + 1e-6, 1.0 + 1e-4, np.nan, np.inf, 0.0])
    b = np.array([1.0, 1.0, 1.0, np.nan, np.inf, 1e-9])
    ref = torch.isclose(torch.tensor(a), torch.tensor(b))
    out = gc.isclose(gc.tensor(a), gc.tensor(b))
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out.data, ref.numpy())
    np.testing.assert_array_equal(gc.tensor(a).isclose(b, equal_nan=True).data,
                                  torch.isclose(torch.tensor(a), torch.tensor(b), equal_nan=True).numpy())
    np.testing.assert_array_equal(gc.isclose(a, b, rtol=0, atol=1e-3).data,
                                  torch.isclose(torch.tensor(a), torch.tensor(b), rtol=0, atol=1e-3).numpy())
    assert gc.allclose(gc.tensor(a[:3]), b[:3]) is False is torch.allclose(torch.tensor(a[:3]), torch.tensor(b[:3]))
    assert gc.tensor(a[:2]).allclose(gc.tensor(b[:2])) is True
    assert gc.allclose(gc.tensor(a), b, equal_nan=True) is False      # 1 + 1e-4 is not close to 1
    assert gc.allclose(np.ones((2, 3)), 1.0)                           # broadcast


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("call", [
    lambda x: x.prod(2), lambda x: gc.logsumexp(x, -3), lambda x: x.any(2), lambda x: gc.all(x, (0, 5)),
    lambda x: x.cumsum(2), lambda x: gc.cumprod(x, -3), lambda x: gc.cummax(x, 2), lambda x: x.cummin(dim=5),
], ids=["prod", "logsumexp", "any", "all", "cumsum", "cumprod", "cummax", "cummin"])
def test_an_axis_out_of_range_is_numpys_axis_error(call):
    with pytest.raises(np.exceptions.AxisError, match="out of range"):
        call(gc.tensor(np.zeros((2, 2))))


def test_bad_arguments_name_themselves():
    x = gc.tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match="dtype"):
        x.sum(dtype="flaot32")
    with pytest.raises(ValueError, match="dtype"):
        x.mean(dtype=np.int64)                 # PyTorch: mean needs a floating dtype
    with pytest.raises(TypeError, match="axis"):
        gc.cumsum(x, 1.0)
    with pytest.raises(TypeError, match="axis"):
        gc.prod(x, "0")
    with pytest.raises(ValueError, match="rtol"):
        gc.isclose(x, x, rtol=-1.0)
    with pytest.raises(TypeError, match="equal_nan"):
        gc.allclose(x, x, equal_nan=1)
    with pytest.raises(ValueError, match="broadcast"):
        gc.isclose(x, np.ones(4))


# ----------------------------------------------------------------------------- saved values
_RNG = np.random.default_rng(5)
_X = _RNG.uniform(0.5, 1.5, (2, 3))

SAVED_CASES = {
    "prod": (lambda a: a.prod(1), lambda a: a.prod(1), [_X]),
    "prod of all": (lambda a: a.prod(), lambda a: a.prod(), [_X]),
    "logsumexp": (lambda a: gc.logsumexp(a, 1), lambda a: torch.logsumexp(a, 1), [_X]),
    "cumsum": (lambda a: a.cumsum(1), lambda a: a.cumsum(1), [_X]),
    "cumprod": (lambda a: a.cumprod(1), lambda a: a.cumprod(1), [_X]),
    "cummax": (lambda a: gc.cummax(a, 1).values, lambda a: torch.cummax(a, 1).values, [_X]),
    "cummin": (lambda a: gc.cummin(a, 0).values, lambda a: torch.cummin(a, 0).values, [_X]),
    "sum(dtype=)": (lambda a: a.sum(0, dtype=np.float32), lambda a: a.sum(0, dtype=torch.float32), [_X]),
}

# PyTorch's cummax/cummin backward keeps the input itself (it scatters into zeros shaped like
# it); gradcraft's reads only the indices, so the input may change before backward.
SAVED_DEVIATIONS = {
    (name, "g", "input 0"): "backward reads only the indices, not the input's values"
    for name in ("cummax", "cummin")
}


def test_in_place_change_verdict_is_pytorchs(saved_program, check_saved_program):
    check_saved_program(saved_program)
