"""Tensor semantics: attributes, gradient accumulation, diamond graphs, very long chains,
no_grad, detach, retain_grad, conversions to NumPy. Expected values are hand arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

import gradcraft as gc


# ----------------------------------------------------------------------------- attributes
def test_attributes_are_numpys():
    x = gc.tensor(np.zeros((2, 3), dtype=np.float64), requires_grad=True)
    assert isinstance(x.data, np.ndarray)
    assert x.shape == (2, 3) and x.ndim == 2 and x.size == 6 and len(x) == 2
    assert x.dtype == np.float64
    assert x.requires_grad and x.is_leaf and x.grad is None


def test_tensor_copies_its_input():
    values = np.ones(3)
    x = gc.tensor(values)
    values[0] = 5.0
    assert x.data[0] == 1.0


def test_numpy_item_and_array_protocol():
    x = gc.tensor(np.array([[1.5, 2.5]]))
    assert x.numpy() is x.data                      # shares memory, like torch's .numpy()
    assert np.asarray(x) is x.data
    assert np.array(x, dtype=np.float32).dtype == np.float32
    assert not np.shares_memory(np.array(x, copy=True), x.data)
    assert np.asarray(x, dtype=np.float64) is x.data
    with pytest.raises(ValueError, match="copy"):
        np.array(x, dtype=np.float32, copy=False)
    assert gc.tensor(np.array([[4.0]])).item() == 4.0
    assert isinstance(gc.tensor(3.0).item(), float)
    assert x.tolist() == [[1.5, 2.5]]
    np.testing.assert_array_equal(np.exp(np.asarray(x)), np.exp([[1.5, 2.5]]))


def test_zero_dimensional_results_are_arrays_not_numpy_scalars():
    x = gc.tensor(2.0, requires_grad=True)
    y = x * x
    s = gc.tensor(np.ones((2, 3)), requires_grad=True).sum()
    assert type(y.data) is np.ndarray and type(s.data) is np.ndarray
    y.backward()
    assert type(x.grad) is np.ndarray and x.grad.shape == ()
    assert x.grad == 4.0


def test_repr_shows_values_dtype_and_grad_state():
    assert repr(gc.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert "dtype=float64" in repr(gc.tensor(np.array([1.0])))
    assert "requires_grad=True" in repr(gc.tensor([1.0], requires_grad=True))
    assert "grad_fn=Mul" in repr(gc.tensor([1.0], requires_grad=True) * 2)


# ----------------------------------------------------------------------------- backward
def test_gradients_accumulate_across_backward_calls():
    x = gc.tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()                 # 3 + 2x
    np.testing.assert_array_equal(x.grad, [5.0, 7.0])
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def test_the_same_graph_can_be_differentiated_twice():
    x = gc.tensor(np.array([1.0, 2.0]), requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    loss.backward()
    np.testing.assert_array_equal(x.grad, [4.0, 8.0])


def test_a_value_used_twice_receives_the_sum():
    x = gc.tensor(3.0, requires_grad=True)
    (x * x).backward()                       # d x^2 = 2x
    assert x.grad == 6.0


def test_diamond_through_a_shorter_and_a_longer_path():
    # r = x + 2x: the direct edge x -> r is met before the path through b
    x = gc.tensor(1.0, requires_grad=True)
    b = x * 2
    (x + b).backward()
    assert x.grad == 3.0


def test_diamond_with_intermediate_nodes():
    # a = 2x, b = a^2, c = 3a, d = b + c + a  =>  dd/da = 2a + 3 + 1, dd/dx = 2 (2a + 4)
    x = gc.tensor(1.5, requires_grad=True)
    a = x * 2
    b, c = a * a, a * 3
    d = b + c + a
    d.backward()
    assert x.grad == pytest.approx(2 * (2 * 3.0 + 4))


def test_wide_fan_out_and_fan_in():
    x = gc.tensor(np.array([1.0, -2.0]), requires_grad=True)
    branches = [x * float(k) for k in range(1, 11)]
    total = branches[0]
    for b in branches[1:]:
        total = total + b
    total.sum().backward()
    np.testing.assert_array_equal(x.grad, [55.0, 55.0])


def test_chain_of_20000_ops_backpropagates_without_recursion():
    x = gc.tensor(np.array([0.5, 1.0]), requires_grad=True)
    y = x
    for _ in range(20_000):
        y = y + 1.0
    y.sum().backward()
    np.testing.assert_array_equal(y.data, [20_000.5, 20_001.0])
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


def test_freeing_a_very_long_chain_does_not_crash():
    x = gc.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0
    del y                                    # deallocating 100,000 nested nodes


def test_backward_with_an_explicit_upstream_gradient():
    x = gc.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    (x * x).backward(np.array([1.0, 0.0, -1.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, -6.0])


def test_leaf_gradients_are_independent_arrays():
    upstream = np.array([1.0, 1.0])
    x = gc.tensor(np.zeros(2), requires_grad=True)
    z = gc.tensor(np.zeros(2), requires_grad=True)
    (x + z).backward(upstream)
    assert x.grad is not z.grad and not np.shares_memory(x.grad, z.grad)
    assert not np.shares_memory(x.grad, upstream)
    x.grad += 5.0
    np.testing.assert_array_equal(z.grad, [1.0, 1.0])
    np.testing.assert_array_equal(upstream, [1.0, 1.0])


def test_gradient_of_a_view_does_not_alias():
    x = gc.tensor(np.zeros((2, 2)), requires_grad=True)
    y = x.reshape(4)
    y.retain_grad()
    y.backward(np.arange(4.0))
    assert not np.shares_memory(x.grad, y.grad)
    np.testing.assert_array_equal(x.grad, [[0.0, 1.0], [2.0, 3.0]])


def test_inputs_without_requires_grad_get_no_gradient():
    x = gc.tensor(np.ones(2), requires_grad=True)
    c = gc.tensor(np.ones(2))
    (x * c).sum().backward()
    assert c.grad is None and not c.requires_grad


def test_intermediate_gradients_only_with_retain_grad():
    x = gc.tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x * 3
    h.retain_grad()
    k = x * 2
    out = (h * h).sum() + k.sum()
    out.backward()
    np.testing.assert_array_equal(h.grad, [6.0, 12.0])    # 2h
    assert k.grad is None
    np.testing.assert_array_equal(x.grad, [6.0 * 3 + 2, 12.0 * 3 + 2])
    assert not h.is_leaf


# ----------------------------------------------------------------------------- no_grad, detach
def test_no_grad_records_nothing_and_restores_the_mode():
    x = gc.tensor(np.ones(2), requires_grad=True)
    with gc.no_grad():
        y = x * 2
        assert not gc.is_grad_enabled()
        with gc.enable_grad():
            z = x * 2
    assert gc.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf
    assert z.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.sum().backward()


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(KeyError):
        with gc.no_grad():
            raise KeyError
    assert gc.is_grad_enabled()


def test_no_grad_as_a_decorator():
    @gc.no_grad()
    def evaluate(t):
        return t * 2

    assert not evaluate(gc.tensor(np.ones(2), requires_grad=True)).requires_grad
    assert gc.is_grad_enabled()


def test_detach_shares_data_and_stops_the_gradient():
    x = gc.tensor(np.array([1.0, 2.0]), requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    y = x * 2
    assert np.shares_memory(y.detach().data, y.data)
    (x * d).sum().backward()                 # d is a constant: dx = d
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_requires_grad_on_an_integer_tensor_is_an_error():
    with pytest.raises(TypeError, match="int64"):
        gc.tensor([1, 2, 3], requires_grad=True)
    with pytest.raises(TypeError, match="floating"):
        gc.tensor(np.array([True, False])).requires_grad_()


def test_requires_grad_cannot_be_switched_off_on_a_non_leaf():
    y = gc.tensor(np.ones(2), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="detach"):
        y.requires_grad_(False)


# ----------------------------------------------------------------------------- errors
def test_backward_on_a_non_scalar_without_gradient_is_an_error():
    y = gc.tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"scalar.*\(2, 3\)"):
        y.backward()


def test_backward_with_a_gradient_of_the_wrong_shape_is_an_error():
    y = gc.tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3,\)"):
        y.backward(np.ones(3))            # would broadcast silently in NumPy


def test_backward_on_a_tensor_that_does_not_require_grad_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        gc.tensor(np.ones(2)).sum().backward()


def test_item_and_truth_value_of_several_elements_are_errors():
    x = gc.tensor(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"\(2, 2\)"):
        x.item()
    with pytest.raises(ValueError, match="ambiguous"):
        bool(x)
    assert bool(gc.tensor([1.0]))
