"""Predicates, logical and bitwise functions and the operators `& | ^ ~` against PyTorch:
values and result dtypes, broadcasting, Python numbers on either side, and bad input. None of
them is differentiable: their results stay outside the graph."""

from __future__ import annotations

import operator

import numpy as np
import pytest
import torch

import gradcraft as gc

SPECIAL = np.array([[0.0, -1.5, np.nan, np.inf], [-np.inf, 2.0, -0.0, 1e-310]])


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite"])
@pytest.mark.parametrize("values", [SPECIAL, SPECIAL.astype(np.float32), np.array([-3, 0, 7]),
                                    np.array([True, False]), np.zeros((0, 3)), np.array(np.nan)],
                         ids=["float64", "float32", "int64", "bool", "size0", "0d"])
def test_predicates_are_torchs(name, values):
    out = getattr(gc, name)(gc.tensor(values))
    expected = getattr(torch, name)(torch.tensor(values))
    assert out.dtype == np.bool_ and out.shape == tuple(expected.shape)
    np.testing.assert_array_equal(out.data, expected.numpy())
    np.testing.assert_array_equal(getattr(gc.tensor(values), name)().data, expected.numpy())


def test_predicates_of_a_tensor_that_requires_grad_stay_outside_the_graph():
    x = gc.tensor(SPECIAL, requires_grad=True)
    for out in (x.isnan(), gc.isinf(x), gc.logical_not(x), gc.logical_and(x, x)):
        assert not out.requires_grad and out.dtype == np.bool_


LOGICAL_INPUTS = [
    (np.array([[0.0, 1.5, -2.0]]), np.array([[0.0], [3.0]])),             # floats, broadcast
    (np.array([0, 2, -1, 0]), np.array([1, 0, -3, 0])),                   # integers
    (np.array([True, False, True, False]), np.array([True, True, False, False])),
    (np.array([0.5, 0.0, np.nan]), np.array([1, 0, 0])),                  # nan is true, mixed
    (np.array(0.0), np.array([1.0, 0.0])),                                # 0-d
    (np.zeros((0, 2)), np.array([1.0, 0.0])),                             # size 0
]


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
@pytest.mark.parametrize("a,b", LOGICAL_INPUTS)
def test_logical_functions_are_torchs(name, a, b):
    expected = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
    for out in (getattr(gc, name)(gc.tensor(a), gc.tensor(b)), getattr(gc.tensor(a), name)(gc.tensor(b)),
                getattr(gc, name)(a, gc.tensor(b))):  # an array operand is accepted
        assert out.dtype == np.bool_ and out.shape == tuple(expected.shape)
        np.testing.assert_array_equal(out.data, expected.numpy())


@pytest.mark.parametrize("a,_", LOGICAL_INPUTS)
def test_logical_not_is_torchs(a, _):
    expected = torch.logical_not(torch.tensor(a))
    np.testing.assert_array_equal(gc.logical_not(gc.tensor(a)).data, expected.numpy())
    np.testing.assert_array_equal(gc.tensor(a).logical_not().data, expected.numpy())


def test_logical_functions_take_python_numbers():
    x = gc.tensor(np.array([0.0, 2.0]))
    np.testing.assert_array_equal(gc.logical_and(x, 1).data, [False, True])
    np.testing.assert_array_equal(gc.logical_or(0, x).data, [False, True])
    np.testing.assert_array_equal(gc.logical_xor(x, True).data, [True, False])


BITWISE = [("bitwise_and", operator.and_), ("bitwise_or", operator.or_),
           ("bitwise_xor", operator.xor)]
BITWISE_INPUTS = [
    (np.array([12, -7, 0, 255]), np.array([10, 3, -1, 256])),
    (np.array([[5], [-6]], dtype=np.int32), np.array([3, 12, -1], dtype=np.int32)),  # broadcast
    (np.array([1, 2], dtype=np.int32), np.array([3, 7], dtype=np.int64)),            # promoted
    (np.array([250, 3], dtype=np.uint8), np.array([15, 1], dtype=np.uint8)),
    (np.array([True, False, True]), np.array([True, True, False])),
    (np.array([True, False]), np.array([3, 4])),
    (np.array(6), np.array([3, 5])),
    (np.zeros((0, 2), dtype=np.int64), np.array([1, 2])),
]


