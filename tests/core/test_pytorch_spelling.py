"""PyTorch's spellings on gradcraft tensors, against PyTorch 2.13 (float64 values and gradients).

- Tensor methods of PyTorch's vocabulary: size(), dim(), numel(), t(), clone(), contiguous(),
  the dtype shorthands, to(), cpu(), device, eq/ne/lt/le/gt/ge, view_as, reshape_as, expand_as,
  type_as, new_zeros/new_ones/new_full/new_tensor; `gradcraft.device`, `gradcraft.accelerator`.
- PyTorch's dim=/keepdim= on the reductions, softmax, squeeze/unsqueeze, cat/stack, including
  the one documented trap: `x.max(dim=1)` is (values, indices) as torch, `x.max(1)` the values
  as NumPy.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

import gradcraft as gc
import gradcraft.functional as F

TORCH_DTYPES = {np.dtype(np.float64): torch.float64, np.dtype(np.float32): torch.float32,
                np.dtype(np.float16): torch.float16, np.dtype(np.int64): torch.int64,
                np.dtype(np.int32): torch.int32, np.dtype(np.bool_): torch.bool}


def _pair(array, requires_grad=True):
    return (gc.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def _assert_same(mine, ref):
    assert mine.shape == tuple(ref.shape)
    assert TORCH_DTYPES[mine.dtype] == ref.dtype
    np.testing.assert_allclose(mine.data, ref.detach().numpy(), rtol=1e-12, atol=0)


# ----------------------------------------------------------------------------- size, dim, numel
@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 0, 5)])
def test_size_is_numpys_count_and_pytorchs_shape(shape):
    mine, ref = gc.tensor(np.zeros(shape)), torch.zeros(shape)
    assert mine.size == ref.numel() and isinstance(mine.size, int)  # NumPy: x.size
    assert mine.size() == tuple(ref.size()) and type(mine.size()) is tuple  # PyTorch: x.size()
    for d in range(-len(shape), len(shape)):
        assert mine.size(d) == ref.size(d) and mine.size(dim=d) == ref.size(dim=d)
    assert mine.dim() == ref.dim() and mine.numel() == ref.numel()


def test_size_of_a_dim_out_of_range_is_an_axis_error_and_a_float_dim_a_type_error():
    x = gc.tensor(np.zeros((2, 3)))
    with pytest.raises(np.exceptions.AxisError, match="axis 2 is out of bounds"):
        x.size(2)
    with pytest.raises(np.exceptions.AxisError):
        x.size(-3)
    with pytest.raises(TypeError, match="dim must be an int"):
        x.size(1.0)


def test_size_pickles_and_prints_as_the_plain_int():
    size = gc.tensor(np.zeros((2, 3))).size
    assert repr(size) == "6" and pickle.loads(pickle.dumps(size)) == 6
    assert type(pickle.loads(pickle.dumps(size))) is int


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16, np.int64, np.int32, np.bool_])
def test_element_size_and_is_floating_point_are_torchs(dtype):
    mine = gc.tensor(np.zeros(3, dtype=dtype))
    ref = torch.zeros(3, dtype=TORCH_DTYPES[np.dtype(dtype)])
    assert mine.element_size() == ref.element_size()
    assert mine.is_floating_point() == ref.is_floating_point()


# ----------------------------------------------------------------------------- t, clone, contiguous
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_t_values_and_gradient(shape):
    rng = np.random.default_rng(0)
    mine, ref = _pair(rng.standard_normal(shape))
    out_mine, out_ref = mine.t(), ref.t()
    _assert_same(out_mine, out_ref)
    upstream = rng.standard_normal(tuple(out_ref.shape))
    (out_mine * upstream).sum().backward()
    (out_ref * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(mine.grad, ref.grad.numpy())


def test_t_refuses_more_than_two_dimensions_as_torch():
    with pytest.raises(RuntimeError):
        torch.zeros(2, 3, 4).t()
    with pytest.raises(ValueError, match=r"t\(\) expects a tensor with <= 2 dimensions, got shape \(2, 3, 4\)"):
        gc.tensor(np.zeros((2, 3, 4))).t()


@pytest.mark.parametrize("method", ["clone", "contiguous"])
@pytest.mark.parametrize("layout", ["C", "T", "S"])
def test_clone_and_contiguous_values_layout_and_gradient(method, layout):
    rng = np.random.default_rng(1)
    array = rng.standard_normal((4, 6))
    mine, ref = _pair(array)
    view_mine, view_ref = {"C": (mine * 1, ref * 1), "T": (mine.T, ref.T),
                           "S": (mine[:, ::2], ref[:, ::2])}[layout]
    out_mine, out_ref = getattr(view_mine, method)(), getattr(view_ref, method)()
    _assert_same(out_mine, out_ref)
    if method == "contiguous":
        assert out_mine.data.flags.c_contiguous
        assert (out_mine is view_mine) == (out_ref is view_ref)  # self when already contiguous
    else:
        assert out_mine is not view_mine and not np.shares_memory(out_mine.data, mine.data)
    upstream = rng.standard_normal(tuple(out_ref.shape))
    (out_mine * upstream).sum().backward()
    (out_ref * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(mine.grad, ref.grad.numpy())


def test_clone_of_a_strided_1d_view_is_contiguous():
    x = gc.tensor(np.arange(10.0), requires_grad=True)
    y = x[::3].contiguous()
    assert y.data.flags.c_contiguous and y.tolist() == [0.0, 3.0, 6.0, 9.0]
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1, 0, 0, 1, 0, 0, 1, 0, 0, 1])


def test_clone_of_an_integer_tensor_copies_outside_the_graph():
    mine = gc.tensor(np.arange(3))
    copy = mine.clone()
    assert copy.dtype == np.int64 and copy.tolist() == [0, 1, 2] and not copy.requires_grad
    assert not np.shares_memory(copy.data, mine.data)


# ----------------------------------------------------------------------------- dtypes and to()
SHORTHANDS = ["double", "float", "half", "long", "int", "bool"]


@pytest.mark.parametrize("source", [np.float64, np.float32, np.int64])
@pytest.mark.parametrize("method", SHORTHANDS)
def test_dtype_shorthands_match_torch_and_return_self_when_nothing_changes(source, method):
    array = np.array([[-1.5, 0.0, 2.25]]).astype(source)
    mine, ref = gc.tensor(array), torch.tensor(array)
    out_mine, out_ref = getattr(mine, method)(), getattr(ref, method)()
    _assert_same(out_mine, out_ref)
    assert (out_mine is mine) == (out_ref is ref)


@pytest.mark.parametrize("method, keeps_graph", [("double", True), ("half", True), ("long", False),
                                                 ("bool", False)])
def test_casts_from_float32_keep_the_graph_to_floats_only(method, keeps_graph):
    array = np.array([0.5, -2.0, 3.0], dtype=np.float32)
    mine, ref = _pair(array)
    out_mine, out_ref = getattr(mine, method)(), getattr(ref, method)()
    assert out_mine.requires_grad == out_ref.requires_grad == keeps_graph
    if keeps_graph:
        (out_mine * out_mine).sum().backward()
        (out_ref * out_ref).sum().backward()
        assert mine.grad.dtype == np.float32
        np.testing.assert_allclose(mine.grad, ref.grad.numpy(), rtol=1e-3)


def _to_calls():
    return [  # (gradcraft call, torch call)
        (lambda x: x.to(np.float64), lambda x: x.to(torch.float64)),
        (lambda x: x.to("float64"), lambda x: x.to(torch.float64)),
        (lambda x: x.to(dtype=np.float32), lambda x: x.to(dtype=torch.float32)),
        (lambda x: x.to("cpu"), lambda x: x.to("cpu")),
        (lambda x: x.to(gc.device("cpu")), lambda x: x.to(torch.device("cpu"))),
        (lambda x: x.to(device="cpu"), lambda x: x.to(device="cpu")),
        (lambda x: x.to("cpu", np.float32), lambda x: x.to("cpu", torch.float32)),
        (lambda x: x.to(gc.tensor(np.zeros(1, np.float32))), lambda x: x.to(torch.zeros(1))),
        (lambda x: x.to(gc.tensor(np.zeros(1))), lambda x: x.to(torch.zeros(1, dtype=torch.float64))),
        (lambda x: x.to(np.float64, copy=True), lambda x: x.to(torch.float64, copy=True)),
        (lambda x: x.to("cpu", non_blocking=True), lambda x: x.to("cpu", non_blocking=True)),
        (lambda x: x.cpu(), lambda x: x.cpu()),
        (lambda x: x.type_as(gc.tensor(np.zeros(1, np.float32))), lambda x: x.type_as(torch.zeros(1))),
    ]


@pytest.mark.parametrize("call", range(len(_to_calls())))
def test_to_values_identity_and_gradient_as_torch(call):
    mine_call, torch_call = _to_calls()[call]
    array = np.array([[1.0, -2.0], [0.5, 4.0]])
    mine, ref = _pair(array)
    out_mine, out_ref = mine_call(mine), torch_call(ref)
    _assert_same(out_mine, out_ref)
    assert (out_mine is mine) == (out_ref is ref)
    (out_mine * out_mine).sum().backward()
    (out_ref * out_ref).sum().backward()
    np.testing.assert_allclose(mine.grad, ref.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("device", ["cuda", "cuda:0", "mps", "xpu"])
def test_another_device_is_refused_naming_it(device):
    x = gc.tensor([1.0])
    with pytest.raises(ValueError, match=f"device '{device}' is not available: gradcraft computes "
                                         "with NumPy on the CPU only"):
        x.to(device)
    with pytest.raises(ValueError, match=f"'{device}'"):
        gc.device(device)
    with pytest.raises(ValueError, match=f"'{device}'"):
        x.new_zeros(2, device=device)


def test_to_refuses_what_is_no_dtype_and_no_device():
    x = gc.tensor([1.0])
    with pytest.raises(TypeError, match=r"to\(dtype\) must be a NumPy dtype .*got 3.5 \(float\)"):
        x.to(3.5)
    with pytest.raises(ValueError, match=r"to\(dtype\) must be a dtype .*got 'flaot32', which names neither"):
        x.to("flaot32")
    with pytest.raises(TypeError, match="unexpected keyword"):
        x.to(np.float64, memory="fast")
    with pytest.raises(TypeError, match="non_blocking must be True or False"):
        x.to("cpu", non_blocking="yes")


def test_device_object():
    cpu = gc.device("cpu")
    assert cpu.type == "cpu" and cpu.index is None and str(cpu) == "cpu"
    assert repr(cpu) == "device(type='cpu')" and repr(gc.device("cpu:0")) == "device(type='cpu', index=0)"
    assert gc.device(cpu) == cpu and gc.device("cpu", 0) == gc.device("cpu:0") != cpu
    assert len({gc.device("cpu"), gc.device("cpu")}) == 1
    assert gc.tensor([1.0]).device == cpu == gc.tensor(np.arange(3)).device
    assert str(torch.tensor([1.0]).device) == str(cpu)
    with pytest.raises(ValueError, match="expected a device type such as 'cpu', got 'gpu'"):
        gc.device("gpu")
    with pytest.raises(TypeError, match=r"device must be a string such as 'cpu' .*got 0 \(int\)"):
        gc.device(0)


def test_accelerator_says_there_is_none():
    assert gc.accelerator.is_available() is False
    assert gc.accelerator.current_accelerator() is None


# ----------------------------------------------------------------------------- comparisons
@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge"])
@pytest.mark.parametrize("other", ["tensor", "row", "scalar"])
def test_comparison_methods_match_torch(name, other):
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    b = {"tensor": np.array([[1.0, 1.0, 4.0], [3.0, 3.0, 0.0]]), "row": np.array([2.0, 2.0, 2.0]),
         "scalar": 2.0}[other]
    mine_other = gc.tensor(b) if other != "scalar" else b
    ref_other = torch.tensor(b) if other != "scalar" else b
    out_mine = getattr(gc.tensor(a, requires_grad=True), name)(mine_other)
    _assert_same(out_mine, getattr(torch.tensor(a), name)(ref_other))
    assert not out_mine.requires_grad


def test_a_comparison_method_with_an_incomparable_value_is_a_type_error():
    with pytest.raises(TypeError, match=r"eq\(\): cannot compare a tensor of dtype float32 with str"):
        gc.tensor([1.0]).eq("relu")


# ----------------------------------------------------------------------------- shapes like another
@pytest.mark.parametrize("method, source, target", [("view_as", (2, 6), (3, 4)), ("reshape_as", (12,), (2, 2, 3)),
                                                    ("expand_as", (3, 1), (2, 3, 4))])
def test_shape_like_another_values_and_gradient(method, source, target):
    rng = np.random.default_rng(2)
    mine, ref = _pair(rng.standard_normal(source))
    out_mine = getattr(mine, method)(gc.tensor(np.zeros(target)))
    out_ref = getattr(ref, method)(torch.zeros(target))
    _assert_same(out_mine, out_ref)
    upstream = rng.standard_normal(target)
    (out_mine * upstream).sum().backward()
    (out_ref * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(mine.grad, ref.grad.numpy())


# ----------------------------------------------------------------------------- new_*
def _new_calls():
    return [  # (gradcraft call, torch call) on a tensor of the parametrized dtype
        (lambda x: x.new_zeros(2, 3), lambda x: x.new_zeros(2, 3)),
        (lambda x: x.new_zeros((2, 3)), lambda x: x.new_zeros((2, 3))),
        (lambda x: x.new_ones([4]), lambda x: x.new_ones([4])),
        (lambda x: x.new_full((2, 2), 7), lambda x: x.new_full((2, 2), 7)),
        (lambda x: x.new_tensor([1, 2, 3]), lambda x: x.new_tensor([1, 2, 3])),
        (lambda x: x.new_tensor([[0.5]], dtype=np.float64), lambda x: x.new_tensor([[0.5]], dtype=torch.float64)),
        (lambda x: x.new_zeros(3, dtype=np.int64), lambda x: x.new_zeros(3, dtype=torch.int64)),
        (lambda x: x.new_ones(0, 2), lambda x: x.new_ones(0, 2)),
    ]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize("call", range(len(_new_calls())))
def test_new_tensors_take_self_dtype_unless_told(dtype, call):
    mine_call, torch_call = _new_calls()[call]
    out_mine = mine_call(gc.tensor(np.zeros(1, dtype=dtype)))
    out_ref = torch_call(torch.zeros(1, dtype=TORCH_DTYPES[np.dtype(dtype)]))
    _assert_same(out_mine, out_ref)
    assert out_mine.requires_grad == out_ref.requires_grad == False  # noqa: E712


def test_new_tensor_requires_grad_and_bad_sizes():
    x = gc.tensor(np.zeros(1))
    assert x.new_zeros(2, requires_grad=True).is_leaf and x.new_ones(2, requires_grad=True).requires_grad
    with pytest.raises(TypeError, match="size must be integers"):
        x.new_zeros(2.5)
    with pytest.raises(TypeError, match="only floating-point tensors can require grad"):
        x.new_zeros(2, dtype=np.int64, requires_grad=True)


# ----------------------------------------------------------------------------- dim= / keepdim=
def _softmax_pair(function):
    return (lambda x: getattr(F, function)(x, dim=1),
            lambda x: getattr(torch.nn.functional, function)(x, dim=1))


CASES = [  # (name, gradcraft, torch, shapes, domains): parity and gradcheck via tests/core/conftest
    ("sum(dim=1)", lambda x: x.sum(dim=1), lambda x: x.sum(dim=1), [(3, 4, 2)]),
    ("sum(dim=(0,2), keepdim)", lambda x: gc.sum(x, dim=(0, 2), keepdim=True),
     lambda x: torch.sum(x, dim=(0, 2), keepdim=True), [(3, 4, 2)]),
    ("mean(dim=-1, keepdim)", lambda x: x.mean(dim=-1, keepdim=True), lambda x: x.mean(dim=-1, keepdim=True), [(3, 4)]),
    ("var(dim=1)", lambda x: x.var(dim=1), lambda x: x.var(dim=1), [(3, 5)]),
    ("std(dim=0, keepdim)", lambda x: gc.std(x, dim=0, keepdim=True), lambda x: torch.std(x, dim=0, keepdim=True), [(4, 3)]),
    ("var(dim=1, correction=0)", lambda x: x.var(dim=1, correction=0), lambda x: x.var(dim=1, correction=0), [(3, 5)]),
    ("std(unbiased=False)", lambda x: x.std(unbiased=False), lambda x: x.std(unbiased=False), [(3, 5)]),
    ("max(dim=1).values", lambda x: x.max(dim=1).values, lambda x: x.max(dim=1).values, [(3, 5)], "distinct"),
    ("min(dim=0, keepdim)[0]", lambda x: gc.min(x, dim=0, keepdim=True)[0],
     lambda x: torch.min(x, dim=0, keepdim=True)[0], [(3, 5)], "distinct"),
    ("max(1) is numpy's values", lambda x: x.max(1), lambda x: torch.amax(x, 1), [(3, 5)], "distinct"),
    ("softmax(dim=1)", *_softmax_pair("softmax"), [(2, 5, 3)]),
    ("log_softmax(dim=1)", *_softmax_pair("log_softmax"), [(2, 5, 3)]),
    ("squeeze(dim=1)", lambda x: x.squeeze(dim=1), lambda x: x.squeeze(dim=1), [(3, 1, 2)]),
    ("unsqueeze(dim=-1)", lambda x: gc.unsqueeze(x, dim=-1), lambda x: torch.unsqueeze(x, dim=-1), [(3, 2)]),
    ("cat(dim=1)", lambda a, b: gc.cat([a, b], dim=1), lambda a, b: torch.cat([a, b], dim=1), [(2, 3), (2, 4)]),
    ("stack(dim=-1)", lambda a, b: gc.stack([a, b], dim=-1), lambda a, b: torch.stack([a, b], dim=-1), [(2, 3), (2, 3)]),
]


def test_dim_spelling_parity(case, parity):
    parity(case)


def test_dim_spelling_gradcheck(case, gradcheck_case):
    gradcheck_case(case)


@pytest.mark.parametrize("function", ["argmax", "argmin"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_argmax_with_dim_and_keepdim(function, keepdim):
    array = np.random.default_rng(3).standard_normal((3, 4, 5))
    mine = getattr(gc.tensor(array), function)(dim=1, keepdim=keepdim)
    _assert_same(mine, getattr(torch.tensor(array), function)(dim=1, keepdim=keepdim))


@pytest.mark.parametrize("function", ["max", "min"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_with_dim_is_values_and_indices_with_the_gradient_to_the_index(function, keepdim):
    array = np.array([[1.0, 3.0, 3.0, -2.0], [0.5, 0.5, -4.0, -4.0], [2.0, 1.0, 0.0, 2.0]])  # ties
    mine, ref = _pair(array)
    values, indices = getattr(mine, function)(dim=1, keepdim=keepdim)
    ref_values, ref_indices = getattr(ref, function)(dim=1, keepdim=keepdim)
    assert indices.dtype == np.int64 and not indices.requires_grad
    _assert_same(values, ref_values)
    _assert_same(indices, ref_indices)
    upstream = np.arange(1.0, 1.0 + values.data.size).reshape(values.shape)
    (values * upstream).sum().backward()
    (ref_values * torch.tensor(upstream)).sum().backward()
    np.testing.assert_array_equal(mine.grad, ref.grad.numpy())  # all of it to the returned index


def test_max_without_dim_keeps_numpys_meaning():
    mine = gc.tensor(np.array([[1.0, 5.0], [7.0, 2.0]]))
    assert isinstance(mine.max(1), gc.Tensor) and mine.max(1).tolist() == [5.0, 7.0]
    assert mine.max(axis=0).tolist() == [7.0, 5.0] and mine.max().item() == 7.0
    pair = mine.max(dim=0)
    assert pair.values.tolist() == [7.0, 5.0] and pair.indices.tolist() == [1, 0]


def test_var_divides_by_n_with_numpys_spelling_and_by_n_minus_1_with_pytorchs():
    x = gc.tensor(np.array([1.0, 2.0, 3.0, 6.0]))
    assert x.var().item() == pytest.approx(np.var([1, 2, 3, 6]))          # NumPy: ddof=0
    assert x.var(axis=0).item() == pytest.approx(np.var([1, 2, 3, 6]))
    assert x.var(dim=0).item() == pytest.approx(torch.tensor([1.0, 2, 3, 6]).var(dim=0).item())  # n - 1


@pytest.mark.parametrize("call", [
    lambda x: x.sum(axis=0, dim=0), lambda x: gc.mean(x, axis=0, dim=0), lambda x: x.max(axis=0, dim=0),
    lambda x: x.var(axis=0, dim=0), lambda x: F.softmax(x, axis=0, dim=0),
    lambda x: x.sum(0, keepdims=True, keepdim=True), lambda x: x.argmax(axis=1, dim=1),
])
def test_both_spellings_of_one_argument_is_a_type_error(call):
    with pytest.raises(TypeError, match="got both"):
        call(gc.tensor(np.zeros((2, 3))))


# ----------------------------------------------------------------------------- in-place verdicts
_A = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])

SAVED_CASES = {
    "clone": (lambda x: x.clone(), lambda x: x.clone(), [_A]),
    "contiguous of a transpose": (lambda x: x.T.contiguous(), lambda x: x.T.contiguous(), [_A]),
    "to(float32)": (lambda x: x.to(np.float32), lambda x: x.to(torch.float32), [_A]),
    "t()": (lambda x: x.t(), lambda x: x.t(), [_A]),
    "view_as": (lambda x: x.view_as(gc.tensor(np.zeros(6))), lambda x: x.view_as(torch.zeros(6)), [_A]),
}


def test_in_place_change_verdict_is_pytorchs(saved_program, check_saved_program):
    check_saved_program(saved_program)


@pytest.mark.parametrize("shape, axes", [((2, 3), (0, 1)), ((2, 3), (1, 0)), ((2, 3, 4), (0, 1)),
                                         ((2, 3, 4), (-1, 0)), ((2, 3, 4), (2, 2)), ((), (0, -1))])
def test_transpose_of_two_axes_swaps_them_as_torch(shape, axes):
    # torch's transpose(dim0, dim1); NumPy would refuse all but the 2-D cases, and read the
    # 2-D transpose(0, 1) as the identity permutation (the silent porting trap this removes)
    a = np.random.default_rng(0).standard_normal(shape)
    x, t = gc.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, expected = x.transpose(*axes), t.transpose(*axes)
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    g = np.random.default_rng(1).standard_normal(expected.shape)
    out.backward(g)
    expected.backward(torch.tensor(g))
    np.testing.assert_array_equal(x.grad, t.grad.numpy())
    if a.ndim:  # NumPy's swapaxes refuses a 0-d array; torch's transpose(0, -1) returns it
        np.testing.assert_array_equal(gc.swapaxes(a, *axes).data, np.swapaxes(a, *axes))
    np.testing.assert_array_equal(x.transpose(dim0=axes[0], dim1=axes[1]).data, expected.detach().numpy())


def test_transpose_keeps_numpys_permutations():
    a = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(gc.tensor(a).transpose(2, 0, 1).data, np.transpose(a, (2, 0, 1)))
    np.testing.assert_array_equal(gc.tensor(a).transpose().data, np.transpose(a))
    with pytest.raises(TypeError, match="dim0= and dim1= together"):
        gc.tensor(a).transpose(0, dim1=1)


@pytest.mark.parametrize("name", ["float16", "float32", "float64", "half", "double", "int8", "int16",
                                  "int32", "int64", "short", "long", "uint8", "bool"])
def test_dtype_names_are_torchs(name):
    x = gc.tensor([0.0, 1.5, 2.0]).to(getattr(gc, name))
    assert x.dtype == np.dtype(str(getattr(torch, name)).removeprefix("torch."))
    np.testing.assert_array_equal(x.data, torch.tensor([0.0, 1.5, 2.0]).to(getattr(torch, name)).numpy())


def test_utils_is_reachable_without_an_import():
    assert gc.utils.data is gc.data


def test_take_along_axis_takes_dim_as_torch_take_along_dim():
    a = np.random.default_rng(0).standard_normal((3, 4))
    idx = np.argsort(a, axis=1)
    np.testing.assert_array_equal(gc.take_along_axis(a, idx, dim=1).data,
                                  torch.take_along_dim(torch.tensor(a), torch.tensor(idx), dim=1).numpy())
    expected = a.copy()
    np.put_along_axis(expected, idx[:, :1], 0.0, axis=1)  # NumPy's writes in place
    np.testing.assert_array_equal(gc.put_along_axis(a, idx[:, :1], 0.0, dim=1).data, expected)


@pytest.mark.parametrize("sizes", [2, 4, 6, 7, [1, 5], [0, 6], [3, 3]])
def test_split_with_dim_is_torchs_split(sizes):
    a = np.arange(12.0).reshape(2, 6)
    x, t = gc.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    for pieces in (gc.split(x, sizes, dim=1), x.split(sizes, dim=1), x.split(sizes, 1)):
        expected = torch.split(t, sizes, dim=1)
        assert [p.shape for p in pieces] == [tuple(e.shape) for e in expected]
        for p, e in zip(pieces, expected):
            np.testing.assert_array_equal(p.data, e.detach().numpy())
    gc.concatenate([p * (i + 1) for i, p in enumerate(gc.split(x, sizes, dim=1))], axis=1).sum().backward()
    torch.cat([p * (i + 1) for i, p in enumerate(torch.split(t, sizes, dim=1))], dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


def test_split_without_dim_stays_numpys():
    a = np.arange(12.0).reshape(2, 6)
    assert [p.shape for p in gc.split(a, 2, axis=1)] == [p.shape for p in np.split(a, 2, axis=1)]
    assert [p.shape for p in gc.split(a, [1, 3], 1)] == [p.shape for p in np.split(a, [1, 3], 1)]
    with pytest.raises(ValueError, match="must sum to the length 6"):
        gc.split(a, [1, 2], dim=1)
    with pytest.raises(TypeError, match="both axis= and dim="):
        gc.split(a, 2, axis=1, dim=1)


def test_device_arguments_and_cuda_are_refused_naming_the_device():
    # torch.cuda.is_available() on a machine without CUDA: False, no device
    assert gc.cuda.is_available() is torch.cuda.is_available() is False
    assert gc.cuda.device_count() == torch.cuda.device_count() == 0
    assert gc.tensor([1.0], device="cpu").device == "cpu" == gc.device("cpu")
    assert gc.zeros(2, device=gc.device("cpu")).shape == (2,)
    assert gc.randint(0, 5, (3,), device="cpu").shape == (3,)
    assert gc.device("cpu") != "cuda"
    for make in (lambda: gc.tensor([1.0], device="cuda"), lambda: gc.ones(2, device="cuda:0"),
                 lambda: gc.tensor([1.0]).cuda(), lambda: gc.nn.Linear(2, 2).cuda()):
        with pytest.raises(ValueError, match="'cuda(:0)?' is not available"):
            make()
