"""Sorting and selecting: sort, argsort, topk, take_along_axis, gather, put_along_axis,
scatter, scatter_add, masked_fill, nonzero, argwhere -- against PyTorch (float64 values and
gradients, stable ties, NaN), finite differences, and the spelling rule (NumPy's spelling gives
NumPy's result, PyTorch's gives PyTorch's)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradcraft as gc


def _t(a):
    return torch.tensor(a)


# ----------------------------------------------------------------------------- sort and topk
SORT_SHAPES = [  # shape, axis, layout
    ((3, 4, 5), -1, "C"), ((3, 4, 5), 0, "C"), ((3, 4, 5), 1, "C"), ((6,), 0, "C"), ((), -1, "C"),
    ((0, 3), 1, "C"), ((2, 0), -1, "C"), ((4, 3), 0, "T"), ((3, 4), -1, "S"), ((1, 5), 0, "C"),
]

SORT_CASES = []
for shape, axis, layout in SORT_SHAPES:
    SORT_CASES += [
        (f"sort(axis={axis})", lambda x, a=axis: gc.sort(x, a), lambda x, a=axis: torch.sort(x, a).values,
         (shape,), "distinct", layout),
        (f"sort_method(axis={axis})", lambda x, a=axis: x.sort(axis=a),
         lambda x, a=axis: torch.sort(x, a).values, (shape,), "distinct", layout),
        (f"sort(dim={axis},descending)", lambda x, a=axis: gc.sort(x, dim=a, descending=True).values,
         lambda x, a=axis: torch.sort(x, a, descending=True).values, (shape,), "distinct", layout),
        (f"sort_method(dim={axis})[0]", lambda x, a=axis: x.sort(dim=a)[0],
         lambda x, a=axis: x.sort(dim=a)[0], (shape,), "distinct", layout),
    ]
SORT_CASES.append(("sort(axis=None)", lambda x: gc.sort(x, axis=None),
                   lambda x: torch.sort(x.reshape(-1)).values, ((3, 4),), "distinct", "T"))

TOPK_CASES = [
    (f"topk(k={k},dim={dim},largest={largest})",
     lambda x, k=k, d=dim, lg=largest: gc.topk(x, k, d, largest=lg).values,
     lambda x, k=k, d=dim, lg=largest: torch.topk(x, k, d, largest=lg).values, (shape,), "distinct", layout)
    for shape, k, dim, largest, layout in [
        ((3, 4, 5), 2, -1, True, "C"), ((3, 4, 5), 3, 0, False, "C"), ((3, 4, 5), 4, 1, True, "C"),
        ((6,), 6, 0, True, "C"), ((6,), 0, 0, True, "C"), ((), 1, -1, True, "C"), ((2, 0), 0, 1, True, "C"),
        ((4, 3), 2, 0, True, "T"), ((3, 4), 1, -1, False, "S"),
    ]
] + [("topk_method", lambda x: x.topk(2, dim=0)[0], lambda x: x.topk(2, dim=0)[0], ((4, 3),), "distinct")]

# ----------------------------------------------------------------------------- take and gather
INDEX = np.array([[0, 2, 2], [1, 0, 3], [3, 3, 1]])          # repeats: gradients add up
TAKE_CASES = [
    ("take_along_axis(axis=1)", lambda x: gc.take_along_axis(x, INDEX, 1),
     lambda x: torch.take_along_dim(x, _t(INDEX), 1), ((3, 4),)),
    ("take_along_axis(axis=0)", lambda x: gc.take_along_axis(x, INDEX.T, axis=0),
     lambda x: torch.take_along_dim(x, _t(INDEX.T), 0), ((4, 3),), "any", "T"),
    ("take_along_axis(broadcast index)", lambda x: gc.take_along_axis(x, np.array([[[1], [0], [2]]]), -1),
     lambda x: torch.take_along_dim(x, _t(np.array([[[1], [0], [2]]])), -1), ((2, 3, 4),)),
    ("take_along_axis(negative)", lambda x: gc.take_along_axis(x, np.array([[-1, 0], [-4, -1], [2, -2]]), 1),
     lambda x: torch.take_along_dim(x, _t(np.array([[3, 0], [0, 3], [2, 2]])), 1), ((3, 4),), "any", "S"),
    ("take_along_axis(axis=None)", lambda x: gc.take_along_axis(x, np.array([5, 0, 5, 2]), None),
     lambda x: torch.take_along_dim(x, _t(np.array([5, 0, 5, 2]))), ((2, 3),)),
    ("take_along_axis(empty)", lambda x: gc.take_along_axis(x, np.zeros((0, 2), dtype=int), 1),
     lambda x: torch.take_along_dim(x, torch.zeros((0, 2), dtype=torch.int64), 1), ((0, 3),)),
    ("gather(dim=1)", lambda x: gc.gather(x, 1, INDEX), lambda x: torch.gather(x, 1, _t(INDEX)), ((3, 4),)),
    ("gather(smaller index)", lambda x: gc.gather(x, 1, INDEX[:2, :2]),
     lambda x: torch.gather(x, 1, _t(INDEX[:2, :2])), ((3, 5),), "any", "T"),
    ("gather(dim=0)", lambda x: x.gather(0, INDEX[:, :2] % 2),
     lambda x: x.gather(0, _t(INDEX[:, :2] % 2)), ((2, 4),), "any", "S"),
    ("gather(0-d)", lambda x: gc.gather(x, 0, np.array(0)), lambda x: torch.gather(x, 0, _t(np.array(0))), ((),)),
    ("gather(3-d)", lambda x: gc.gather(x, -2, np.array([[[1, 0], [2, 2]]])),
     lambda x: torch.gather(x, -2, _t(np.array([[[1, 0], [2, 2]]]))), ((2, 3, 2),)),
]

# ----------------------------------------------------------------------------- writes
UNIQUE = np.array([[2, 0, 1, 3], [1, 2, 0, 0]])  # no position written twice along dim 0 of 3 rows
UNIQUE_ROWS = np.array([[3, 0], [1, 2], [0, 3]])  # along dim 1 of 4 columns

WRITE_CASES = [
    ("scatter(dim=0)", lambda x, s: gc.scatter(x, 0, UNIQUE[:, :3] % 3, s),
     lambda x, s: torch.scatter(x, 0, _t(UNIQUE[:, :3] % 3), s), ((3, 3), (2, 3))),
    ("scatter(dim=1,smaller index)", lambda x, s: x.scatter(1, UNIQUE_ROWS[:2], s),
     lambda x, s: x.scatter(1, _t(UNIQUE_ROWS[:2]), s), ((3, 4), (2, 2)), "any", "TC"),
    ("scatter(value)", lambda x: gc.scatter(x, 1, UNIQUE_ROWS, 2.5),
     lambda x: torch.scatter(x, 1, _t(UNIQUE_ROWS), 2.5), ((3, 4),), "any", "S"),
    ("scatter(value=)", lambda x: gc.scatter(x, 1, UNIQUE_ROWS, value=-1.0),
     lambda x: torch.scatter(x, 1, _t(UNIQUE_ROWS), value=-1.0), ((3, 4),)),
    ("scatter_add(duplicates)", lambda x, s: gc.scatter_add(x, 1, INDEX, s),
     lambda x, s: torch.scatter_add(x, 1, _t(INDEX), s), ((3, 4), (3, 3)), "any", "CT"),
    ("scatter_add(dim=0)", lambda x, s: x.scatter_add(0, INDEX[:2] % 2, s),
     lambda x, s: x.scatter_add(0, _t(INDEX[:2] % 2), s), ((2, 5), (2, 3))),
    ("scatter_add(3-d)", lambda x, s: gc.scatter_add(x, 2, np.array([[[0, 0, 1]], [[1, 1, 1]]]), s),
     lambda x, s: torch.scatter_add(x, 2, _t(np.array([[[0, 0, 1]], [[1, 1, 1]]])), s), ((2, 2, 2), (2, 1, 3))),
    ("scatter_add(empty)", lambda x, s: gc.scatter_add(x, 0, np.zeros((0, 2), dtype=int), s),
     lambda x, s: torch.scatter_add(x, 0, torch.zeros((0, 2), dtype=torch.int64), s), ((2, 2), (0, 2))),
    ("put_along_axis", lambda x, v: gc.put_along_axis(x, UNIQUE_ROWS, v, 1),
     lambda x, v: torch.scatter(x, 1, _t(UNIQUE_ROWS), v), ((3, 4), (3, 2))),
    ("put_along_axis(broadcast values)", lambda x, v: gc.put_along_axis(x, UNIQUE_ROWS, v, axis=1),
     lambda x, v: torch.scatter(x, 1, _t(UNIQUE_ROWS), v.expand(3, 2)), ((3, 4), (3, 1))),
    ("put_along_axis(axis=None)", lambda x, v: gc.put_along_axis(x, np.array([4, 0]), v, None),
     lambda x, v: torch.scatter(x.reshape(-1), 0, _t(np.array([4, 0])), v).reshape(2, 3), ((2, 3), (2,)), "any", "TC"),
]

MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])
MASK_CASES = [
    ("masked_fill(number)", lambda x: gc.masked_fill(x, MASK, 0.5),
     lambda x: torch.masked_fill(x, _t(MASK), 0.5), ((3, 4),)),
    ("masked_fill(method)", lambda x: x.masked_fill(gc.tensor(MASK), -2.0),
     lambda x: x.masked_fill(_t(MASK), -2.0), ((3, 4),), "any", "T"),
    ("masked_fill(0-d tensor)", lambda x, v: gc.masked_fill(x, MASK, v),
     lambda x, v: torch.masked_fill(x, _t(MASK), v), ((3, 4), ()), "any", "SC"),
    ("masked_fill(broadcast mask)", lambda x, v: x.masked_fill(MASK[:1], v),
     lambda x, v: x.masked_fill(_t(MASK[:1]), v), ((2, 3, 4), ())),
    ("masked_fill(broadcast x)", lambda x, v: gc.masked_fill(x, MASK, v),
     lambda x, v: torch.masked_fill(x, _t(MASK), v), ((4,), ())),
    ("masked_fill(0-d x)", lambda x: gc.masked_fill(x, np.array(True), 3.0),
     lambda x: torch.masked_fill(x, torch.tensor(True), 3.0), ((),)),
    ("masked_fill(empty)", lambda x: gc.masked_fill(x, np.zeros((0, 2), dtype=bool), 3.0),
     lambda x: torch.masked_fill(x, torch.zeros((0, 2), dtype=torch.bool), 3.0), ((0, 2),)),
]

CASES = SORT_CASES + TOPK_CASES + TAKE_CASES + WRITE_CASES + MASK_CASES


def test_parity_with_torch(case, parity):
    parity(case)


def test_gradcheck(case, gradcheck_case):
    gradcheck_case(case)


# ----------------------------------------------------------------------------- the spelling rule
def test_numpys_sort_gives_values_pytorchs_gives_values_and_indices():
    values = np.array([[3.0, 1.0, 2.0], [0.5, 9.0, -1.0]])
    x = gc.tensor(values)
    assert isinstance(gc.sort(x), gc.Tensor) and isinstance(x.sort(0), gc.Tensor)
    np.testing.assert_array_equal(gc.sort(x).data, np.sort(values))
    np.testing.assert_array_equal(gc.sort(x, axis=0, kind="mergesort").data, np.sort(values, axis=0))
    for pair, ref in [(gc.sort(x, dim=1), torch.sort(_t(values), dim=1)),
                      (x.sort(descending=True), _t(values).sort(descending=True)),
                      (x.sort(0, stable=True), _t(values).sort(dim=0, stable=True))]:
        values_out, indices = pair
        assert pair.values is values_out and pair.indices is indices
        np.testing.assert_array_equal(values_out.data, ref.values.numpy())
        np.testing.assert_array_equal(indices.data, ref.indices.numpy())
        assert indices.dtype == np.int64 and not indices.requires_grad


def test_tensor_sort_never_sorts_in_place():
    values = np.array([3.0, 1.0, 2.0])
    x = gc.tensor(values)
    out = x.sort()
    np.testing.assert_array_equal(x.data, values)
    np.testing.assert_array_equal(out.data, [1.0, 2.0, 3.0])


def test_argsort_like_numpy_and_torch():
    values = np.random.default_rng(3).permutation(12).reshape(3, 4).astype(float)
    x = gc.tensor(values, requires_grad=True)
    np.testing.assert_array_equal(gc.argsort(x).data, np.argsort(values))
    np.testing.assert_array_equal(x.argsort(axis=None).data, np.argsort(values, axis=None))
    np.testing.assert_array_equal(x.argsort(dim=0, descending=True).data,
                                  torch.argsort(_t(values), dim=0, descending=True).numpy())
    out = gc.argsort(x, 0)
    assert out.dtype == np.int64 and not out.requires_grad


# ----------------------------------------------------------------------------- ties and NaN
TIES = np.array([[2.0, 1.0, 2.0, 1.0, 3.0, 2.0, 1.0], [0.0, 0.0, 0.0, 5.0, 5.0, -1.0, 0.0]])


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("axis", [0, 1])
def test_sort_ties_are_stable_like_torchs_stable_sort(descending, axis):
    x, t = gc.tensor(TIES, requires_grad=True), torch.tensor(TIES, requires_grad=True)
    out = gc.sort(x, dim=axis, descending=descending, stable=True)
    ref = torch.sort(t, dim=axis, descending=descending, stable=True)
    np.testing.assert_array_equal(out.indices.data, ref.indices.numpy())
    np.testing.assert_array_equal(out.values.data, ref.values.detach().numpy())
    upstream = np.random.default_rng(4).standard_normal(TIES.shape)
    out.values.backward(upstream)
    ref.values.backward(torch.tensor(upstream))
    np.testing.assert_array_equal(x.grad, t.grad.numpy())  # each to the element its index names
    np.testing.assert_array_equal(gc.argsort(x, dim=axis, descending=descending).data,
                                  torch.argsort(t, dim=axis, descending=descending, stable=True).numpy())


@pytest.mark.parametrize("descending", [False, True])
def test_nan_sorts_as_the_largest_value_like_torch(descending):
    values = np.array([3.0, np.nan, 1.0, np.nan, -2.0, 1.0])
    out = gc.sort(gc.tensor(values), dim=0, descending=descending)
    ref = torch.sort(_t(values), dim=0, descending=descending, stable=True)
    np.testing.assert_array_equal(out.values.data, ref.values.numpy())
    np.testing.assert_array_equal(out.indices.data, ref.indices.numpy())
    k = gc.topk(gc.tensor(values), 3)
    np.testing.assert_array_equal(k.values.data, torch.topk(_t(values), 3).values.numpy())


def test_topk_ties_take_the_first_elements_and_send_the_gradient_to_them():
    values = np.array([1.0, 4.0, 2.0, 4.0, 4.0, 0.0])
    x = gc.tensor(values, requires_grad=True)
    out = gc.topk(x, 2)
    ref = torch.topk(_t(values), 2)
    np.testing.assert_array_equal(out.values.data, ref.values.numpy())  # the values are torch's
    np.testing.assert_array_equal(out.indices.data, [1, 3])              # ties in index order
    out.values.backward(np.array([10.0, 20.0]))
    np.testing.assert_array_equal(x.grad, [0.0, 10.0, 0.0, 20.0, 0.0, 0.0])
    smallest = x.topk(3, largest=False)
    np.testing.assert_array_equal(smallest.indices.data, [5, 0, 2])


def test_topk_returns_torchs_values_and_indices_without_ties():
    values = np.random.default_rng(8).permutation(20).reshape(4, 5).astype(float)
    for dim, largest in [(0, True), (1, False), (-1, True)]:
        out = gc.topk(gc.tensor(values), 3, dim=dim, largest=largest, sorted=True)
        ref = torch.topk(_t(values), 3, dim=dim, largest=largest, sorted=True)
        np.testing.assert_array_equal(out.values.data, ref.values.numpy())
        np.testing.assert_array_equal(out.indices.data, ref.indices.numpy())


# ----------------------------------------------------------------------------- writes
def test_scatter_add_sums_duplicates_like_torch():
    x = np.zeros((2, 4))
    index = np.array([[0, 0, 3, 0], [2, 2, 2, 1]])
    src = np.arange(1.0, 9.0).reshape(2, 4)
    out = gc.scatter_add(gc.tensor(x), 1, index, gc.tensor(src))
    np.testing.assert_array_equal(out.data, torch.scatter_add(_t(x), 1, _t(index), _t(src)).numpy())
    np.testing.assert_array_equal(out.data, [[7.0, 0.0, 0.0, 3.0], [0.0, 8.0, 18.0, 0.0]])  # by hand


def test_scatter_src_larger_than_index_gets_zero_gradient_beyond_the_index():
    # out[i, index[i, j]] = src[i, j] reads only src[:2, :2]; PyTorch refuses this backward.
    x = gc.tensor(np.zeros((2, 3)), requires_grad=True)
    src = gc.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    index = np.array([[2, 0], [1, 2]])
    out = gc.scatter(x, 1, index, src)
    ref = torch.scatter(torch.zeros(2, 3, dtype=torch.float64), 1, _t(index), _t(np.arange(12.0).reshape(3, 4)))
    np.testing.assert_array_equal(out.data, ref.numpy())
    out.backward(np.arange(1.0, 7.0).reshape(2, 3))
    np.testing.assert_array_equal(src.grad, [[3.0, 1.0, 0, 0], [5.0, 6.0, 0, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(x.grad, [[0, 2.0, 0], [4.0, 0, 0]])


def test_writes_return_a_new_tensor_and_leave_their_input_alone():
    values = np.zeros((2, 3))
    x = gc.tensor(values)
    calls = [lambda: gc.put_along_axis(x, np.array([[0], [1]]), 5.0, 1),
             lambda: x.scatter(1, np.array([[0], [1]]), 5.0),
             lambda: x.scatter_add(0, np.array([[1, 0, 1]]), gc.tensor(np.ones((1, 3)))),
             lambda: x.masked_fill(np.array([True, False, True]), 5.0)]
    for call in calls:
        out = call()
        assert out is not x and out.data.any()
        np.testing.assert_array_equal(x.data, values)


def test_put_along_axis_matches_numpys_result():
    values = np.arange(12.0).reshape(3, 4)
    index = np.array([[1], [3], [0]])
    expected = values.copy()
    np.put_along_axis(expected, index, np.array([[-1.0], [-2.0], [-3.0]]), axis=1)
    out = gc.put_along_axis(gc.tensor(values), index, np.array([[-1.0], [-2.0], [-3.0]]), 1)
    np.testing.assert_array_equal(out.data, expected)
    expected = values.copy()
    np.put_along_axis(expected, np.array([11, 0]), 7.0, axis=None)
    np.testing.assert_array_equal(gc.put_along_axis(gc.tensor(values), np.array([11, 0]), 7.0, None).data, expected)


def test_masked_fill_casts_the_value_to_x_dtype_like_torch():
    x = gc.tensor(np.array([1, 2, 3]))
    out = x.masked_fill(np.array([False, True, False]), 7.9)
    ref = torch.tensor([1, 2, 3]).masked_fill(torch.tensor([False, True, False]), 7.9)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.data, ref.numpy())


# ----------------------------------------------------------------------------- nonzero, argwhere
def test_nonzero_per_spelling():
    values = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    x, t = gc.tensor(values), _t(values)
    numpy_style = gc.nonzero(x)                          # NumPy: a tuple of index tensors
    assert isinstance(numpy_style, tuple) and len(numpy_style) == 2
    for mine, ref in zip(numpy_style, np.nonzero(values)):
        np.testing.assert_array_equal(mine.data, ref)
        assert mine.dtype == np.int64
    for mine, ref in zip(x.nonzero(as_tuple=True), torch.nonzero(t, as_tuple=True)):
        np.testing.assert_array_equal(mine.data, ref.numpy())
    matrix = gc.nonzero(x, as_tuple=False)               # PyTorch's default: (count, ndim)
    np.testing.assert_array_equal(matrix.data, torch.nonzero(t).numpy())
    np.testing.assert_array_equal(x.argwhere().data, torch.argwhere(t).numpy())
    np.testing.assert_array_equal(gc.argwhere(x).data, np.argwhere(values))
    assert gc.argwhere(x).dtype == np.int64 and not gc.argwhere(x).requires_grad


def test_nonzero_of_0d_and_empty_tensors():
    scalar = gc.tensor(np.array(2.0))
    with pytest.raises(ValueError, match="0-d"):           # NumPy 2 refuses too
        gc.nonzero(scalar)
    assert gc.nonzero(scalar, as_tuple=False).shape == tuple(torch.nonzero(torch.tensor(2.0)).shape) == (1, 0)
    got, ref = gc.nonzero(scalar, as_tuple=True), torch.nonzero(torch.tensor(2.0), as_tuple=True)
    assert len(got) == len(ref) == 1 and got[0].tolist() == ref[0].tolist() == [0]
    assert gc.argwhere(scalar).shape == np.argwhere(np.array(2.0)).shape == (1, 0)
    assert gc.argwhere(gc.tensor(np.zeros((0, 3)))).shape == (0, 2)


# ----------------------------------------------------------------------------- bad input
X = gc.tensor(np.arange(6.0).reshape(2, 3))


@pytest.mark.parametrize("call", [
    lambda: gc.sort(X, 2), lambda: X.sort(dim=-3), lambda: gc.argsort(X, 5), lambda: gc.topk(X, 1, dim=2),
    lambda: gc.gather(X, 2, np.zeros((2, 3), dtype=int)), lambda: X.scatter(-3, np.zeros((2, 3), dtype=int), 1.0),
    lambda: gc.take_along_axis(X, np.zeros((2, 1), dtype=int), 2),
    lambda: gc.put_along_axis(X, np.zeros((2, 1), dtype=int), 1.0, -3),
], ids=["sort", "sort(dim)", "argsort", "topk", "gather", "scatter", "take_along_axis", "put_along_axis"])
def test_an_axis_out_of_range_is_numpys_axis_error(call):
    with pytest.raises(np.exceptions.AxisError, match="out of range"):
        call()


def test_k_larger_than_the_axis_names_k():
    with pytest.raises(ValueError, match="k=4"):
        gc.topk(X, 4)
    with pytest.raises(ValueError, match="k must be"):
        X.topk(-1)
    with pytest.raises(TypeError, match="k must be an int"):
        X.topk(1.0)
    with pytest.raises(TypeError, match="largest"):
        X.topk(1, largest=1)


def test_index_errors_name_the_index():
    with pytest.raises(TypeError, match="index must be an integer"):
        gc.gather(X, 1, np.array([[0.0], [1.0]]))
    with pytest.raises(TypeError, match="indices must be an integer"):
        gc.take_along_axis(X, np.array([[0.5]]), 1)
    with pytest.raises(IndexError, match="index holds 3"):
        gc.gather(X, 1, np.array([[3], [0]]))
    with pytest.raises(IndexError, match="index holds -1"):       # PyTorch refuses negatives
        X.gather(1, np.array([[-1], [0]]))
    with pytest.raises(IndexError, match="indices holds -4"):
        gc.take_along_axis(X, np.array([[-4], [0]]), 1)
    with pytest.raises(ValueError, match="index of shape"):       # larger than x off dim
        gc.gather(X, 1, np.zeros((3, 1), dtype=int))
    with pytest.raises(ValueError, match="index must have as many dimensions"):
        gc.gather(X, 1, np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="indices"):
        gc.take_along_axis(X, np.zeros((3, 1), dtype=int), 1)
    with pytest.raises(ValueError, match="src of shape"):
        gc.scatter(X, 1, np.zeros((2, 2), dtype=int), gc.tensor(np.ones((2, 1))))
    with pytest.raises(TypeError, match="exactly one of src"):
        gc.scatter(X, 1, np.zeros((2, 2), dtype=int))
    with pytest.raises(TypeError, match="src must be a tensor"):
        gc.scatter_add(X, 1, np.zeros((2, 2), dtype=int), 1.0)
    with pytest.raises(ValueError, match="values of shape"):
        gc.put_along_axis(X, np.zeros((2, 1), dtype=int), np.ones(3), 1)


def test_mask_errors_name_the_mask():
    with pytest.raises(TypeError, match="mask must be a bool"):
        X.masked_fill(np.ones((2, 3)), 0.0)
    with pytest.raises(TypeError, match="mask must be a bool"):
        gc.masked_fill(X, gc.tensor(np.ones((2, 3), dtype=np.int64)), 0.0)
    with pytest.raises(ValueError, match="mask of shape"):
        gc.masked_fill(X, np.ones((2, 2), dtype=bool), 0.0)
    with pytest.raises(ValueError, match="value must be a number or a 0-d tensor"):
        gc.masked_fill(X, np.ones(3, dtype=bool), gc.tensor(np.ones(3)))
    with pytest.raises(TypeError, match="value"):
        gc.masked_fill(X, np.ones(3, dtype=bool), "0")


def test_sort_argument_errors_name_the_argument():
    with pytest.raises(ValueError, match="kind"):
        gc.sort(X, kind="bubble")
    with pytest.raises(TypeError, match="descending"):
        gc.sort(X, descending="yes")
    with pytest.raises(TypeError, match="both axis= and dim="):
        gc.sort(X, 0, dim=1)
    with pytest.raises(TypeError, match="as_tuple"):
        gc.nonzero(X, as_tuple=1)


# ----------------------------------------------------------------------------- saved values
_RNG = np.random.default_rng(6)
_A, _S = _RNG.uniform(-1.0, 1.0, (3, 4)), _RNG.uniform(-1.0, 1.0, (3, 2))

SAVED_CASES = {
    "sort": (lambda a: gc.sort(a, dim=1).values, lambda a: torch.sort(a, 1).values, [_A]),
    "sort numpy": (lambda a: gc.sort(a, 0), lambda a: torch.sort(a, 0).values, [_A]),
    "topk": (lambda a: gc.topk(a, 2).values, lambda a: torch.topk(a, 2).values, [_A]),
    "take_along_axis": (lambda a: gc.take_along_axis(a, INDEX, 1),
                        lambda a: torch.take_along_dim(a, _t(INDEX), 1), [_A]),
    "gather": (lambda a: gc.gather(a, 1, INDEX[:2]), lambda a: torch.gather(a, 1, _t(INDEX[:2])), [_A]),
    "scatter": (lambda a, s: gc.scatter(a, 1, UNIQUE_ROWS, s), lambda a, s: torch.scatter(a, 1, _t(UNIQUE_ROWS), s),
                [_A, _S]),
    "scatter_add": (lambda a, s: gc.scatter_add(a, 1, UNIQUE_ROWS, s),
                    lambda a, s: torch.scatter_add(a, 1, _t(UNIQUE_ROWS), s), [_A, _S]),
    "put_along_axis": (lambda a, s: gc.put_along_axis(a, UNIQUE_ROWS, s, 1),
                       lambda a, s: torch.scatter(a, 1, _t(UNIQUE_ROWS), s), [_A, _S]),
    "masked_fill": (lambda a, v: gc.masked_fill(a, MASK, v), lambda a, v: torch.masked_fill(a, _t(MASK), v),
                    [_A, np.array(0.5)]),
}

# PyTorch's gather backward keeps the input itself (it scatters into zeros shaped like it);
# gradcraft's reads only the index, so the input may change before backward.
SAVED_DEVIATIONS = {
    (name, "g", "input 0"): "backward reads only the index, not the input's values"
    for name in ("take_along_axis", "gather")
}


def test_in_place_change_verdict_is_pytorchs(saved_program, check_saved_program):
    check_saved_program(saved_program)
