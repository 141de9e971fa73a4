"""Argument checks of layer constructors, `Module.to` and gradient clipping.

Bad arguments fail at construction with an error naming the argument and the value seen (not a
message from `float()`/`int()`, not a silent truncation); `dtype=None` means the default float
as in PyTorch. Expected dtypes and values come from torch==2.13.0.
"""

import math

import numpy as np
import pytest
import torch

import gradcraft as gc
from gradcraft import models, nn, optim


def _numpy_dtype(torch_dtype) -> np.dtype:
    return torch.empty(0, dtype=torch_dtype).numpy().dtype


# ---------------------------------------------------------------- dtype=None


def test_linear_dtype_none_is_torch_default_float32():
    expected = _numpy_dtype(torch.nn.Linear(2, 3, dtype=None).weight.dtype)
    assert expected == np.float32  # the torch default, stated by hand as well
    layer = nn.Linear(2, 3, dtype=None)
    assert layer.weight.dtype == expected and layer.bias.dtype == expected
    out = layer(gc.tensor(np.ones((4, 2), dtype=np.float32)))
    assert out.dtype == np.float32


def test_mlp_dtype_none_is_float32():
    model = models.mlp(4, hidden=(3,), dtype=None)
    dtypes = {p.dtype for p in model.parameters()}
    assert dtypes == {np.dtype(np.float32)}
    assert len(list(model.parameters())) == 4


def test_explicit_dtypes_still_honoured():
    assert nn.Linear(2, 3, dtype=np.float64).weight.dtype == np.float64
    assert nn.Linear(2, 3, dtype="float64").bias.dtype == np.float64
    assert nn.Linear(2, 3).weight.dtype == np.float32
    # a dtype, but not a floating one: a wrong value (a ValueError), not a wrong type
    with pytest.raises(ValueError, match=r"dtype must be a floating dtype .*got int64"):
        nn.Linear(2, 3, dtype=np.int64)


@pytest.mark.parametrize("call", [lambda m: m.to(None), lambda m: m.to(), lambda m: m.to(dtype=None)],
                         ids=["to(None)", "to()", "to(dtype=None)"])
def test_to_none_changes_nothing_like_torch(call):
    theirs = torch.nn.Linear(2, 3).double()
    assert call(theirs) is theirs  # torch keeps float64 and returns the module itself
    expected = _numpy_dtype(theirs.weight.dtype)
    assert expected == np.float64

    ours = nn.Linear(2, 3).double()
    ours.weight.grad = np.ones((3, 2))
    before = ours.weight.data
    assert call(ours) is ours
    assert ours.weight.dtype == expected and ours.bias.dtype == expected
    assert ours.weight.grad.dtype == np.float64
    assert ours.weight.data is before  # not even a copy

    float32_model = nn.Linear(2, 3)
    call(float32_model)
    assert float32_model.weight.dtype == np.float32


def test_to_with_a_dtype_still_converts_and_refuses_non_floats():
    model = nn.Linear(2, 3).to(np.float64)
    assert model.weight.dtype == np.float64
    with pytest.raises(ValueError, match=r"to\(dtype\) must be a floating dtype .*got int32"):
        model.to(np.int32)
    assert model.weight.dtype == np.float64


# ---------------------------------------------------------------- LeakyReLU


@pytest.mark.parametrize("value, shown", [
    ("x", r"'x' \(str\)"),
    (None, r"None \(NoneType\)"),
    (True, r"True \(bool\)"),
    ([0.1], r"\[0.1\] \(list\)"),
])
def test_leaky_relu_refuses_non_real_slopes(value, shown):
    with pytest.raises(TypeError, match=r"negative_slope must be a real number, got " + shown):
        nn.LeakyReLU(value)


