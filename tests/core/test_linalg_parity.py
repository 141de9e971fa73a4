"""`@` / matmul with NumPy's rules (2-D, batched N-D with broadcasting, 1-D operands) and the
fused `functional.linear`, against PyTorch (float64) and finite differences."""

from __future__ import annotations

import operator

import numpy as np
import pytest
import torch

import gradcraft as gc

MATMUL_SHAPES = [  # (a, b, layouts)
    ((2, 3), (3, 4), "CC"),
    ((1, 1), (1, 1), "CC"),
    ((5, 2, 3), (3, 4), "CC"),          # batch on the left only
    ((2, 3), (5, 3, 4), "CC"),          # batch on the right only
    ((5, 2, 3), (5, 3, 4), "CC"),
    ((2, 1, 2, 3), (4, 3, 2), "CC"),    # batch dims broadcast both ways: (2,1) with (4,)
    ((3,), (3, 4), "CC"),               # 1-D on the left: a row vector, dimension dropped
    ((2, 3), (3,), "CC"),               # 1-D on the right: a column vector
    ((3,), (3,), "CC"),                 # inner product: a 0-d result
    ((3,), (5, 3, 4), "CC"),            # 1-D with a batched matrix
    ((5, 2, 3), (3,), "CC"),
    ((0, 3), (3, 4), "CC"),             # size-0 rows
    ((2, 0), (0, 4), "CC"),             # size-0 inner dimension: a zero result
    ((2, 3), (3, 4), "TT"),             # transposed views of (3, 2) and (4, 3) leaves
    ((2, 3), (3, 4), "SS"),             # strided views
    ((4, 3, 2), (2, 3), "TC"),
]

CASES = [
    ("matmul@", operator.matmul, operator.matmul, (sa, sb), "any", lay)
    for sa, sb, lay in MATMUL_SHAPES
] + [
    ("gc.matmul", gc.matmul, torch.matmul, (sa, sb), "any", lay)
    for sa, sb, lay in MATMUL_SHAPES[:6]
]

LINEAR_SHAPES = [  # (x, weight, bias or None, layouts)
    ((4, 3), (5, 3), (5,), "CCC"),
    ((4, 3), (5, 3), None, "CC"),
    ((2, 4, 3), (5, 3), (5,), "CCC"),   # leading batch dims
    ((3,), (5, 3), (5,), "CCC"),        # a single sample
    ((1, 1), (1, 1), (1,), "CCC"),
    ((0, 3), (5, 3), (5,), "CCC"),      # empty batch
    ((4, 3), (5, 3), (5,), "TSC"),      # non-contiguous x and weight
]

for sx, sw, sb, lay in LINEAR_SHAPES:
    if sb is None:
        CASES.append(("linear", gc.functional.linear, torch.nn.functional.linear, (sx, sw), "any", lay))
    else:
        CASES.append(("linear+bias", gc.functional.linear, torch.nn.functional.linear,
                      (sx, sw, sb), "any", lay))


def test_parity_with_torch(case, parity):
    parity(case)


def test_gradcheck(case, gradcheck_case):
    gradcheck_case(case)


def test_matmul_of_float32_stays_float32():
    a = gc.tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    b = gc.tensor(np.ones((3, 4), dtype=np.float32), requires_grad=True)
    out = a @ b
    assert out.dtype == np.float32
    out.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float32
    np.testing.assert_array_equal(a.grad, np.full((2, 3), 4.0))   # each row of b sums to 4


def test_linear_mixed_dtypes_follow_numpy_promotion():
    x = gc.tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    w = gc.tensor(np.ones((4, 3), dtype=np.float32), requires_grad=True)
    b64 = gc.tensor(np.full(4, 0.5), requires_grad=True)
    assert gc.functional.linear(x, w).dtype == np.float32
    out = gc.functional.linear(x, w, b64)
    assert out.dtype == np.result_type(np.float32, np.float64)
    np.testing.assert_array_equal(out.data, np.full((2, 4), 3.5))
    out.sum().backward()
    assert x.grad.dtype == np.float32 and b64.grad.dtype == np.float64
    np.testing.assert_array_equal(b64.grad, [2.0, 2.0, 2.0, 2.0])


def test_matmul_with_a_numpy_array_on_either_side():
    w = np.arange(6.0).reshape(3, 2)
    x = gc.tensor(np.ones((2, 3)), requires_grad=True)
    out = x @ w
    np.testing.assert_array_equal(out.data, np.ones((2, 3)) @ w)
    out2 = np.ones((4, 2)) @ x
    assert isinstance(out2, gc.Tensor) and out2.shape == (4, 3)


@pytest.mark.parametrize("a,b", [((2, 3), (4, 5)), ((3,), (4,)), ((2, 3), (2,)), ((5, 2, 3), (4, 3, 2))])
def test_incompatible_matmul_names_both_shapes(a, b):
    with pytest.raises(ValueError) as info:
        gc.tensor(np.ones(a)) @ gc.tensor(np.ones(b))
    assert str(a) in str(info.value) and str(b) in str(info.value)


def test_matmul_of_a_0d_operand_is_an_error():
    with pytest.raises(ValueError, match=r"\(\) and \(3,\)"):
        gc.tensor(2.0) @ gc.tensor(np.ones(3))


def test_linear_rejects_mismatched_weight_and_bias():
    x = gc.tensor(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(5, 2\)"):
        gc.functional.linear(x, gc.tensor(np.ones((5, 2))))
    with pytest.raises(ValueError, match=r"bias.*\(5,\).*\(4,\)"):
        gc.functional.linear(x, gc.tensor(np.ones((5, 3))), gc.tensor(np.ones(4)))