@pytest.mark.parametrize("name,op", BITWISE, ids=[n for n, _ in BITWISE])
@pytest.mark.parametrize("a,b", BITWISE_INPUTS)
def test_bitwise_functions_and_operators_are_torchs(name, op, a, b):
    ta, tb = torch.tensor(a), torch.tensor(b)
    expected = getattr(torch, name)(ta, tb)
    assert torch.equal(op(ta, tb), expected)
    for out in (getattr(gc, name)(gc.tensor(a), gc.tensor(b)), op(gc.tensor(a), gc.tensor(b)),
                getattr(gc.tensor(a), name)(gc.tensor(b))):
        assert isinstance(out, gc.Tensor) and not out.requires_grad
        assert str(out.dtype) == str(expected.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(out.data, expected.numpy())


@pytest.mark.parametrize("values", [np.array([0, 5, -6, 2**40]), np.array([7, 0], dtype=np.uint8),
                                    np.array([True, False]), np.array(-1, dtype=np.int32)],
                         ids=["int64", "uint8", "bool", "0d int32"])
def test_bitwise_not_and_invert_are_torchs(values):
    expected = torch.bitwise_not(torch.tensor(values))
    for out in (gc.bitwise_not(gc.tensor(values)), gc.invert(gc.tensor(values)),
                ~gc.tensor(values), gc.tensor(values).bitwise_not()):
        assert str(out.dtype) == str(expected.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(out.data, expected.numpy())


@pytest.mark.parametrize("name,op", BITWISE, ids=[n for n, _ in BITWISE])
def test_python_numbers_take_the_tensors_dtype(name, op):
    for values in (np.array([5, -6, 12], dtype=np.int32), np.array([5, -6, 12])):
        x, tx = gc.tensor(values), torch.tensor(values)
        for mine, ref in [(op(x, 3), op(tx, 3)), (op(3, x), op(3, tx)), (op(x, True), op(tx, True))]:
            assert str(mine.dtype) == str(ref.dtype).removeprefix("torch.")
            np.testing.assert_array_equal(mine.data, ref.numpy())
    b, tb = gc.tensor(np.array([True, False])), torch.tensor([True, False])
    for mine, ref in [(op(b, True), op(tb, True)), (op(False, b), op(False, tb)), (op(b, 1), op(tb, 1))]:
        assert str(mine.dtype) == str(ref.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(mine.data, ref.numpy())


def test_boolean_masks_combine_with_the_operators():
    x = gc.tensor(np.array([-2.0, -0.5, 0.5, 2.0]))
    inside = (x > -1) & (x < 1)
    np.testing.assert_array_equal(inside.data, [False, True, True, False])
    np.testing.assert_array_equal((~inside | (x > 1.5)).data, [True, False, False, True])
    np.testing.assert_array_equal(((x > 0) ^ inside).data, [False, True, False, True])


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("name,op", BITWISE, ids=[n for n, _ in BITWISE])
def test_bitwise_of_a_float_tensor_is_a_type_error_naming_it(name, op):
    floats, ints = gc.tensor(np.array([1.0, 2.0], dtype=np.float32)), gc.tensor(np.array([1, 2]))
    with pytest.raises(TypeError, match=f"{name}: a must be an integer or bool tensor, got dtype float32"):
        getattr(gc, name)(floats, ints)
    with pytest.raises(TypeError, match=f"{name}: b must be an integer or bool tensor, got dtype float32"):
        op(ints, floats)
    with pytest.raises(TypeError, match=f"{name}: b must be an integer or bool tensor, got 2.5 "):
        getattr(gc, name)(ints, 2.5)
    with pytest.raises(TypeError, match=f"{name}: b must be an integer or bool tensor, got dtype float64"):
        op(ints, 2.5)
    with pytest.raises(TypeError, match="integer or bool tensor, got dtype float32"):
        op(floats, 1)  # torch refuses this too


def test_bitwise_not_of_a_float_is_a_type_error():
    with pytest.raises(TypeError,
                       match="bitwise_not: x must be an integer or bool tensor, got dtype float64"):
        ~gc.tensor(np.array([1.0]))
    with pytest.raises(TypeError):
        ~torch.tensor([1.0])  # torch refuses too


def test_logical_and_predicates_refuse_non_numeric_input():
    with pytest.raises(TypeError, match="isnan: x must be a numeric tensor, got 'a' \\(str\\)"):
        gc.isnan("a")
    with pytest.raises(TypeError, match="logical_and: b must be a numeric tensor, got None"):
        gc.logical_and(gc.tensor([1.0]), None)


def test_operators_with_non_numbers_are_pythons_type_error():
    x = gc.tensor(np.array([1, 2]))
    for op in (operator.and_, operator.or_, operator.xor):
        with pytest.raises(TypeError, match="unsupported operand type"):
            op(x, "a")
        with pytest.raises(TypeError, match="unsupported operand type"):
            op("a", x)


def test_shapes_that_do_not_broadcast_are_named():
    with pytest.raises(ValueError, match=r"incompatible shapes \(3,\) and \(4,\)"):
        gc.tensor(np.arange(3)) & gc.tensor(np.arange(4))
    with pytest.raises(ValueError, match=r"incompatible shapes \(3,\) and \(2,\)"):
        gc.logical_or(gc.tensor(np.zeros(3)), gc.tensor(np.zeros(2)))
