"""Indexing with NumPy's rules (basic: ints, slices, None, Ellipsis; advanced: integer arrays,
boolean masks) against PyTorch; repeated indices accumulate their gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradcraft as gc

MASK = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, True]])
REPEATED = np.array([0, 2, 0, 0])
PAIRS = ([0, 1, 0, 2], [3, 3, 3, 0])


def _same(index):
    """A row's two functions when PyTorch reads the index exactly as NumPy does."""
    return (lambda x: x[index]), (lambda x: x[index])


CASES = [
    ("int", *_same(1), ((3, 4),)),
    ("negative_int", *_same(-1), ((3, 4),)),
    ("two_ints", *_same((1, 2)), ((3, 4),)),                     # a 0-d result
    ("slice", *_same(slice(1, 3)), ((4, 3),)),
    ("step", *_same((slice(None), slice(None, None, 2))), ((3, 5),)),
    ("ellipsis", *_same((Ellipsis, 1)), ((2, 3, 4),)),
    ("none", *_same((None, slice(1, None))), ((3, 2),)),
    ("empty_slice", *_same(slice(0, 0)), ((4, 3),)),
    ("0d_unit", *_same(()), ((),)),
    ("int_T", *_same(1), ((3, 4),), "any", "T"),
    ("slice_S", *_same((slice(None), slice(1, 3))), ((3, 4),), "any", "S"),
    ("reverse", lambda x: x[::-1], lambda x: torch.flip(x, [0]), ((4, 3),)),
    ("reverse_step", lambda x: x[:, ::-2], lambda x: torch.flip(x, [1])[:, ::2], ((2, 5),)),
    # advanced indexing
    ("repeated_list", lambda x: x[[0, 2, 0, 0]], lambda x: x[[0, 2, 0, 0]], ((3, 4),)),
    ("repeated_array", lambda x: x[REPEATED], lambda x: x[torch.tensor(REPEATED)], ((3, 4),)),
    ("2d_index", lambda x: x[np.array([[0, 1], [1, 1]])],
     lambda x: x[torch.tensor([[0, 1], [1, 1]])], ((3, 2),)),
    ("pairs", lambda x: x[PAIRS], lambda x: x[PAIRS], ((3, 4),)),
    ("mixed", lambda x: x[:, [1, 1, 3]], lambda x: x[:, [1, 1, 3]], ((3, 4),)),
    ("mixed_slice", lambda x: x[1:, [0, 0]], lambda x: x[1:, [0, 0]], ((3, 4),)),
    ("tensor_index", lambda x: x[gc.tensor([2, 0, 2])], lambda x: x[torch.tensor([2, 0, 2])], ((3, 4),)),
    ("numpy_int", lambda x: x[np.int64(2)], lambda x: x[2], ((3, 4),)),
    ("mask", lambda x: x[MASK], lambda x: x[torch.tensor(MASK)], ((3, 4),)),
    ("mask_tensor", lambda x: x[gc.tensor(MASK)], lambda x: x[torch.tensor(MASK)], ((3, 4),)),
    ("row_mask", lambda x: x[np.array([True, False, True])],
     lambda x: x[torch.tensor([True, False, True])], ((3, 4),)),
    ("repeated_T", lambda x: x[[1, 1, 0]], lambda x: x[[1, 1, 0]], ((3, 4),), "any", "T"),
    ("repeated_S", lambda x: x[:, [0, 0]], lambda x: x[:, [0, 0]], ((3, 4),), "any", "S"),
]


def test_parity_with_torch(case, parity):
    parity(case)


def test_gradcheck(case, gradcheck_case):
    gradcheck_case(case)


def test_repeated_indices_accumulate_by_hand():
    x = gc.tensor(np.zeros(4), requires_grad=True)
    x[[1, 1, 1, 3]].backward(np.array([1.0, 2.0, 4.0, 8.0]))
    np.testing.assert_array_equal(x.grad, [0.0, 7.0, 0.0, 8.0])


def test_gathering_class_scores_with_labels():
    # the cross-entropy pattern: scores[arange(N), labels]
    scores = gc.tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    labels = np.array([2, 0, 0, 1])
    picked = scores[np.arange(4), labels]
    np.testing.assert_array_equal(picked.data, [2.0, 3.0, 6.0, 10.0])
    picked.sum().backward()
    expected = np.zeros((4, 3))
    expected[[0, 1, 2, 3], [2, 0, 0, 1]] = 1.0
    np.testing.assert_array_equal(scores.grad, expected)


@pytest.mark.parametrize("index", [5, (0, 7), [0, 9]])
def test_out_of_range_index_names_the_shape(index):
    with pytest.raises(IndexError, match=r"\(3, 4\)"):
        gc.tensor(np.ones((3, 4)))[index]
