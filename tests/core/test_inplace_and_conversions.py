"""In-place operators (`x -= ...`) and Python conversions (`float(x)`, `int(x)`, indexing a
list with a tensor, iteration, `in`), against PyTorch's behaviour and hand arithmetic."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradcraft as gc


def _squares_gradient(values):
    """A leaf w with w.grad = d sum(w^2)/dw = 2w."""
    w = gc.tensor(values, requires_grad=True)
    (w * w).sum().backward()
    return w


def test_sgd_step_under_no_grad_updates_the_same_tensor():
    w = _squares_gradient([1.0, 2.0, 3.0])
    same = w
    with gc.no_grad():
        w -= 0.1 * w.grad          # 2w = [2, 4, 6] => w - 0.1 * 2w = 0.8 w
    assert w is same
    np.testing.assert_allclose(same.data, [0.8, 1.6, 2.4], rtol=1e-6)
    assert same.requires_grad and same.is_leaf and same.dtype == np.float32


def test_updating_parameters_through_a_loop_variable_reaches_the_model():
    # The course's manual training loop: the loop variable is rebound unless the update is in place.
    params = [_squares_gradient([1.0, -1.0]), _squares_gradient([[0.5], [2.0]])]
    with gc.no_grad():
        for p in params:
            p -= 0.5 * p.grad      # w - 0.5 * 2w = 0
    for p in params:
        np.testing.assert_array_equal(p.data, np.zeros(p.shape))


def test_every_in_place_operator_under_no_grad_matches_torch():
    start, other = np.array([1.5, -2.0, 3.0], np.float32), np.array([2.0, 0.5, -1.0], np.float32)
    ours, theirs = gc.tensor(start, requires_grad=True), torch.tensor(start, requires_grad=True)
    with gc.no_grad(), torch.no_grad():
        ours += gc.tensor(other)
        theirs += torch.tensor(other)
        ours *= 2.0
        theirs *= 2.0
        ours /= gc.tensor(other)
        theirs /= torch.tensor(other)
        ours -= 1.0
        theirs -= 1.0
        ours **= 2
        theirs **= 2
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-6)
    assert ours.dtype == np.float32


def test_in_place_on_a_leaf_that_requires_grad_raises_like_torch():
    w = gc.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"in-place '\+=' on a leaf tensor that requires grad"):
        w += 1
    np.testing.assert_array_equal(w.data, [1.0, 2.0])
    torch_w = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        torch_w += 1


def test_in_place_on_a_graph_node_keeps_gradients_right():
    # y = 2x; y += x; y *= x  =>  y = 3x^2, dy/dx = 6x (hand arithmetic; torch agrees)
    x = gc.tensor([1.0, -2.0], requires_grad=True)
    y = x * 2
    y += x
    y *= x
    y.sum().backward()
    np.testing.assert_allclose(y.data, [3.0, 12.0])
    np.testing.assert_allclose(x.grad, [6.0, -12.0])


def test_in_place_errors_name_the_operator_and_what_was_seen():
    with gc.no_grad():
        counts = gc.tensor([1, 2])
        with pytest.raises(TypeError, match=r"in-place '/=': the tensor's dtype int64 cannot hold"):
            counts /= 2
        with pytest.raises(ValueError, match=r"right-hand side of shape \(2, 2\) does not broadcast "
                                             r"to the tensor's shape \(2,\)"):
            gc.tensor([1.0, 2.0]).__iadd__(np.ones((2, 2)))
        with pytest.raises(ValueError, match="read-only"):
            gc.tensor([1.0, 2.0]).expand(3, 2).__iadd__(1.0)
        np.testing.assert_array_equal(counts.data, [1, 2])


def test_float_int_and_index_conversions_like_torch():
    assert float(gc.tensor([[2.5]])) == 2.5
    assert int(gc.tensor(-3.7)) == int(torch.tensor(-3.7)) == -3
    names = ["cat", "dog", "bird"]
    assert names[gc.tensor([[0.1, 3.0, -1.0]]).argmax()] == "dog"
    with pytest.raises(ValueError, match=r"float\(x\) needs a tensor with one element, got shape \(2,\)"):
        float(gc.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="only integer tensors of a single element"):
        names[gc.tensor(1.0)]


def test_iteration_len_and_membership():
    x = gc.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(x)
    assert [r.tolist() for r in rows] == [[1.0, 2.0], [3.0, 4.0]]
    rows[1].sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 0.0], [1.0, 1.0]])
    assert 4.0 in x and 5.0 not in x
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        list(gc.tensor(1.0))
    with pytest.raises(TypeError, match="len"):
        len(gc.tensor(1.0))


def test_comparing_with_a_non_number_is_false_like_torch_not_a_numpy_error():
    x = gc.tensor([1.0, 2.0])
    assert (x == "relu") is (torch.tensor([1.0, 2.0]) == "relu") is False
    assert (x != "relu") is True
    assert x not in ["relu", "tanh"]
    with pytest.raises(TypeError, match="'<' not supported between instances of 'Tensor' and 'str'"):
        x < "relu"  # noqa: B015
