"""Bad input gets a clear error naming what was seen: incompatible shapes name both shapes,
never a silent broadcast or a traceback from deep inside NumPy."""

from __future__ import annotations

import operator

import numpy as np
import pytest

import gradcraft as gc
import gradcraft.functional as F

BINARY = [
    ("+", operator.add), ("-", operator.sub), ("*", operator.mul), ("/", operator.truediv),
    ("**", operator.pow), ("@", operator.matmul), ("maximum", gc.maximum), ("minimum", gc.minimum),
]


@pytest.mark.parametrize("name,op", BINARY, ids=[n for n, _ in BINARY])
@pytest.mark.parametrize("left_is_array", [False, True], ids=["tensor", "ndarray"])
def test_incompatible_shapes_name_both_shapes(name, op, left_is_array):
    a = np.ones((2, 3)) if left_is_array else gc.tensor(np.ones((2, 3)))
    b = gc.tensor(np.ones((4, 5)))
    with pytest.raises(ValueError) as info:
        op(a, b)
    message = str(info.value)
    assert "(2, 3)" in message and "(4, 5)" in message
    error = info.value                                    # no NumPy error chained to it
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


def test_where_names_the_condition_and_both_operands():
    with pytest.raises(ValueError, match=r"condition.*\(3,\), \(2, 2\) and \(\)"):
        gc.where(np.ones(3) > 0, gc.tensor(np.ones((2, 2))), 1.0)


def test_no_silent_broadcast_in_backward():
    y = gc.tensor(np.ones((3, 1)), requires_grad=True) * 2
    with pytest.raises(ValueError, match=r"\(3, 1\).*\(3, 3\)"):
        y.backward(np.ones((3, 3)))


def test_pad_width_that_does_not_fit_the_tensor():
    with pytest.raises(ValueError, match=r"pad_width.*\(2, 3\)"):
        gc.tensor(np.ones((2, 3))).pad(((1, 1), (1, 1), (1, 1)))


def test_clip_without_bounds_or_with_bounds_that_do_not_fit():
    with pytest.raises(ValueError, match="a_min or a_max"):
        gc.clip(gc.tensor([1.0]), None, None)
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 2\)"):
        gc.clip(gc.tensor(np.ones((2, 2))), np.zeros(3), None)


def test_index_with_too_many_axes_names_the_shape():
    with pytest.raises(IndexError, match=r"\(2, 3\)"):
        gc.tensor(np.ones((2, 3)))[:, :, 1]


def test_linear_with_a_1d_weight():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3,\)"):
        F.linear(gc.tensor(np.ones((2, 3))), gc.tensor(np.ones(3)))


def test_matmul_batch_dimensions_that_do_not_broadcast():
    with pytest.raises(ValueError, match=r"\(2, 2, 3\).*\(3, 3, 4\)"):
        gc.tensor(np.ones((2, 2, 3))) @ gc.tensor(np.ones((3, 3, 4)))
