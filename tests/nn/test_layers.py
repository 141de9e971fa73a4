"""Layers against torch: Linear forward/backward, activations, Flatten, Dropout, Sequential."""

import math
from collections import OrderedDict

import numpy as np
import pytest
import torch

import gradcraft as gc
from gradcraft import nn


def _torch_linear_like(layer):
    t = torch.nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None,
                        dtype=torch.float64 if layer.weight.dtype == np.float64 else torch.float32)
    t.load_state_dict({k: torch.from_numpy(v) for k, v in layer.state_dict().items()})
    return t


@pytest.mark.parametrize("dtype, tol", [(np.float32, 1e-5), (np.float64, 1e-12)])
@pytest.mark.parametrize("shape", [(7, 5), (2, 3, 5), (5,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_forward_backward_match_torch(dtype, tol, shape, bias):
    layer = nn.Linear(5, 4, bias=bias, dtype=dtype, rng=3)
    t_layer = _torch_linear_like(layer)
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape).astype(dtype)
    upstream = rng.normal(size=shape[:-1] + (4,)).astype(dtype)

    xg = gc.tensor(x, requires_grad=True)
    out = layer(xg)
    out.backward(upstream)
    xt = torch.tensor(x, requires_grad=True)
    out_t = t_layer(xt)
    out_t.backward(torch.from_numpy(upstream))

    assert out.dtype == dtype and layer.weight.grad.dtype == dtype
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(xg.grad, xt.grad.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(layer.weight.grad, t_layer.weight.grad.numpy(), rtol=tol, atol=tol)
    if bias:
        np.testing.assert_allclose(layer.bias.grad, t_layer.bias.grad.numpy(), rtol=tol, atol=tol)


def test_linear_default_init_bounds_are_torchs():
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)  # torch: kaiming_uniform_(a=sqrt(5)) -> 1/sqrt(fan_in); bias the same
    for p in (layer.weight, layer.bias):
        assert p.dtype == np.float32
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.98 * bound  # fills the interval
    # U[-b, b] has variance b^2/3
    assert abs(layer.weight.data.var() - bound**2 / 3) < 0.02 * bound**2 / 3
    assert abs(layer.weight.data.mean()) < 0.01 * bound


def test_linear_seeding_is_reproducible_and_a_shared_generator_gives_distinct_layers():
    np.testing.assert_array_equal(nn.Linear(3, 3, rng=5).weight.data, nn.Linear(3, 3, rng=5).weight.data)
    np.testing.assert_array_equal(nn.Linear(3, 3, rng=0).weight.data, nn.Linear(3, 3, rng=0).weight.data)
    gen = np.random.default_rng(5)
    first, second = nn.Linear(3, 3, rng=gen), nn.Linear(3, 3, rng=gen)
    assert not np.array_equal(first.weight.data, second.weight.data)
    single = nn.Linear(3, 3, dtype=np.float64, rng=7)
    np.testing.assert_allclose(nn.Linear(3, 3, rng=7).weight.data, single.weight.data, rtol=1e-6)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(in_features=0, out_features=2), ValueError, "in_features must be a positive int, got 0"),
    (dict(in_features=2, out_features=2.5), TypeError, r"out_features must be an int, got 2.5 \(float\)"),
    (dict(in_features=2, out_features=2, dtype=np.int32), ValueError, "floating dtype"),
    (dict(in_features=2, out_features=2, rng="seed"), TypeError, "rng must be a numpy.random.Generator"),
])
def test_linear_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        nn.Linear(**kwargs)


def test_linear_rejects_wrong_input_width():
    with pytest.raises(ValueError, match=r"input of shape \(2, 3\) does not fit weight of shape \(4, 5\)"):
        nn.Linear(5, 4)(gc.tensor(np.zeros((2, 3), dtype=np.float32)))


