"""Property-based tests (hypothesis): broadcasting gradients, reductions, and the round trips of
shape ops, whose gradients are the inverse movement. Expected values are arithmetic."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import gradcraft as gc

FAST = settings(max_examples=40, deadline=None)


def _values(seed, shape):
    return np.random.default_rng(seed).uniform(0.5, 2.0, shape)


pairs = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=0, max_side=3)
seeds = st.integers(0, 2**16)


@FAST
@given(shapes=pairs, seed=seeds)
def test_add_gradient_counts_the_broadcast_copies(shapes, seed):
    (sa, sb), out_shape = shapes.input_shapes, shapes.result_shape
    a = gc.tensor(_values(seed, sa), requires_grad=True)
    b = gc.tensor(_values(seed + 1, sb), requires_grad=True)
    out = a + b
    assert out.shape == out_shape
    out.backward(np.ones(out_shape))
    assert a.grad.shape == sa and b.grad.shape == sb
    out_size = int(np.prod(out_shape, dtype=int))
    # every element of a is copied out_size / a.size times, and each copy receives 1
    if a.size:
        np.testing.assert_allclose(a.grad, np.full(sa, out_size / a.size))
    if b.size:
        np.testing.assert_allclose(b.grad, np.full(sb, out_size / b.size))


@FAST
@given(shapes=pairs, seed=seeds)
def test_mul_gradient_sums_match_arithmetic(shapes, seed):
    (sa, sb), out_shape = shapes.input_shapes, shapes.result_shape
    av, bv = _values(seed, sa), _values(seed + 1, sb)
    a, b = gc.tensor(av, requires_grad=True), gc.tensor(bv, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == sa and b.grad.shape == sb
    out_size = int(np.prod(out_shape, dtype=int))
    # d/da sum(a*b) summed over a = sum over the output of b = (out_size / b.size) * sum(b)
    if av.size and bv.size:
        np.testing.assert_allclose(a.grad.sum(), out_size / bv.size * bv.sum(), rtol=1e-10)
        np.testing.assert_allclose(b.grad.sum(), out_size / av.size * av.sum(), rtol=1e-10)
    else:
        assert a.grad.sum() == 0 and b.grad.sum() == 0


@FAST
@given(shapes=pairs, seed=seeds, op=st.sampled_from(["-", "/", "maximum", "**"]))
def test_broadcast_gradient_shapes_equal_input_shapes(shapes, seed, op):
    sa, sb = shapes.input_shapes
    a = gc.tensor(_values(seed, sa), requires_grad=True)
    b = gc.tensor(_values(seed + 1, sb), requires_grad=True)
    fn = {"-": lambda: a - b, "/": lambda: a / b, "maximum": lambda: gc.maximum(a, b),
          "**": lambda: a**b}[op]
    out = fn()
    assert out.shape == shapes.result_shape
    out.backward(np.ones(out.shape))
    assert a.grad.shape == sa and b.grad.shape == sb
    assert a.grad.dtype == np.float64 and b.grad.dtype == np.float64


@st.composite
def shape_and_axes(draw):
    shape = draw(array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
    axes = draw(st.lists(st.integers(0, len(shape) - 1), unique=True, max_size=len(shape)))
    negate = draw(st.booleans())
    return shape, tuple(a - len(shape) if negate else a for a in axes)


@FAST
@given(case=shape_and_axes(), keepdims=st.booleans(), seed=seeds)
def test_sum_and_mean_gradients(case, keepdims, seed):
    shape, axes = case
    x = gc.tensor(_values(seed, shape), requires_grad=True)
    s = x.sum(axis=axes, keepdims=keepdims)
    reduced = {a % len(shape) for a in axes}
    if keepdims:
        assert s.shape == tuple(1 if i in reduced else n for i, n in enumerate(shape))
    else:
        assert s.shape == tuple(n for i, n in enumerate(shape) if i not in reduced)
    s.backward(np.ones(s.shape))
    np.testing.assert_array_equal(x.grad, np.ones(shape))
    x.grad = None
    m = x.mean(axis=axes, keepdims=keepdims)
    m.backward(np.ones(m.shape))
    count = int(np.prod([shape[a] for a in axes], dtype=int))  # 1 when axes == ()
    np.testing.assert_allclose(x.grad, np.full(shape, 1.0 / count))


@FAST
@given(shape=array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4), seed=seeds)
def test_reshape_round_trip_and_gradient(shape, seed):
    values = _values(seed, shape)
    x = gc.tensor(values, requires_grad=True)
    flat = x.reshape(-1)
    back = flat.reshape(shape)
    np.testing.assert_array_equal(back.data, values)
    upstream = np.arange(float(values.size))
    flat.backward(upstream)
    np.testing.assert_array_equal(x.grad, upstream.reshape(shape))


@st.composite
def shape_and_permutation(draw):
    shape = draw(array_shapes(min_dims=1, max_dims=5, min_side=1, max_side=3))
    perm = draw(st.permutations(range(len(shape))))
    return shape, tuple(perm)


@FAST
@given(case=shape_and_permutation(), seed=seeds)
def test_transpose_gradient_is_the_inverse_permutation(case, seed):
    shape, perm = case
    values = _values(seed, shape)
    x = gc.tensor(values, requires_grad=True)
    y = x.transpose(perm)
    assert y.shape == tuple(shape[p] for p in perm)
    inverse = tuple(int(i) for i in np.argsort(perm))
    np.testing.assert_array_equal(y.transpose(inverse).data, values)
    upstream = np.random.default_rng(seed).standard_normal(y.shape)
    y.backward(upstream)
    # element x[i] went to y[j] with j[k] = i[perm[k]]; moving it back is the inverse permutation
    np.testing.assert_array_equal(x.grad, upstream.transpose(inverse))
    for index in [tuple(0 for _ in shape), tuple(n - 1 for n in shape)]:
        assert x.grad[index] == upstream[tuple(index[p] for p in perm)]


@st.composite
def pieces_along_an_axis(draw):
    base = draw(array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    axis = draw(st.integers(0, len(base) - 1))
    sizes = draw(st.lists(st.integers(0, 3), min_size=1, max_size=4))
    shapes = [base[:axis] + (n,) + base[axis + 1:] for n in sizes]
    return shapes, axis


@FAST
@given(case=pieces_along_an_axis(), seed=seeds)
def test_concatenate_then_split_is_the_identity(case, seed):
    shapes, axis = case
    parts = [gc.tensor(_values(seed + i, s), requires_grad=True) for i, s in enumerate(shapes)]
    joined = gc.concatenate(parts, axis=axis)
    assert joined.shape[axis] == sum(s[axis] for s in shapes)
    cuts = np.cumsum([s[axis] for s in shapes])[:-1].tolist()
    pieces = gc.split(joined, cuts, axis=axis)
    for piece, part in zip(pieces, parts):
        np.testing.assert_array_equal(piece.data, part.data)
    upstream = np.random.default_rng(seed).standard_normal(joined.shape)
    joined.backward(upstream)
    start = 0
    for part, shape in zip(parts, shapes):
        index = [slice(None)] * len(shape)
        index[axis] = slice(start, start + shape[axis])
        np.testing.assert_array_equal(part.grad, upstream[tuple(index)])
        start += shape[axis]


@FAST
@given(shape=array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
       count=st.integers(1, 4), data=st.data(), seed=seeds)
def test_stack_then_index_is_the_identity(shape, count, data, seed):
    axis = data.draw(st.integers(-(len(shape) + 1), len(shape)))
    parts = [gc.tensor(_values(seed + i, shape), requires_grad=True) for i in range(count)]
    stacked = gc.stack(parts, axis=axis)
    assert stacked.shape[axis] == count and stacked.ndim == len(shape) + 1
    upstream = np.random.default_rng(seed).standard_normal(stacked.shape)
    stacked.backward(upstream)
    for i, part in enumerate(parts):
        np.testing.assert_array_equal(np.take(stacked.data, i, axis=axis), part.data)
        np.testing.assert_array_equal(part.grad, np.take(upstream, i, axis=axis))


@FAST
@given(shape=array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), data=st.data(), seed=seeds)
def test_integer_indexing_gradient_counts_picks(shape, data, seed):
    n = shape[0]
    picks = data.draw(st.lists(st.integers(0, n - 1), min_size=0, max_size=8))
    x = gc.tensor(_values(seed, shape), requires_grad=True)
    out = x[np.array(picks, dtype=np.int64)]
    out.backward(np.ones(out.shape))
    counts = np.bincount(np.array(picks, dtype=np.int64), minlength=n).astype(float)
    np.testing.assert_array_equal(x.grad, np.broadcast_to(counts.reshape((n,) + (1,) * (len(shape) - 1)), shape))
