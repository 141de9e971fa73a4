"""Creation functions: values, dtypes and shapes against PyTorch and NumPy, both shape forms,
reproducible random draws (manual_seed, a given generator or seed), requires_grad leaves,
from_numpy's shared memory, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradcraft as gc


def _same(mine, ref):
    """Same shape, dtype and values as a torch tensor or a NumPy array."""
    ref = ref.numpy() if isinstance(ref, torch.Tensor) else np.asarray(ref)
    assert isinstance(mine, gc.Tensor)
    assert mine.shape == ref.shape
    assert mine.dtype == ref.dtype, (mine.dtype, ref.dtype)
    np.testing.assert_allclose(mine.data, ref, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("mine,ref", [
    (lambda: gc.zeros(2, 3), lambda: torch.zeros(2, 3)),
    (lambda: gc.zeros((2, 3)), lambda: torch.zeros((2, 3))),
    (lambda: gc.zeros(()), lambda: torch.zeros(())),
    (lambda: gc.zeros(shape=(2, 1)), lambda: np.zeros(shape=(2, 1), dtype=np.float32)),
    (lambda: gc.ones(size=(3,)), lambda: torch.ones(size=(3,))),
    (lambda: gc.zeros(0, 4), lambda: torch.zeros(0, 4)),
    (lambda: gc.zeros(3, dtype=np.float64), lambda: torch.zeros(3, dtype=torch.float64)),
    (lambda: gc.zeros([2], dtype=np.int64), lambda: torch.zeros([2], dtype=torch.int64)),
    (lambda: gc.ones(2, 3), lambda: torch.ones(2, 3)),
    (lambda: gc.ones((4,), dtype=bool), lambda: torch.ones(4, dtype=torch.bool)),
    (lambda: gc.full((2, 2), 1.5), lambda: torch.full((2, 2), 1.5)),
    (lambda: gc.full((2,), 7), lambda: torch.full((2,), 7)),
    (lambda: gc.full(3, True), lambda: torch.full((3,), True)),
    (lambda: gc.full((2,), 2, dtype=np.float64), lambda: torch.full((2,), 2, dtype=torch.float64)),
    (lambda: gc.eye(3), lambda: torch.eye(3)),
    (lambda: gc.eye(2, 4), lambda: torch.eye(2, 4)),
    (lambda: gc.eye(3, k=1), lambda: np.eye(3, k=1, dtype=np.float32)),
    (lambda: gc.eye(0), lambda: torch.eye(0)),
    (lambda: gc.arange(5), lambda: torch.arange(5)),
    (lambda: gc.arange(2, 11, 3), lambda: torch.arange(2, 11, 3)),
    (lambda: gc.arange(5, 0, -2), lambda: torch.arange(5, 0, -2)),
    (lambda: gc.arange(0, 1, 0.1), lambda: torch.arange(0, 1, 0.1)),
    (lambda: gc.arange(1.5), lambda: torch.arange(1.5)),
    (lambda: gc.arange(0, end=4), lambda: torch.arange(0, end=4)),
    (lambda: gc.arange(3, dtype=np.float64), lambda: torch.arange(3, dtype=torch.float64)),
    (lambda: gc.arange(0), lambda: torch.arange(0)),
    (lambda: gc.linspace(0, 1, 5), lambda: torch.linspace(0, 1, 5)),
    (lambda: gc.linspace(-2, 3, steps=7), lambda: torch.linspace(-2, 3, steps=7)),
    (lambda: gc.linspace(0, 1, 4, endpoint=False), lambda: np.linspace(0, 1, 4, endpoint=False).astype(np.float32)),
    (lambda: gc.linspace(0, 1), lambda: np.linspace(0, 1).astype(np.float32)),
    (lambda: gc.linspace(1, 2, 1), lambda: torch.linspace(1, 2, 1)),
    (lambda: gc.linspace(1, 2, 0), lambda: torch.linspace(1, 2, 0)),
])
def test_values_dtypes_and_shapes(mine, ref):
    _same(mine(), ref())


@pytest.mark.parametrize("dtype,torch_dtype", [(None, None), (np.float32, torch.float32),
                                                (np.int64, torch.int64)])
@pytest.mark.parametrize("source", [np.arange(6.0).reshape(2, 3), np.arange(4, dtype=np.int32), np.float64(2.0)])
def test_like_forms_keep_the_input_dtype(source, dtype, torch_dtype):
    x, t = gc.tensor(source), torch.tensor(source)
    kw, tkw = ({} if dtype is None else {"dtype": dtype}), ({} if dtype is None else {"dtype": torch_dtype})
    _same(gc.zeros_like(x, **kw), torch.zeros_like(t, **tkw))
    _same(gc.ones_like(x, **kw), torch.ones_like(t, **tkw))
    _same(gc.full_like(x, 3, **kw), torch.full_like(t, 3, **tkw))
    empty = gc.empty_like(x, **kw)
    assert empty.shape == tuple(t.shape) and empty.dtype == torch.empty_like(t, **tkw).numpy().dtype
    assert gc.zeros_like(source).dtype == source.dtype  # a NumPy array is accepted too


def test_empty_has_the_shape_and_dtype():
    e = gc.empty(2, 3)
    assert e.shape == (2, 3) and e.dtype == np.float32
    assert gc.empty((4,), dtype=np.int64).dtype == np.int64


def test_full_like_casts_the_fill_to_the_dtype():
    ints = gc.tensor(np.array([1, 2, 3]))
    assert gc.full_like(ints, 2.7).tolist() == torch.full_like(torch.tensor([1, 2, 3]), 2.7).tolist()


# ----------------------------------------------------------------------------- random draws
RANDOM = [
    ("rand", lambda **kw: gc.rand(3, 4, **kw), (3, 4), np.float32),
    ("randn", lambda **kw: gc.randn((3, 4), **kw), (3, 4), np.float32),
    ("randn_size", lambda **kw: gc.randn(size=(2,), **kw), (2,), np.float32),
    ("randint", lambda **kw: gc.randint(2, 9, (5,), **kw), (5,), np.int64),
    ("randint_torch_form", lambda **kw: gc.randint(6, (2, 3), **kw), (2, 3), np.int64),
    ("normal", lambda **kw: gc.normal(1.0, 2.0, (4, 2), **kw), (4, 2), np.float32),
]


@pytest.mark.parametrize("name,draw,shape,dtype", RANDOM, ids=[r[0] for r in RANDOM])
def test_random_draws_are_reproducible(name, draw, shape, dtype):
    gc.manual_seed(123)
    first = draw()
    gc.manual_seed(123)
    again = draw()
    assert first.shape == shape and first.dtype == dtype
    np.testing.assert_array_equal(first.data, again.data)
    assert not np.array_equal(draw().data, again.data) or name.startswith("randint")
    # a given generator or seed: private, independent of the default generator
    by_seed = draw(rng=5)
    by_generator = draw(generator=np.random.default_rng(5))
    np.testing.assert_array_equal(by_seed.data, by_generator.data)
    gc.manual_seed(0)
    np.testing.assert_array_equal(draw(rng=5).data, by_seed.data)


def test_random_values_follow_numpys_generator():
    gc.manual_seed(7)
    np.testing.assert_array_equal(gc.rand(3, dtype=np.float64).data, np.random.default_rng(7).random(3))
    np.testing.assert_allclose(gc.randn(2, 2, rng=3).data, np.random.default_rng(3).standard_normal((2, 2)),
                               rtol=1e-6)
    np.testing.assert_array_equal(gc.randint(0, 10, 6, rng=1).data, np.random.default_rng(1).integers(0, 10, 6))


def test_random_ranges_and_moments():
    u = gc.rand(20000, rng=0).data
    assert 0.0 <= u.min() and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.01
    z = gc.normal(3.0, 0.5, (20000,), rng=0).data
    assert abs(z.mean() - 3.0) < 0.02 and abs(z.std() - 0.5) < 0.02
    k = gc.randint(-2, 3, (5000,), rng=0).data
    assert set(np.unique(k)) == {-2, -1, 0, 1, 2}
    assert gc.randint(4, rng=0).shape == ()


def test_normal_with_tensor_mean_and_std_broadcasts():
    mean = gc.tensor(np.array([0.0, 100.0]))
    out = gc.normal(mean, gc.tensor(np.array([1e-9, 1e-9])), rng=0)
    assert out.shape == (2,) and out.dtype == np.float64  # float64 means, as torch.normal
    np.testing.assert_allclose(out.data, [0.0, 100.0], atol=1e-6)
    assert gc.normal(loc=1.0, scale=0.0, size=3).tolist() == [1.0, 1.0, 1.0]


# ----------------------------------------------------------------------------- leaves
@pytest.mark.parametrize("make", [
    lambda: gc.zeros(2, 3, requires_grad=True), lambda: gc.ones((2,), requires_grad=True),
    lambda: gc.full((2,), 1.5, requires_grad=True), lambda: gc.eye(2, requires_grad=True),
    lambda: gc.arange(3.0, requires_grad=True), lambda: gc.linspace(0, 1, 3, requires_grad=True),
    lambda: gc.zeros_like(np.ones(2), requires_grad=True), lambda: gc.rand(2, requires_grad=True),
    lambda: gc.randn(2, requires_grad=True), lambda: gc.normal(size=(2,), requires_grad=True),
    lambda: gc.empty(2, requires_grad=True),
])
def test_requires_grad_makes_a_leaf_that_collects_gradients(make):
    x = make()
    assert x.requires_grad and x.is_leaf
    (x * 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad, np.full(x.shape, 2.0))


def test_by_default_a_created_tensor_needs_no_grad():
    assert not gc.zeros(2).requires_grad and gc.zeros(2).is_leaf


def test_an_integer_tensor_cannot_require_grad():
    with pytest.raises(TypeError, match="floating-point"):
        gc.arange(3, requires_grad=True)
    with pytest.raises(RuntimeError):  # torch refuses too
        torch.arange(3, requires_grad=True)


def test_from_numpy_shares_memory_like_torch():
    array = np.arange(4.0)
    x = gc.from_numpy(array)
    assert x.dtype == np.float64 and np.shares_memory(x.data, array)
    array[0] = 10.0
    assert x.tolist()[0] == 10.0
    t = torch.from_numpy(array)
    array[1] = 20.0
    assert t[1].item() == 20.0 and x.tolist()[1] == 20.0


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("call,error,message", [
    (lambda: gc.zeros(2, 1.5), TypeError, r"zeros: shape must be integers"),
    (lambda: gc.ones(-1), ValueError, r"ones: shape must be a non-negative int, got -1"),
    (lambda: gc.zeros(2, dtype="flaot32"), TypeError, r"dtype must be a NumPy dtype.*'flaot32'"),
    (lambda: gc.full((2,), "a"), TypeError, r"fill_value must be a number"),
    (lambda: gc.eye(2.0), TypeError, r"eye: N must be an int"),
    (lambda: gc.eye(-1), ValueError, r"eye: N must be a non-negative int"),
    (lambda: gc.arange(0, 5, 0), ValueError, r"arange: step must not be 0"),
    (lambda: gc.arange("5"), TypeError, r"arange: stop must be a real number"),  # one bound is stop
    (lambda: gc.arange(0, 3, end=4), TypeError, r"both stop= and end="),
    (lambda: gc.linspace(0, 1, -1), ValueError, r"linspace: num must be a non-negative int"),
    (lambda: gc.linspace(0, 1, 5, steps=5), TypeError, r"both num= and steps="),
    (lambda: gc.linspace(0), TypeError, r"missing the argument stop"),
    (lambda: gc.rand(2, dtype=np.int64), ValueError, r"rand: dtype must be a floating dtype"),
    (lambda: gc.rand(2, rng=1, generator=2), TypeError, r"both rng= and generator="),
    (lambda: gc.randn(2, rng="x"), TypeError, r"rng must be a numpy.random.Generator or an int seed"),
    (lambda: gc.randint(5, 5, (2,)), ValueError, r"randint: high must be > low"),
    (lambda: gc.randint(0, 5, (2,), dtype=np.float32), ValueError, r"randint: dtype must be an integer dtype"),
    (lambda: gc.randint(0.5, 5), TypeError, r"randint: low must be an int"),
    (lambda: gc.normal(0.0, -1.0, (2,)), ValueError, r"normal: std must be >= 0"),
    (lambda: gc.from_numpy([1.0, 2.0]), TypeError, r"from_numpy: expected a numpy.ndarray"),
    (lambda: gc.zeros(2, shape=(2,)), TypeError, r"zeros: give the shape once"),
    (lambda: gc.zeros(2, requires_grad=1), TypeError, r"requires_grad must be True or False"),
])
def test_bad_arguments_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
