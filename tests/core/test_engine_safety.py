"""Engine safety: NumPy calls that would cut the graph, values changed in place after the graph
saved them (version counters), casts to integer/bool dtypes, and small API errors.

Expected behaviour comes from PyTorch 2.13 (run here where it can be) or from arithmetic
written into the test.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradcraft as gc
from gradcraft import nn, optim

# ----------------------------------------------------------------------------- 1. NumPy


def test_torch_refuses_numpy_on_a_tensor_that_requires_grad():
    # The behaviour gradcraft follows, checked on torch itself.
    w = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="requires grad"):
        np.maximum(w, 0)
    with pytest.raises(RuntimeError, match="requires grad"):
        w.numpy()


@pytest.mark.parametrize("call, name", [
    (lambda w: np.maximum(w, 0), "np.maximum"),
    (lambda w: np.exp(w), "np.exp"),
    (lambda w: np.tanh(w), "np.tanh"),
    (lambda w: np.sum(w), "np.sum"),
    (lambda w: np.mean(w), "np.mean"),
    (lambda w: np.concatenate([w, w]), "np.concatenate"),
    (lambda w: np.add.reduce(w), "np.add.reduce"),
])
def test_numpy_function_on_a_grad_tensor_raises_naming_it(call, name):
    w = gc.tensor(np.array([1.0, -2.0]), requires_grad=True)
    with pytest.raises(RuntimeError, match=rf"{name}\(\) on a tensor that requires grad.*detach"):
        call(w)


def test_the_auditors_silent_graph_cut_now_raises():
    w = gc.tensor(np.array([1.0, -2.0]), requires_grad=True)
    v = gc.tensor(np.array([3.0, 4.0]))
    with pytest.raises(RuntimeError, match=r"gradcraft\.maximum"):
        (np.maximum(w, 0).sum() * v).sum()
    # the differentiable spelling gives torch's gradient
    (gc.maximum(w, 0).sum() * v).sum().backward()
    wt = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    (torch.clamp(wt, min=0).sum() * torch.tensor([3.0, 4.0], dtype=torch.float64)).sum().backward()
    np.testing.assert_allclose(w.grad, wt.grad.numpy())


@pytest.mark.parametrize("convert", [np.asarray, np.array, lambda w: w.numpy()])
def test_array_conversion_of_a_grad_tensor_raises(convert):
    w = gc.tensor(np.array([1.0, -2.0]), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"requires grad.*detach\(\)\.numpy\(\)"):
        convert(w)


def test_numpy_still_works_on_tensors_without_grad_and_on_detached_ones():
    w = gc.tensor(np.array([1.0, -2.0]), requires_grad=True)
    np.testing.assert_allclose(np.exp(w.detach()), [np.e, np.exp(-2.0)])
    assert np.sum(w.detach()) == -1.0
    assert np.mean(gc.tensor(np.array([1.0, 2.0]))) == 1.5
    np.testing.assert_array_equal(np.asarray(w.detach()), [1.0, -2.0])
    np.testing.assert_array_equal(w.detach().numpy(), [1.0, -2.0])
    assert np.shape(w) == (2,) and np.ndim(w) == 1  # metadata only: allowed


def test_array_on_the_left_of_an_operator_stays_in_the_graph():
    # ndarray <op> tensor reaches Tensor.__array_ufunc__; it must build the graph as torch does.
    w = gc.tensor(np.array([1.0, -2.0]), requires_grad=True)
    a = np.array([3.0, 5.0])
    out = (a * w + a - w / a + a @ w).sum()
    out.backward()
    wt = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    at = torch.tensor([3.0, 5.0], dtype=torch.float64)
    (at * wt + at - wt / at + at @ wt).sum().backward()
    np.testing.assert_allclose(w.grad, wt.grad.numpy())
    assert isinstance(a < w, gc.Tensor) and (a < w).tolist() == [False, False]


def test_writing_into_a_plain_tensor_with_out_counts_as_in_place():
    t = gc.tensor(np.array([1.0, 2.0]))
    result = np.add(np.ones(2), np.ones(2), out=t)
    assert result is t and t.tolist() == [2.0, 2.0] and t._version == 1


def test_a_new_tensor_from_a_list_of_grad_tensors_takes_their_numbers():
    a = gc.tensor(1.5, requires_grad=True)
    t = gc.tensor([a, a * 2])
    assert t.tolist() == [1.5, 3.0] and not t.requires_grad


# ----------------------------------------------------------------------------- 2. versions
INPLACE = "modified by an in-place operation"


def test_torch_raises_when_a_saved_value_changes_in_place():
    w = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    loss = (w * w).sum()
    with torch.no_grad():
        w -= 0.5 * torch.ones(2, dtype=torch.float64)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_leaf_changed_after_the_graph_saved_it():
    w = gc.tensor(np.array([1.0, 2.0]), requires_grad=True)
    loss = (w * w).sum()
    with gc.no_grad():
        w -= 0.5 * np.ones(2)
    with pytest.raises(RuntimeError, match=rf"{INPLACE}: input 0 of Mul, a tensor of shape \(2,\)"):
        loss.backward()
    assert w.grad is None  # nothing half-accumulated (the old code gave [1, 3] silently)


def test_readme_gradient_descent_by_hand_still_works():
    w = gc.tensor(np.array([1.0, 2.0]), requires_grad=True)
    for _ in range(3):
        loss = (w * w).sum()
        w.grad = None
        loss.backward()
        with gc.no_grad():
            w -= 0.1 * w.grad
    np.testing.assert_allclose(w.data, [0.512, 1.024])  # w * 0.8**3, by hand


def test_two_losses_and_an_optimizer_step_in_between():
    # The GAN pattern: loss2 is built, loss1.backward(); opt.step(); loss2.backward() would use
    # the updated weights. torch raises (its Linear saves the weight when the input needs a
    # gradient, as a generator's output does); so must gradcraft.
    def run(lib):
        if lib == "torch":
            layer = torch.nn.Linear(3, 2).double()
            opt = torch.optim.SGD(layer.parameters(), lr=0.1)
            x = torch.ones(4, 3, dtype=torch.float64, requires_grad=True)
        else:
            layer = nn.Linear(3, 2, dtype="float64")
            opt = optim.SGD(layer.parameters(), lr=0.1)
            x = gc.tensor(np.ones((4, 3)), requires_grad=True)
        loss1 = layer(x).sum()
        loss2 = (layer(x) * layer(x)).sum()
        loss1.backward()
        opt.step()
        loss2.backward()

    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        run("torch")
    with pytest.raises(RuntimeError, match=INPLACE):
        run("gradcraft")


def test_backward_before_the_step_keeps_training_working():
    layer = nn.Linear(3, 2, dtype="float64")
    opt = optim.Adam(layer.parameters(), lr=0.1)
    x = gc.tensor(np.ones((4, 3)))
    start = layer.weight._version  # initialisation filled it in place already
    for _ in range(3):
        opt.zero_grad()
        (layer(x) ** 2).mean().backward()
        opt.step()
    assert layer.weight._version == start + 3  # one bump per step


def test_non_leaf_changed_under_no_grad():
    w = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    y = w * 2
    z = (y * y).sum()
    with torch.no_grad():
        y += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()

    w = gc.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = w * 2
    z = (y * y).sum()
    with gc.no_grad():
        y += 1
    with pytest.raises(RuntimeError, match=rf"{INPLACE}: input 0 of Mul"):
        z.backward()


def test_detach_shares_the_version_counter():
    wt = torch.tensor([0.5, 1.0], dtype=torch.float64, requires_grad=True)
    yt = wt.exp()
    dt = yt.detach()
    with torch.no_grad():
        dt *= 0
    assert dt._version == yt._version == 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        (yt * wt).sum().backward()

    w = gc.tensor(np.array([0.5, 1.0]), requires_grad=True)
    y = w.exp()
    d = y.detach()
    with gc.no_grad():
        d *= 0
    assert d._version == y._version == 1
    with pytest.raises(RuntimeError, match=rf"{INPLACE}: the output of Exp, a tensor of shape \(2,\)"):
        (y * w).sum().backward()


@pytest.mark.parametrize("make_view", [
    lambda w: w[1:],
    lambda w: w.reshape(2, 2),
    lambda w: w.reshape(2, 2).T,
])
def test_views_share_the_base_version_counter(make_view):
    # torch: a view and its base share one counter, both ways.
    wt = torch.arange(4, dtype=torch.float64).requires_grad_()
    bt = wt * 1.0
    vt = make_view(bt)
    with torch.no_grad():
        vt += 1
    assert bt._version == vt._version == 1

    w = gc.tensor(np.arange(4.0), requires_grad=True)
    b = w * 1.0
    loss = (b * b).sum()
    v = make_view(b)
    with gc.no_grad():
        v += 1
    assert b._version == v._version == 1
    with pytest.raises(RuntimeError, match=INPLACE):
        loss.backward()


def test_a_change_to_the_base_reaches_ops_that_saved_a_view():
    w = gc.tensor(np.arange(4.0), requires_grad=True)
    b = w * 1.0
    v = b[:2]
    loss = (v * v).sum()
    with gc.no_grad():
        b *= 3
    with pytest.raises(RuntimeError, match=rf"{INPLACE}: input 0 of Mul, a tensor of shape \(2,\)"):
        loss.backward()


def test_copies_do_not_share_the_counter():
    w = gc.tensor(np.arange(4.0), requires_grad=True)
    b = w * 1.0
    c = b[[0, 1]]      # advanced indexing copies
    loss = (b * b).sum()
    with gc.no_grad():
        c += 1
    loss.backward()
    np.testing.assert_allclose(w.grad, 2 * np.arange(4.0))


def test_writing_into_data_is_the_untracked_escape_hatch():
    w = gc.tensor(np.array([1.0, 2.0]), requires_grad=True)
    loss = (w * w).sum()
    w.data -= 0.5  # as torch's .data: not counted, the gradient uses the new values
    loss.backward()
    np.testing.assert_allclose(w.grad, [1.0, 3.0])


def test_a_bump_after_backward_does_not_disturb_the_next_graph():
    w = gc.tensor(np.array([1.0, 2.0]), requires_grad=True)
    with gc.no_grad():
        w *= 2
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad, [4.0, 8.0])


# ----------------------------------------------------------------------------- 3. casts
def test_cast_to_integer_leaves_the_graph_as_in_torch():
    xt = torch.tensor([1.4, 2.6], dtype=torch.float64, requires_grad=True)
    (xt.to(torch.int64).to(torch.float64) * xt).sum().backward()
    x = gc.tensor(np.array([1.4, 2.6]), requires_grad=True)
    (x.astype("int64").astype("float64") * x).sum().backward()
    np.testing.assert_allclose(x.grad, xt.grad.numpy())  # [1, 2]
    assert x.grad.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", bool])
def test_non_float_casts_do_not_require_grad(dtype):
    x = gc.tensor(np.array([1.4, 0.0]), requires_grad=True)
    y = x.astype(dtype)
    assert not y.requires_grad and y.is_leaf and y.dtype == np.dtype(dtype)


def test_float_casts_stay_in_the_graph():
    x = gc.tensor(np.array([1.5, 2.5]), requires_grad=True)
    (x.astype("float32") * 2).sum().backward()
    assert x.grad.dtype == np.float64 and x.grad.tolist() == [2.0, 2.0]


# ----------------------------------------------------------------------------- 4. API errors
def test_split_accepts_numpy_integers():
    x = gc.tensor(np.arange(12.0).reshape(2, 6))
    parts = gc.split(x, np.int64(3), axis=1)
    assert [p.shape for p in parts] == [(2, 2)] * 3
    assert parts[2].tolist() == [[4.0, 5.0], [10.0, 11.0]]


def test_pad_refuses_non_integer_widths_naming_pad_width():
    x = gc.tensor(np.ones(3))
    with pytest.raises(TypeError, match=r"pad_width must be integers.*1\.5"):
        gc.pad(x, 1.5)
    assert gc.pad(x, np.int64(1)).tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]


def test_pad_refuses_a_scalar_tensor_clearly():
    with pytest.raises(RuntimeError):  # torch refuses too
        torch.nn.functional.pad(torch.zeros(()), (1, 1))
    with pytest.raises(ValueError, match=r"pad: a 0-d tensor \(shape \(\)\) has no axis to pad"):
        gc.pad(gc.tensor(1.0), 1)


@pytest.mark.parametrize("operation", [lambda x: x + "a", lambda x: x * "a", lambda x: x - None,
                                       lambda x: x / {}])
def test_arithmetic_with_a_non_number_is_a_plain_type_error(operation):
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for .*: 'Tensor' and"):
        operation(gc.tensor(np.zeros(2)))


def test_torch_adding_a_string_is_a_plain_type_error():
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for \+: 'Tensor' and 'str'"):
        torch.zeros(2) + "a"


def test_comparison_that_does_not_broadcast_names_the_shapes():
    x = gc.tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"operands of '>' have incompatible shapes \(2, 3\) and \(2,\)"):
        x > [1, 2]
    with pytest.raises(ValueError, match=r"operands of '==' have incompatible shapes"):
        x == np.zeros(4)


@pytest.mark.parametrize("call", [lambda x: x.sum(axis=1.0), lambda x: x.mean(axis="a"),
                                  lambda x: x.max(axis=(0, 1.0)), lambda x: x.argmax(axis=1.0)])
def test_reduction_axis_must_be_integers(call):
    with pytest.raises(TypeError, match=r"axis must be None, an int or a tuple of ints, got"):
        call(gc.tensor(np.zeros((2, 3))))


def test_transpose_axes_must_be_integers():
    x = gc.tensor(np.zeros((2, 3)))
    with pytest.raises(TypeError, match=r"transpose: axes must be integers.*\('a', 'b'\)"):
        x.transpose(("a", "b"))  # NumPy's permutation
    with pytest.raises(TypeError, match=r"axis1 must be an int, got 'a'"):
        x.transpose("a", "b")  # PyTorch's transpose(dim0, dim1)
    with pytest.raises(TypeError, match=r"shape must be integers.*2\.0"):
        x.reshape(2.0, 3)
    assert x.transpose(np.int64(1), 0).shape == (3, 2)
    assert x.reshape((np.int64(3), 2)).shape == (3, 2)


def test_ops_that_read_no_saved_value_allow_changes_as_in_torch():
    # torch checks only what an op saved: Mul saves its inputs (not its result) and sum saves
    # nothing, so changing y = w * 2 in place before y.sum().backward() is allowed, and the
    # gradient is that of the recorded graph (2 per element).
    def run(lib, no_grad, dtype):
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True, dtype=dtype)
        y = w * 2
        z = y + 1                       # add saves nothing either
        with no_grad():
            y += 10
            z *= 0
        (y.sum() + z.sum()).backward()
        return np.asarray(w.grad)

    expected = run(torch, torch.no_grad, torch.float64)
    np.testing.assert_array_equal(expected, [4.0, 4.0, 4.0])
    np.testing.assert_array_equal(run(gc, gc.no_grad, np.float64), expected)


def test_an_op_that_reads_its_output_still_refuses():
    # exp and tanh read their result in backward: torch refuses, and so does gradcraft.
    for fn_torch, fn_gc, name in ((torch.exp, gc.exp, "Exp"), (torch.tanh, gc.tanh, "Tanh")):
        wt = torch.tensor([0.5, 1.0], dtype=torch.float64, requires_grad=True)
        yt = fn_torch(wt)
        with torch.no_grad():
            yt += 1
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            yt.sum().backward()
        w = gc.tensor(np.array([0.5, 1.0]), requires_grad=True)
        y = fn_gc(w)
        with gc.no_grad():
            y += 1
        with pytest.raises(RuntimeError, match=rf"the output of {name}"):
            y.sum().backward()


def _linear_pair():
    torch.manual_seed(0)
    lt = torch.nn.Linear(3, 2)
    lg = nn.Linear(3, 2, rng=0)
    xt = torch.ones((1, 3), requires_grad=True)
    xg = gc.tensor(np.ones((1, 3), np.float32), requires_grad=True)
    return lt, lg, lt(xt).sum(), lg(xg).sum()


def test_load_state_dict_after_the_forward_refuses_backward_as_in_torch():
    lt, lg, loss_t, loss_g = _linear_pair()
    lt.load_state_dict({k: torch.full_like(v, 5.0) for k, v in lt.state_dict().items()})
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss_t.backward()
    lg.load_state_dict({k: np.full(v.shape, 5.0, np.float32) for k, v in lg.state_dict().items()})
    with pytest.raises(RuntimeError, match=rf"{INPLACE}: input 1 of Linear"):
        loss_g.backward()


def test_init_after_the_forward_refuses_backward_as_in_torch():
    lt, lg, loss_t, loss_g = _linear_pair()
    with torch.no_grad():
        torch.nn.init.constant_(lt.weight, 7.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss_t.backward()
    nn.init.constant_(lg.weight, 7.0)
    with pytest.raises(RuntimeError, match=rf"{INPLACE}: input 1 of Linear"):
        loss_g.backward()