@pytest.mark.parametrize("slope", [0.2, np.float32(0.25), np.float64(0.5), 0, np.int64(2), -0.3])
def test_leaky_relu_valid_slopes_match_torch(slope):
    layer = nn.LeakyReLU(slope)
    assert type(layer.negative_slope) is float
    x = np.array([[-2.0, -0.5, 0.0, 1.5]], dtype=np.float32)
    expected = torch.nn.LeakyReLU(float(slope))(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(layer(gc.tensor(x)).numpy(), expected, rtol=1e-6)


def test_leaky_relu_keeps_accepting_nan_and_inf_slopes():
    # As before this change (and as torch): only the type is checked, not the value.
    assert math.isnan(nn.LeakyReLU(float("nan")).negative_slope)
    assert nn.LeakyReLU(float("inf")).negative_slope == math.inf


# ---------------------------------------------------------------- Softmax / LogSoftmax


@pytest.mark.parametrize("layer", [nn.Softmax, nn.LogSoftmax])
@pytest.mark.parametrize("kwargs, message", [
    ({"axis": "a"}, r"axis must be an int, got 'a' \(str\)"),
    ({"axis": 1.7}, r"axis must be an int, got 1.7 \(float\)"),
    ({"axis": None}, r"axis must be an int, got None \(NoneType\)"),
    ({"axis": True}, r"axis must be an int, got True \(bool\)"),
    ({"dim": 1.7}, r"dim must be an int, got 1.7 \(float\)"),
    ({"dim": "a"}, r"dim must be an int, got 'a' \(str\)"),
    ({"dim": np.float64(1.0)}, r"dim must be an int, got np.float64\(1.0\) \(float64\)"),
])
def test_softmax_refuses_non_int_axes(layer, kwargs, message):
    with pytest.raises(TypeError, match=message):
        layer(**kwargs)


def test_softmax_positional_float_named_axis():
    with pytest.raises(TypeError, match=r"axis must be an int, got 1.7"):
        nn.Softmax(1.7)


@pytest.mark.parametrize("ours, theirs", [
    (lambda: nn.Softmax(np.int64(1)), lambda: torch.nn.Softmax(dim=1)),
    (lambda: nn.Softmax(axis=np.int32(-2)), lambda: torch.nn.Softmax(dim=-2)),
    (lambda: nn.Softmax(dim=0), lambda: torch.nn.Softmax(dim=0)),
    (lambda: nn.LogSoftmax(dim=np.int16(-1)), lambda: torch.nn.LogSoftmax(dim=-1)),
    (lambda: nn.LogSoftmax(2), lambda: torch.nn.LogSoftmax(dim=2)),
])
def test_softmax_valid_axes_match_torch(ours, theirs):
    x = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)
    layer = ours()
    assert type(layer.axis) is int
    expected = theirs()(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(layer(gc.tensor(x)).numpy(), expected, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- Flatten


@pytest.mark.parametrize("args, message", [
    (("a",), r"start_dim must be an int, got 'a' \(str\)"),
    ((1.9,), r"start_dim must be an int, got 1.9 \(float\)"),
    ((None,), r"start_dim must be an int, got None"),
    ((True,), r"start_dim must be an int, got True \(bool\)"),
    ((1, "b"), r"end_dim must be an int, got 'b' \(str\)"),
    ((0, -1.0), r"end_dim must be an int, got -1.0 \(float\)"),
    ((0, None), r"end_dim must be an int, got None"),
])
def test_flatten_refuses_non_int_dims(args, message):
    with pytest.raises(TypeError, match=message):
        nn.Flatten(*args)


def test_flatten_keyword_names_the_argument():
    with pytest.raises(TypeError, match=r"end_dim must be an int, got 2.5"):
        nn.Flatten(end_dim=2.5)


@pytest.mark.parametrize("dims", [(np.int64(1),), (np.int32(0), np.int8(-2)), (-3, -1), (1, 2), ()])
def test_flatten_valid_dims_match_torch(dims):
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    layer = nn.Flatten(*dims)
    assert type(layer.start_dim) is int and type(layer.end_dim) is int
    expected = torch.nn.Flatten(*[int(d) for d in dims])(torch.from_numpy(x)).numpy()
    out = layer(gc.tensor(x)).numpy()
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out, expected)


# ---------------------------------------------------------------- gradient clipping


def _pairs(grads):
    ours, theirs = [], []
    for g in grads:
        p = nn.Parameter(np.zeros_like(g))
        p.grad = g.copy()
        t = torch.zeros(g.shape, dtype=torch.float32, requires_grad=True)
        t.grad = torch.from_numpy(g.copy())
        ours.append(p)
        theirs.append(t)
    return ours, theirs


_GRADS = [np.array([3.0, -4.0], dtype=np.float32), np.array([[0.5, -7.0], [2.0, 1.0]], dtype=np.float32)]


@pytest.mark.parametrize("value, shown", [
    ("a", r"'a' \(str\)"), ("0.5", r"'0.5' \(str\)"), (None, r"None \(NoneType\)"), (True, r"True \(bool\)"),
])
def test_clip_grad_value_refuses_non_real(value, shown):
    ours, _ = _pairs(_GRADS)
    with pytest.raises(TypeError, match=r"clip_value must be a real number, got " + shown):
        optim.clip_grad_value_(ours, value)
    np.testing.assert_array_equal(ours[0].grad, _GRADS[0])  # nothing clipped


@pytest.mark.parametrize("value, shown", [("a", r"'a' \(str\)"), (None, "None"), (False, r"False \(bool\)")])
def test_clip_grad_norm_refuses_non_real_max_norm(value, shown):
    ours, _ = _pairs(_GRADS)
    with pytest.raises(TypeError, match=r"max_norm must be a real number, got " + shown):
        optim.clip_grad_norm_(ours, value)


@pytest.mark.parametrize("value, error, message", [
    ("a", ValueError, r"norm_type must be a real number > 0 or 'inf', got 'a'"),
    ("fro", ValueError, r"norm_type must be a real number > 0 or 'inf', got 'fro'"),
    (None, TypeError, r"norm_type must be a real number, got None \(NoneType\)"),
    (True, TypeError, r"norm_type must be a real number, got True \(bool\)"),
    (-1, ValueError, r"norm_type must be > 0"),
])
def test_clip_grad_norm_refuses_bad_norm_type(value, error, message):
    ours, _ = _pairs(_GRADS)
    with pytest.raises(error, match=message):
        optim.clip_grad_norm_(ours, 1.0, norm_type=value)


@pytest.mark.parametrize("norm_type", ["inf", "INF", float("inf"), np.float64(np.inf), 2, np.int64(1), 3.5])
def test_clip_grad_norm_valid_norm_types_match_torch(norm_type):
    ours, theirs = _pairs(_GRADS)
    # Hand check of the inf case: the largest |g| is 7.
    total = optim.clip_grad_norm_(ours, np.float32(1.0), norm_type=norm_type)
    torch_norm = float("inf") if isinstance(norm_type, str) else float(norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.0, norm_type=torch_norm)
    if torch_norm == math.inf:
        assert total == 7.0
    assert total == pytest.approx(float(expected), rel=1e-6)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-6)


