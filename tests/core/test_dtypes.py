"""dtype rules: Python floats make float32, NumPy arrays keep their dtype, mixing dtypes follows
NumPy's promotion (Python scalars are weak, float32 stays float32), every gradient has its
leaf's dtype."""

from __future__ import annotations

import numpy as np
import pytest

import torch

import gradcraft as gc
import gradcraft.functional as F


def test_creation_dtypes():
    assert gc.tensor(1.0).dtype == np.float32
    assert gc.tensor([1.0, 2.0]).dtype == np.float32
    assert gc.tensor([[1, 2]]).dtype == np.int64
    assert gc.tensor(np.zeros(2, dtype=np.float64)).dtype == np.float64
    assert gc.tensor(np.zeros(2, dtype=np.float16)).dtype == np.float16
    assert gc.tensor([1, 2], dtype=np.float64).dtype == np.float64
    assert gc.tensor(1.0, dtype="float64").dtype == np.float64
    assert gc.tensor(gc.tensor(np.ones(2))).dtype == np.float64


def _f32(shape=(2, 3), requires_grad=True):
    values = np.random.default_rng(0).uniform(0.5, 1.5, shape).astype(np.float32)
    return gc.tensor(values, requires_grad=requires_grad)


@pytest.mark.parametrize("scalar", [2, 2.5, True, np.float32(2.0)], ids=["int", "float", "bool", "np.float32"])
def test_float32_with_python_scalars_stays_float32(scalar):
    x = _f32()
    for out in (x + scalar, scalar + x, x - scalar, scalar - x, x * scalar, scalar * x,
                x / scalar, scalar / x, x ** scalar, scalar ** x, gc.maximum(x, scalar),
                gc.where(x.data > 1, x, scalar)):
        assert out.dtype == np.float32


FLOAT32_OPS = [
    ("exp", gc.exp), ("log", gc.log), ("sqrt", gc.sqrt), ("abs", gc.abs), ("tanh", gc.tanh),
    ("sigmoid", gc.sigmoid), ("relu", gc.relu), ("leaky_relu", gc.leaky_relu),
    ("clip", lambda x: x.clip(0.7, 1.2)), ("neg", lambda x: -x), ("sum", lambda x: x.sum(axis=0)),
    ("mean", lambda x: x.mean()), ("var", lambda x: x.var(axis=1)), ("std", lambda x: x.std()),
    ("max", lambda x: x.max(axis=1)), ("min", lambda x: x.min()), ("softmax", F.softmax),
    ("log_softmax", F.log_softmax), ("reshape", lambda x: x.reshape(-1)), ("T", lambda x: x.T),
    ("pad", lambda x: x.pad(1)), ("getitem", lambda x: x[[0, 0]]), ("matmul", lambda x: x @ x.T),
    ("linear", lambda x: F.linear(x, x, x[0, :2])),
    ("dropout", lambda x: F.dropout(x, 0.5, True, rng=0)),
]


@pytest.mark.parametrize("name,op", FLOAT32_OPS, ids=[n for n, _ in FLOAT32_OPS])
def test_float32_in_float32_out_and_float32_gradient(name, op):
    x = _f32()
    out = op(x)
    assert out.dtype == np.float32, name
    out.backward(np.ones(out.shape))       # a float64 upstream is cast to the output's dtype
    assert x.grad.dtype == np.float32


DTYPE_PAIRS = [
    (np.float32, np.float64), (np.float64, np.float32), (np.float32, np.float32),
    (np.float32, np.int64), (np.int64, np.float32), (np.float16, np.float32),
    (np.int32, np.int64), (np.int64, np.int64), (np.bool_, np.float32),
]


@pytest.mark.parametrize("left,right", DTYPE_PAIRS, ids=lambda d: np.dtype(d).name)
def test_mixing_tensor_dtypes_follows_numpy_promotion(left, right):
    a = gc.tensor(np.ones((2, 2), dtype=left))
    b = gc.tensor(np.ones((2,), dtype=right))
    expected = np.result_type(np.ones(1, left), np.ones(1, right))   # NumPy's own rule
    assert (a + b).dtype == expected
    assert (a * b).dtype == expected
    assert gc.maximum(a, b).dtype == expected


def test_python_scalars_are_weak_like_numpy():
    i = gc.tensor([1, 2, 3])
    assert (i * 2).dtype == np.int64
    assert (i * 1.5).dtype == np.float64                  # int array + Python float
    assert (i / 2).dtype == np.float64                    # true division
    x16 = gc.tensor(np.ones(2, dtype=np.float16))
    assert (x16 * 3.0).dtype == np.float16


def test_numpy_arrays_mixed_in_follow_numpy_promotion():
    x = _f32()
    assert (x + np.ones(3, dtype=np.float32)).dtype == np.float32
    assert (x + np.ones(3, dtype=np.float64)).dtype == np.float64
    assert (np.ones(3, dtype=np.float64) * x).dtype == np.float64


def test_gradient_dtype_is_the_leaf_dtype_in_a_mixed_graph():
    x32 = _f32((3,))
    w64 = gc.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    out = (x32 * w64).sum()
    assert out.dtype == np.float64
    out.backward()
    assert x32.grad.dtype == np.float32 and w64.grad.dtype == np.float64
    np.testing.assert_array_equal(x32.grad, np.array([1.0, 2.0, 3.0], dtype=np.float32))
    np.testing.assert_array_equal(w64.grad, x32.data.astype(np.float64))


def test_a_float64_upstream_gradient_is_cast_to_float32():
    x = _f32((3,))
    (x * 2).backward(np.array([1.0, 2.0, 3.0]))
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, np.array([2.0, 4.0, 6.0], dtype=np.float32))


def test_astype_changes_dtype_and_the_gradient_comes_back():
    x = _f32((2,))
    y = x.astype("float64")
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "tanh", "sigmoid", "sin", "log1p", "erf"])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_float_functions_of_integers_are_float32_as_torch(name, dtype):
    values = np.array([1, 2, 3]).astype(dtype)
    out = getattr(gc, name)(gc.tensor(values))
    expected = getattr(torch, name)(torch.tensor(values))
    assert out.dtype == np.float32 and expected.dtype == torch.float32
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-6)
