"""Reductions (sum mean var std max min) over axis None / int / tuple, with and without
keepdims, against PyTorch (float64) and finite differences. NumPy names and defaults: ddof=0,
`max` returns values."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradcraft as gc

# PyTorch warns when a size-0 input makes its (numel in / numel out) ratio 0/0.
pytestmark = pytest.mark.filterwarnings(r"ignore:(var|std)\(\):UserWarning")


def _dims(x, axis):
    """NumPy's axis as PyTorch's dim (None means every axis)."""
    if axis is None:
        return tuple(range(x.ndim))
    return axis


def _reduction(name, method, torch_fn, **options):
    """A row factory: the reduction as gradcraft method and function, and as torch call."""
    def rows(shape, axis, keepdims, domain="any", layout="C"):
        label = f"{name}(axis={axis},keepdims={keepdims})"
        yield (label,
               lambda x: getattr(x, method)(axis=axis, keepdims=keepdims, **options),
               lambda x: torch_fn(x, _dims(x, axis), keepdims),
               (shape,), domain, layout)
        yield (f"gc.{label}",
               lambda x: getattr(gc, method)(x, axis=axis, keepdims=keepdims, **options),
               lambda x: torch_fn(x, _dims(x, axis), keepdims),
               (shape,), domain, layout)
    return rows


sum_rows = _reduction("sum", "sum", lambda x, d, k: torch.sum(x, dim=d, keepdim=k))
mean_rows = _reduction("mean", "mean", lambda x, d, k: torch.mean(x, dim=d, keepdim=k))
var_rows = _reduction("var", "var", lambda x, d, k: torch.var(x, dim=d, keepdim=k, correction=0))
var1_rows = _reduction("var_ddof1", "var", lambda x, d, k: torch.var(x, dim=d, keepdim=k, correction=1),
                       ddof=1)
std_rows = _reduction("std", "std", lambda x, d, k: torch.std(x, dim=d, keepdim=k, correction=0))
max_rows = _reduction("max", "max", lambda x, d, k: torch.amax(x, dim=d, keepdim=k))
min_rows = _reduction("min", "min", lambda x, d, k: torch.amin(x, dim=d, keepdim=k))

# (shape, axis, keepdims, layout)
COMMON = [
    ((3, 4, 5), None, False, "C"),
    ((3, 4, 5), None, True, "C"),
    ((3, 4, 5), 0, False, "C"),
    ((3, 4, 5), -1, True, "C"),
    ((3, 4, 5), (0, 2), False, "C"),
    ((3, 4, 5), (2, 0), True, "C"),
    ((3, 4, 5), (-1, 1), False, "C"),
    ((4,), 0, False, "C"),
    ((1, 3), 0, False, "C"),          # reducing a size-1 axis
    ((4, 3), 0, False, "T"),          # transposed view
    ((3, 4), 1, True, "S"),           # strided view
    ((2, 3, 4), (0, 1), False, "T"),
]

CASES = []
for rows in (sum_rows, mean_rows, var_rows, std_rows, max_rows, min_rows):
    domain = "distinct" if rows in (max_rows, min_rows) else "any"
    for shape, axis, keepdims, layout in COMMON:
        CASES += rows(shape, axis, keepdims, domain, layout)
    # 0-d input, axis None
    CASES += rows((), None, False, domain)
    # size-0 input reduced over a non-empty axis: result has a size-0 dimension
    CASES += rows((0, 3), 1, False, domain)
for shape, axis, keepdims, layout in COMMON[:8] + COMMON[9:]:  # not one element per group
    CASES += var1_rows(shape, axis, keepdims, "any", layout)
CASES += sum_rows((0, 3), 0, False)       # summing an empty axis gives zeros
CASES += sum_rows((2, 0, 3), None, True)


def test_parity_with_torch(case, parity):
    parity(case)


def test_gradcheck(case, gradcheck_case):
    gradcheck_case(case)


# ----------------------------------------------------------------------------- conventions
def test_max_returns_values_not_indices():
    x = gc.tensor(np.array([[1.0, 7.0, 3.0], [9.0, 2.0, 4.0]]))
    np.testing.assert_array_equal(x.max(axis=1).data, [7.0, 9.0])
    np.testing.assert_array_equal(x.min(axis=0).data, [1.0, 2.0, 3.0])
    assert x.max().shape == ()
    assert x.max().item() == 9.0


def test_defaults_are_numpys():
    x = gc.tensor(np.array([[1.0, 2.0], [3.0, 5.0]]))
    assert x.sum().shape == () and x.sum().item() == 11.0     # axis=None, keepdims=False
    assert x.var().item() == pytest.approx(2.1875)             # ddof=0: mean 2.75, sum sq dev 8.75
    assert x.std(ddof=1).item() == pytest.approx(np.sqrt(8.75 / 3))
    assert x.mean(axis=0, keepdims=True).shape == (1, 2)


def test_empty_axis_tuple_reduces_nothing_like_numpy():
    values = np.arange(6.0).reshape(2, 3)
    x = gc.tensor(values, requires_grad=True)
    out = x.sum(axis=())
    assert out.shape == (2, 3)
    np.testing.assert_array_equal(out.data, values)
    out.backward(np.full((2, 3), 2.0))
    np.testing.assert_array_equal(x.grad, np.full((2, 3), 2.0))


def test_argmax_argmin_are_integer_and_not_differentiable():
    values = np.array([[0.5, 3.0, 3.0], [2.0, -1.0, 0.0]])
    x = gc.tensor(values, requires_grad=True)
    idx = gc.argmax(x, axis=1)
    np.testing.assert_array_equal(idx.data, torch.argmax(torch.tensor(values), dim=1).numpy())
    np.testing.assert_array_equal(x.argmin(axis=0).data, [0, 1, 1])
    assert x.argmax().item() == 1          # first maximum of the flattened array, as NumPy
    assert np.issubdtype(idx.dtype, np.integer)
    assert not idx.requires_grad
    np.testing.assert_array_equal(x.argmax(axis=1, keepdims=True).data, [[1], [0]])


@pytest.mark.parametrize("method", ["max", "min"])
def test_extremum_of_an_empty_axis_is_an_error(method):
    with pytest.raises(ValueError, match=r"\(0, 3\)"):
        getattr(gc.tensor(np.zeros((0, 3))), method)(axis=0)


def test_std_of_constant_values_has_zero_gradient_like_torch():
    values = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]])
    x, tx = gc.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    x.std(axis=1).sum().backward()
    tx.std(dim=1, correction=0).sum().backward()
    assert np.isfinite(x.grad).all()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_mean_gradient_uses_the_reduced_count_only():
    # d mean_axis1 / dx = 1/4 for every element (hand arithmetic: 4 elements per row)
    x = gc.tensor(np.ones((3, 4)), requires_grad=True)
    x.mean(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, np.full((3, 4), 0.25))