def test_torch_accepts_the_string_inf_too():
    _, theirs = _pairs(_GRADS)
    assert float(torch.nn.utils.clip_grad_norm_(theirs, 100.0, norm_type="inf")) == 7.0


def test_clip_valid_numbers_still_work():
    ours, theirs = _pairs(_GRADS)
    optim.clip_grad_value_(ours, np.float64(2))
    torch.nn.utils.clip_grad_value_(theirs, 2.0)
    for p, t in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad, t.grad.numpy())
    ours, _ = _pairs(_GRADS)
    optim.clip_grad_value_(ours, 1)  # a plain int
    np.testing.assert_array_equal(ours[1].grad, [[0.5, -1.0], [1.0, 1.0]])
    ours, _ = _pairs(_GRADS)
    # max_norm = inf never scales (as before): sqrt(9 + 16 + 0.25 + 49 + 4 + 1) = sqrt(79.25)
    assert optim.clip_grad_norm_(ours, float("inf")) == pytest.approx(math.sqrt(79.25), rel=1e-6)
    np.testing.assert_array_equal(ours[1].grad, _GRADS[1])
    with pytest.raises(ValueError, match="max_norm must be >= 0, got nan"):
        optim.clip_grad_norm_(ours, float("nan"))
    with pytest.raises(ValueError, match="clip_value must be >= 0, got nan"):
        optim.clip_grad_value_(ours, float("nan"))
