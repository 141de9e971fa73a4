"""Movement ops (flip roll diag diagonal tile repeat/repeat_interleave chunk unfold meshgrid
flatten tril triu cat) against PyTorch (float64 values and gradients) and finite differences,
their in-place verdicts, and their argument errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradcraft as gc

RNG = np.random.default_rng(5)


def _all_dims(t):
    return list(range(t.ndim))


FLIP = [
    ("flip", lambda x: gc.flip(x, 0), lambda x: torch.flip(x, [0]), ((3, 4),)),
    ("flip_all", lambda x: gc.flip(x), lambda x: torch.flip(x, _all_dims(x)), ((2, 3, 4),)),
    ("flip_dims", lambda x: x.flip(dims=(0, 2)), lambda x: x.flip((0, 2)), ((2, 3, 4),), "any", "T"),
    ("flip_-1", lambda x: x.flip(-1), lambda x: x.flip(-1), ((3, 4),), "any", "S"),
    ("flip_varargs", lambda x: x.flip(0, 2), lambda x: x.flip(0, 2), ((2, 3, 2),)),
    ("flip_dim", lambda x: x.flip(dim=1), lambda x: x.flip(1), ((2, 3),)),
    ("flip_0d", lambda x: gc.flip(x), lambda x: torch.flip(x, []), ((),)),
    ("flip_empty", lambda x: gc.flip(x, 1), lambda x: torch.flip(x, [1]), ((0, 3),)),
    ("roll", lambda x: gc.roll(x, 2, 1), lambda x: torch.roll(x, 2, 1), ((3, 4),)),
    ("roll_flat", lambda x: gc.roll(x, -5), lambda x: torch.roll(x, -5), ((3, 4),)),
    ("roll_pairs", lambda x: x.roll((1, -2), (0, 2)), lambda x: x.roll((1, -2), (0, 2)), ((2, 3, 4),)),
    ("roll_torch_names", lambda x: x.roll(shifts=7, dims=0), lambda x: x.roll(shifts=7, dims=0),
     ((3, 4),), "any", "T"),
    ("roll_empty", lambda x: gc.roll(x, 1, 0), lambda x: torch.roll(x, 1, 0), ((0, 3),)),
]

DIAGONALS = [
    ("diag_of_matrix", gc.diag, torch.diag, ((3, 4),)),
    ("diag_k", lambda x: gc.diag(x, 1), lambda x: torch.diag(x, 1), ((4, 3),), "any", "T"),
    ("diag_k_negative", lambda x: gc.diag(x, k=-2), lambda x: torch.diag(x, -2), ((4, 4),)),
    ("diag_vector", gc.diag, torch.diag, ((3,),)),
    ("diag_vector_k", lambda x: x.diag(diagonal=-1), lambda x: x.diag(-1), ((3,),)),
    ("diag_vector_empty", gc.diag, torch.diag, ((0,),)),
    ("diagonal", gc.diagonal, torch.diagonal, ((3, 4),)),
    ("diagonal_offset", lambda x: x.diagonal(1, 1, 2), lambda x: x.diagonal(1, 1, 2), ((2, 3, 4),)),
    ("diagonal_torch_names", lambda x: x.diagonal(-1, dim1=2, dim2=0),
     lambda x: x.diagonal(-1, dim1=2, dim2=0), ((3, 2, 4),), "any", "S"),
    ("diagonal_past_the_end", lambda x: x.diagonal(5), lambda x: x.diagonal(5), ((3, 4),)),
    ("tril", gc.tril, torch.tril, ((3, 4),)),
    ("tril_k", lambda x: x.tril(1), lambda x: x.tril(1), ((2, 3, 4),), "any", "T"),
    ("tril_diagonal", lambda x: gc.tril(x, diagonal=-1), lambda x: torch.tril(x, diagonal=-1), ((4, 3),)),
    ("triu", gc.triu, torch.triu, ((3, 4),), "any", "S"),
    ("triu_k", lambda x: x.triu(-1), lambda x: x.triu(-1), ((2, 4, 3),)),
    ("triu_empty", gc.triu, torch.triu, ((0, 3),)),
]

COPIES = [
    ("tile", lambda x: gc.tile(x, (2, 3)), lambda x: torch.tile(x, (2, 3)), ((3, 4),)),
    ("tile_more_reps", lambda x: gc.tile(x, (2, 1, 2)), lambda x: torch.tile(x, (2, 1, 2)), ((3, 4),)),
    ("tile_fewer_reps", lambda x: x.tile(3), lambda x: x.tile(3), ((2, 3, 2),), "any", "T"),
    ("tile_0d", lambda x: gc.tile(x, 4), lambda x: torch.tile(x, (4,)), ((),)),
    ("tile_zero", lambda x: gc.tile(x, (0, 2)), lambda x: torch.tile(x, (0, 2)), ((2, 3),)),
    ("torch_repeat_is_tile", lambda x: gc.tile(x, 2, 3), lambda x: x.repeat(2, 3), ((3, 4),)),
    ("repeat", lambda x: gc.repeat(x, 2), lambda x: torch.repeat_interleave(x, 2), ((3, 4),)),
    ("repeat_axis", lambda x: x.repeat(3, axis=1), lambda x: x.repeat_interleave(3, dim=1), ((2, 3),)),
    ("repeat_counts", lambda x: gc.repeat(x, [2, 0, 3], axis=0),
     lambda x: torch.repeat_interleave(x, torch.tensor([2, 0, 3]), dim=0), ((3, 4),), "any", "T"),
    ("repeat_counts_flat", lambda x: gc.repeat(x, np.array([1, 2, 0, 1, 3, 1])),
     lambda x: torch.repeat_interleave(x, torch.tensor([1, 2, 0, 1, 3, 1])), ((2, 3),)),
    ("repeat_interleave", lambda x: gc.repeat_interleave(x, 2, dim=-1),
     lambda x: torch.repeat_interleave(x, 2, dim=-1), ((2, 3, 2),), "any", "S"),
    ("repeat_interleave_method", lambda x: x.repeat_interleave(gc.tensor([3, 1])),
     lambda x: x.repeat_interleave(torch.tensor([3, 1])), ((2,),)),
    ("repeat_0d", lambda x: gc.repeat(x, 3), lambda x: torch.repeat_interleave(x, 3), ((),)),
    ("repeat_empty", lambda x: gc.repeat(x, 2, axis=0), lambda x: x.repeat_interleave(2, dim=0), ((0, 3),)),
]

PIECES = [
    ("chunk", lambda x: gc.chunk(x, 2), lambda x: torch.chunk(x, 2), ((4, 3),)),
    ("chunk_uneven", lambda x: x.chunk(3, dim=1), lambda x: x.chunk(3, dim=1), ((2, 7),)),
    ("chunk_fewer", lambda x: gc.chunk(x, 4), lambda x: torch.chunk(x, 4), ((5,),)),
    ("chunk_more_than_size", lambda x: x.chunk(6, -1), lambda x: x.chunk(6, -1), ((3, 2),), "any", "T"),
    ("chunk_empty", lambda x: gc.chunk(x, 2), lambda x: torch.chunk(x, 2), ((0, 3),)),
    ("unfold", lambda x: x.unfold(0, 2, 1), lambda x: x.unfold(0, 2, 1), ((5,),)),
    ("unfold_step", lambda x: gc.unfold(x, 1, 3, 2), lambda x: x.unfold(1, 3, 2), ((2, 8),)),
    ("unfold_gap", lambda x: x.unfold(-1, 2, 3), lambda x: x.unfold(-1, 2, 3), ((3, 7),), "any", "S"),
    ("unfold_overlap_3d", lambda x: x.unfold(1, 3, 1), lambda x: x.unfold(1, 3, 1), ((2, 5, 3),), "any", "T"),
    ("unfold_whole", lambda x: x.unfold(0, 4, 1), lambda x: x.unfold(0, 4, 1), ((4, 2),)),
    ("unfold_0d", lambda x: x.unfold(0, 1, 1), lambda x: x.unfold(0, 1, 1), ((),)),
    ("unfold_empty", lambda x: x.unfold(1, 2, 1), lambda x: x.unfold(1, 2, 1), ((0, 3),)),
    ("meshgrid_xy", lambda a, b: gc.meshgrid(a, b),
     lambda a, b: torch.meshgrid(a, b, indexing="xy"), ((3,), (4,))),
    ("meshgrid_ij", lambda a, b, c: gc.meshgrid(a, b, c, indexing="ij"),
     lambda a, b, c: torch.meshgrid(a, b, c, indexing="ij"), ((2,), (3,), (4,))),
    ("meshgrid_xy_3", lambda a, b, c: gc.meshgrid([a, b, c]),
     lambda a, b, c: torch.meshgrid([a, b, c], indexing="xy"), ((2,), (3,), (4,)), "any", "CSC"),
    ("meshgrid_0d", lambda a, b: gc.meshgrid(a, b, indexing="ij"),
     lambda a, b: torch.meshgrid(a, b, indexing="ij"), ((), (3,))),
    ("meshgrid_one", lambda a: gc.meshgrid(a), lambda a: torch.meshgrid(a, indexing="xy"), ((3,),)),
]

FLATTEN_AND_CAT = [
    ("flatten_range", lambda x: gc.flatten(x, 1, 2), lambda x: torch.flatten(x, 1, 2), ((2, 3, 4, 2),)),
    ("flatten_end", lambda x: x.flatten(end_axis=1), lambda x: x.flatten(end_dim=1), ((2, 3, 4),), "any", "T"),
    ("flatten_torch_names", lambda x: x.flatten(start_dim=-2, end_dim=-1),
     lambda x: x.flatten(start_dim=-2, end_dim=-1), ((2, 3, 4),)),
    ("flatten_one_axis", lambda x: x.flatten(1, 1), lambda x: x.flatten(1, 1), ((2, 3, 4),)),
    ("flatten_0d", lambda x: x.flatten(), lambda x: x.flatten(), ((),)),
    ("flatten_empty", lambda x: gc.flatten(x, 0, 1), lambda x: x.flatten(0, 1), ((0, 3, 2),)),
    ("cat", lambda a, b: gc.cat([a, b]), lambda a, b: torch.cat([a, b]), ((2, 3), (1, 3))),
    ("cat_dim", lambda a, b: gc.cat((a, b), dim=1), lambda a, b: torch.cat((a, b), dim=1),
     ((2, 3), (2, 2)), "any", "TC"),
]

CASES = FLIP + DIAGONALS + COPIES + PIECES + FLATTEN_AND_CAT


def test_parity_with_torch(case, parity):
    parity(case)


def test_gradcheck(case, gradcheck_case):
    gradcheck_case(case)


# ----------------------------------------------------------------------------- in-place verdicts
def signed(*shape):
    return RNG.uniform(-1.0, 1.0, shape)


SAVED_CASES = {
    "flip": (lambda a: gc.flip(a, 0), lambda a: torch.flip(a, [0]), [signed(3)]),
    "roll": (lambda a: gc.roll(a, 1), lambda a: torch.roll(a, 1), [signed(3)]),
    "diag": (gc.diag, torch.diag, [signed(3)]),
    "diagonal": (gc.diagonal, torch.diagonal, [signed(3, 3)]),
    "tile": (lambda a: gc.tile(a, 2), lambda a: torch.tile(a, (2,)), [signed(3)]),
    "repeat": (lambda a: gc.repeat(a, [1, 2, 0]), lambda a: torch.repeat_interleave(a, torch.tensor([1, 2, 0])),
               [signed(3)]),
    # torch.chunk's pieces are views of a multi-output op, for which torch raises its own error
    # on any in-place change; a piece is the basic-index view a[2:] (what gradcraft returns)
    "chunk": (lambda a: gc.chunk(a, 2)[1], lambda a: a[2:], [signed(3)]),
    "unfold": (lambda a: a.unfold(0, 2, 1), lambda a: a.unfold(0, 2, 1), [signed(3)]),
    "tril": (gc.tril, torch.tril, [signed(3, 3)]),
    "triu": (gc.triu, torch.triu, [signed(3, 3)]),
    "flatten": (lambda a: a.flatten(0, 1), lambda a: a.flatten(0, 1), [signed(2, 3)]),
}


def test_in_place_change_verdict_is_pytorchs(saved_program, check_saved_program):
    check_saved_program(saved_program)


# ----------------------------------------------------------------------------- semantics
def test_numpy_repeat_repeats_elements_and_tile_tiles():
    # the trap: NumPy's repeat is torch's repeat_interleave; torch's Tensor.repeat is tile
    x = gc.tensor(np.array([1.0, 2.0]))
    assert x.repeat(2).tolist() == [1.0, 1.0, 2.0, 2.0]
    assert gc.tile(x, 2).tolist() == [1.0, 2.0, 1.0, 2.0]
    assert torch.tensor([1.0, 2.0]).repeat(2).tolist() == [1.0, 2.0, 1.0, 2.0]


def test_chunk_returns_a_tuple_of_views():
    x = gc.tensor(np.arange(5.0))
    pieces = gc.chunk(x, 2)
    assert isinstance(pieces, tuple)
    assert [p.tolist() for p in pieces] == [[0.0, 1.0, 2.0], [3.0, 4.0]]
    assert all(np.shares_memory(p.data, x.data) for p in pieces)


def test_meshgrid_defaults_to_numpy_xy():
    a, b = gc.tensor(np.arange(3.0)), gc.tensor(np.arange(4.0))
    xs, ys = gc.meshgrid(a, b)
    ref_x, ref_y = np.meshgrid(np.arange(3.0), np.arange(4.0))
    assert isinstance(gc.meshgrid(a, b), tuple)
    np.testing.assert_array_equal(xs.data, ref_x)
    np.testing.assert_array_equal(ys.data, ref_y)


def test_flip_and_roll_values_match_numpy():
    values = np.arange(24.0).reshape(2, 3, 4)
    x = gc.tensor(values)
    np.testing.assert_array_equal(gc.flip(x, (0, 2)).data, np.flip(values, (0, 2)))
    np.testing.assert_array_equal(gc.roll(x, (1, 2), (1, 2)).data, np.roll(values, (1, 2), (1, 2)))
    np.testing.assert_array_equal(gc.roll(x, 2, (0, 1)).data, np.roll(values, 2, (0, 1)))


# ----------------------------------------------------------------------------- bad input
X = gc.tensor(np.ones((2, 3, 4)))


@pytest.mark.parametrize("call,error,message", [
    (lambda: gc.chunk(X, 0), ValueError, r"chunks must be a positive int, got 0"),
    (lambda: gc.chunk(X, 1.5), TypeError, r"chunks must be an int"),
    (lambda: gc.chunk(X, 2, dim=3), np.exceptions.AxisError,
     r"axis=3"),
    (lambda: gc.unfold(X, 1, 4, 1), ValueError, r"size=4 .*dimension 1"),
    (lambda: gc.unfold(X, 1, 2, 0), ValueError, r"step must be a positive int"),
    (lambda: gc.unfold(X, 3, 1, 1), np.exceptions.AxisError, r"dimension"),
    (lambda: gc.tile(X, (2, -1)), ValueError, r"reps must be a non-negative int"),
    (lambda: gc.tile(X, 1.5), TypeError, r"reps must be integers"),
    (lambda: gc.repeat(X, -1), ValueError, r"repeats must be a non-negative int"),
    (lambda: gc.repeat(X, [1, 2], axis=1), ValueError, r"repeats has 2 counts for the 3 elements along axis 1"),
    (lambda: gc.repeat(X, [1, 2, 3], axis=0), ValueError, r"repeats has 3 counts for the 2 elements along axis 0"),
    (lambda: gc.repeat(X, [1.5, 2], axis=0), TypeError, r"repeats must be an int or a 1-D sequence"),
    (lambda: gc.diag(X), ValueError, r"diag: the input must be 1-D or 2-D, got shape \(2, 3, 4\)"),
    (lambda: gc.diagonal(X, 0, 1, 1), ValueError, r"axis1=1 and axis2=1"),
    (lambda: gc.diagonal(X, 0.5), TypeError, r"offset must be an int"),
    (lambda: gc.tril(gc.tensor(np.ones(3))), ValueError, r"tril: the input needs at least 2 dimensions"),
    (lambda: gc.triu(X, k=1.0), TypeError, r"triu: k must be an int"),
    (lambda: gc.flip(X, 3), np.exceptions.AxisError, r"flip: axis=3"),
    (lambda: gc.flip(X, (0, 0)), ValueError, r"repeats an axis"),
    (lambda: gc.flip(X, 0, dims=1), TypeError, r"both axis= and dims="),
    (lambda: gc.roll(X, (1, 2), 0), ValueError, r"shift \(1, 2\) and axis 0"),
    (lambda: gc.roll(X), TypeError, r"missing the argument shift"),
    (lambda: gc.meshgrid(X, indexing="yx"), ValueError, r"indexing must be one of 'xy', 'ij', got 'yx'"),
    (lambda: gc.flatten(X, 2, 1), ValueError, r"start_axis=2 comes after end_axis=1"),
    (lambda: gc.flatten(X, 0, 3), np.exceptions.AxisError, r"end_axis"),
    (lambda: X.flatten(1, start_dim=1), TypeError, r"both start_axis= and start_dim="),
])
def test_bad_arguments_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