@pytest.mark.parametrize("ours, theirs", [
    (nn.ReLU(), torch.nn.ReLU()),
    (nn.LeakyReLU(), torch.nn.LeakyReLU()),
    (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
    (nn.Sigmoid(), torch.nn.Sigmoid()),
    (nn.Tanh(), torch.nn.Tanh()),
    (nn.Softmax(), torch.nn.Softmax(dim=-1)),
    (nn.Softmax(axis=0), torch.nn.Softmax(dim=0)),
    (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
    (nn.LogSoftmax(axis=1), torch.nn.LogSoftmax(dim=1)),
    (nn.Identity(), torch.nn.Identity()),
    (nn.Flatten(), torch.nn.Flatten()),
    (nn.Flatten(0, 1), torch.nn.Flatten(0, 1)),
])
def test_parameter_free_layers_match_torch(ours, theirs):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 4, 5)) * 3
    upstream = rng.normal(size=theirs(torch.from_numpy(x)).shape)
    xg = gc.tensor(x, requires_grad=True)
    out = ours(xg)
    out.backward(upstream)
    xt = torch.tensor(x, requires_grad=True)
    out_t = theirs(xt)
    out_t.backward(torch.from_numpy(upstream))
    assert out.shape == tuple(out_t.shape)
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(xg.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_flatten_rejects_dims_outside_the_input():
    with pytest.raises(ValueError, match=r"Flatten\(start_dim=3, end_dim=-1\) does not fit an input of shape \(2, 3\)"):
        nn.Flatten(3)(gc.tensor(np.zeros((2, 3))))


@pytest.mark.parametrize("shape, dims", [((0, 3, 4), (1, -1)), ((2, 0, 4), (0, 1)), ((5, 0), (1, -1))])
def test_flatten_of_an_empty_batch_matches_torch(shape, dims):
    # An empty batch (the last one of a Subset, a filtered split) flattens like any other.
    out = nn.Flatten(*dims)(gc.tensor(np.zeros(shape, dtype=np.float32)))
    assert out.shape == tuple(torch.nn.Flatten(*dims)(torch.zeros(shape)).shape)


def test_dropout_trains_with_its_own_seed_and_is_identity_in_eval():
    x = gc.tensor(np.ones((200, 100), dtype=np.float32))
    layer = nn.Dropout(0.3, rng=4)
    out = layer(x).data
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)  # inverted dropout scaling
    np.testing.assert_array_equal(nn.Dropout(0.3, rng=4)(x).data, out)  # same seed, same mask
    assert not np.array_equal(layer(x).data, out)  # the generator moves on
    layer.eval()
    assert layer(x).data is x.data or np.array_equal(layer(x).data, x.data)
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\], got 1.5"):
        nn.Dropout(1.5)


def test_dropout_backward_uses_the_forward_mask():
    x = gc.tensor(np.ones((4, 6)), requires_grad=True)
    out = nn.Dropout(0.5, rng=0)(x)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.data)  # d(mask * x / (1-p)) / dx = mask / (1-p)


def test_sequential_indexing_len_iteration_append_and_slices():
    layers = [nn.Linear(4, 3, rng=0), nn.ReLU(), nn.Linear(3, 2, rng=1)]
    model = nn.Sequential(*layers)
    assert len(model) == 3 and list(model) == layers
    assert model[0] is layers[0] and model[-1] is layers[2]
    head = model[1:]
    assert isinstance(head, nn.Sequential) and list(head) == layers[1:]
    assert [n for n, _ in head.named_parameters()] == ["1.weight", "1.bias"]  # renumbered, like torch
    model.append(nn.Sigmoid())
    assert len(model) == 4 and isinstance(model[3], nn.Sigmoid)
    with pytest.raises(IndexError, match="index 7 is out of range for Sequential of length 4"):
        model[7]
    with pytest.raises(TypeError, match="holds Modules"):
        model.append(lambda x: x)
    x = np.random.default_rng(0).normal(size=(2, 4)).astype(np.float32)
    expected = 1 / (1 + np.exp(-(np.maximum(x @ layers[0].weight.data.T + layers[0].bias.data, 0)
                                 @ layers[2].weight.data.T + layers[2].bias.data)))
    np.testing.assert_allclose(model(gc.tensor(x)).data, expected, rtol=1e-5)


def test_sequential_from_ordered_dict_uses_the_names():
    model = nn.Sequential(OrderedDict([("fc1", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    torch_model = torch.nn.Sequential(OrderedDict([("fc1", torch.nn.Linear(2, 2)), ("act", torch.nn.Tanh())]))
    assert list(model.state_dict()) == list(torch_model.state_dict()) == ["fc1.weight", "fc1.bias"]
    assert repr(model).startswith("Sequential(\n  (fc1): Linear(")


def test_module_list_names_match_torch():
    model = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 1)])
    torch_model = torch.nn.ModuleList([torch.nn.Linear(2, 2), torch.nn.Linear(2, 1)])
    assert list(model.state_dict()) == list(torch_model.state_dict())
    assert len(model) == 2 and len(model[:1]) == 1
