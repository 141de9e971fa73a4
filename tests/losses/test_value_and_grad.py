"""value_and_grad: losses on plain arrays for worked examples."""

import numpy as np
import pytest

import gradcraft as gc
from gradcraft.losses import multiclass_hinge, softmax_cross_entropy, value_and_grad


def test_lists_are_computed_in_float64():
    loss, grad = value_and_grad(multiclass_hinge, [3, -1, 4], 0)
    assert isinstance(loss, float) and loss == 2.0
    assert grad.dtype == np.float64
    np.testing.assert_array_equal(grad, [-1.0, 0.0, 1.0])


def test_float32_arrays_keep_their_dtype_and_are_not_modified():
    scores = np.array([[1.0, 2.0, 0.0]], dtype=np.float32)
    before = scores.copy()
    loss, grad = value_and_grad(softmax_cross_entropy, scores, np.array([1]))
    assert grad.dtype == np.float32
    np.testing.assert_array_equal(scores, before)
    assert loss == pytest.approx(np.log(np.exp(1) + np.exp(2) + 1) - 2, rel=1e-6)


def test_reduction_none_returns_array_and_gradient_of_the_sum():
    scores = np.array([[3.0, -1.0, 4.0], [0.0, 0.0, 0.0]])
    loss, grad = value_and_grad(multiclass_hinge, scores, np.array([0, 1]), reduction="none")
    # row 2: all scores equal, so each wrong class is 1 inside the margin: 1 + 1
    np.testing.assert_array_equal(loss, [2.0, 2.0])
    np.testing.assert_array_equal(grad, [[-1.0, 0.0, 1.0], [1.0, -2.0, 1.0]])


def test_tensor_scores_are_not_touched():
    s = gc.tensor(np.array([3.0, -1.0, 4.0]), requires_grad=True)
    value_and_grad(multiclass_hinge, s, 0)
    assert s.grad is None


def test_loss_fn_must_return_a_tensor():
    with pytest.raises(TypeError, match="loss_fn must return a Tensor, got float"):
        value_and_grad(lambda s: 1.0, [1.0])
