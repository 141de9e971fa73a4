"""nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d and Module.to(device) against PyTorch 2.13.

Each layer is built in both libraries, torch's state_dict is loaded into gradcraft's, and the
float64 outputs and every gradient (input, weight, bias) are compared; the MNIST example's
`Net` (conv, relu, max-pool, dropout, flatten, linear, log_softmax, nll_loss) is compared whole.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import gradcraft as gc
import gradcraft.functional as F
from gradcraft import nn


def _load_torch_state(mine, theirs):
    mine.load_state_dict({name: value.detach().numpy() for name, value in theirs.state_dict().items()})


def _compare_layer(mine, theirs, x_shape, seed=0, rtol=1e-10):
    """Forward and backward (random upstream gradient) of both layers on the same float64 input."""
    rng = np.random.default_rng(seed)
    array = rng.standard_normal(x_shape)
    x_mine, x_ref = gc.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)
    out_mine, out_ref = mine(x_mine), theirs(x_ref)
    assert out_mine.shape == tuple(out_ref.shape) and out_mine.dtype == np.float64
    np.testing.assert_allclose(out_mine.data, out_ref.detach().numpy(), rtol=rtol, atol=1e-12)
    upstream = rng.standard_normal(tuple(out_ref.shape))
    out_mine.backward(upstream)
    out_ref.backward(torch.tensor(upstream))
    np.testing.assert_allclose(x_mine.grad, x_ref.grad.numpy(), rtol=rtol, atol=1e-12)
    mine_params, ref_params = dict(mine.named_parameters()), dict(theirs.named_parameters())
    assert list(mine_params) == list(ref_params)
    for name, param in mine_params.items():
        np.testing.assert_allclose(param.grad, ref_params[name].grad.numpy(), rtol=rtol, atol=1e-12,
                                   err_msg=name)


# ----------------------------------------------------------------------------- Conv2d
CONV_CONFIGS = [  # (constructor args, kwargs, input shape)
    ((1, 32, 3, 1), {}, (2, 1, 28, 28)),                      # the MNIST example's conv1
    ((3, 4, 3), {"padding": 1}, (2, 3, 7, 6)),
    ((3, 4, (3, 2)), {"stride": (2, 1), "padding": (1, 0), "bias": False}, (2, 3, 9, 8)),
    ((2, 5, 3), {"dilation": 2, "stride": 2}, (1, 2, 11, 10)),
    ((2, 3, 3), {"padding": "same"}, (2, 2, 6, 7)),
    ((2, 3, 4), {"padding": "same"}, (2, 2, 6, 7)),           # even kernel: one more pixel at the end
    ((2, 3, (2, 3)), {"padding": "same", "dilation": (3, 1)}, (1, 2, 8, 5)),
    ((2, 3, 3), {"padding": "valid"}, (2, 2, 6, 7)),
    ((2, 3, 3), {"padding": 2}, (2, 6, 5)),                   # one unbatched image (C, H, W)
]


@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel lengths")  # torch's note
@pytest.mark.parametrize("args, kwargs, x_shape", CONV_CONFIGS)
def test_conv2d_matches_torch_with_its_state_dict(args, kwargs, x_shape):
    torch.manual_seed(0)
    theirs = torch.nn.Conv2d(*args, **kwargs).double()
    mine = nn.Conv2d(*args, **kwargs, dtype=np.float64)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    assert {k: v.shape for k, v in mine.state_dict().items()} == {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    _load_torch_state(mine, theirs)
    _compare_layer(mine, theirs, x_shape)
    assert repr(mine) == repr(theirs)


def test_conv2d_weights_load_into_torch():
    mine = nn.Conv2d(3, 4, 3, padding=1, dtype=np.float64, rng=0)
    theirs = torch.nn.Conv2d(3, 4, 3, padding=1).double()
    theirs.load_state_dict({k: torch.tensor(v) for k, v in mine.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((1, 3, 5, 5))
    np.testing.assert_allclose(mine(gc.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("in_channels, kernel_size", [(1, 3), (32, 3), (4, (2, 5))])
def test_conv2d_init_is_pytorchs_uniform_bounds(in_channels, kernel_size):
    # kaiming_uniform_(a=sqrt(5)): U[-1/sqrt(fan_in), 1/sqrt(fan_in)] for the weight; the bias
    # from the same interval; torch's own layer draws inside the same bound
    layer = nn.Conv2d(in_channels, 64, kernel_size, rng=0)
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    bound = 1 / math.sqrt(in_channels * kh * kw)
    theirs = torch.nn.Conv2d(in_channels, 64, kernel_size)
    assert theirs.weight.abs().max().item() <= bound and theirs.bias.abs().max().item() <= bound
    weight, bias = layer.weight.data, layer.bias.data
    assert weight.dtype == np.float32 and np.abs(weight).max() <= bound and np.abs(bias).max() <= bound
    assert np.abs(weight).max() > 0.9 * bound  # spread over the whole interval
    assert abs(weight.std() - bound / math.sqrt(3)) < 0.15 * bound / math.sqrt(3)
    again = nn.Conv2d(in_channels, 64, kernel_size, rng=0)
    np.testing.assert_array_equal(again.weight.data, weight)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"groups": 3}, ValueError, "in_channels=4 must be divisible by groups=3"),
    ({"groups": 0}, ValueError, "groups must be a positive int"),
    ({"padding_mode": "mirror"}, ValueError, "padding_mode"),
    ({"padding": "same", "stride": 2}, ValueError, "padding='same' needs stride 1"),
    ({"padding": "full"}, ValueError, "padding"),
    ({"padding": -1}, ValueError, "padding"),
    ({"stride": 0}, ValueError, "stride"),
    ({"bias": 1}, TypeError, "bias"),
    ({"dtype": np.int64}, ValueError, "dtype must be a floating dtype"),
    ({"device": "cuda"}, ValueError, "device 'cuda' is not available"),
])
def test_conv2d_refuses_what_it_cannot_do_naming_the_argument(kwargs, error, message):
    with pytest.raises(error, match=message):
        nn.Conv2d(4, 4, 3, **kwargs)


def test_conv2d_refuses_bad_sizes():
    with pytest.raises(ValueError, match="in_channels"):
        nn.Conv2d(0, 4, 3)
    with pytest.raises(TypeError, match="kernel_size"):
        nn.Conv2d(1, 4, 2.5)
    with pytest.raises(ValueError, match="input has 2 channels"):
        nn.Conv2d(3, 4, 3)(gc.tensor(np.zeros((1, 2, 5, 5))))


def test_conv2d_gradcheck_float64():
    layer = nn.Conv2d(2, 3, 3, stride=2, padding=1, dtype=np.float64, rng=0)
    x = gc.tensor(np.random.default_rng(0).standard_normal((2, 2, 5, 5)), requires_grad=True)
    assert gc.gradcheck(lambda x, w, b: F.conv2d(x, w, b, 2, 1), x, layer.weight, layer.bias)
    same = nn.Conv2d(2, 3, 2, padding="same", dtype=np.float64, rng=1)
    assert gc.gradcheck(lambda x: same(x), x)


# ----------------------------------------------------------------------------- pooling
POOL_CONFIGS = [  # (mine, torch, input shape)
    (lambda: nn.MaxPool2d(2), lambda: torch.nn.MaxPool2d(2), (2, 3, 8, 8)),
    (lambda: nn.MaxPool2d(3, stride=2, padding=1), lambda: torch.nn.MaxPool2d(3, stride=2, padding=1), (2, 2, 7, 9)),
    (lambda: nn.MaxPool2d((2, 3), stride=(1, 2)), lambda: torch.nn.MaxPool2d((2, 3), stride=(1, 2)), (1, 2, 5, 7)),
    (lambda: nn.MaxPool2d(2), lambda: torch.nn.MaxPool2d(2), (3, 6, 6)),  # unbatched
    (lambda: nn.AvgPool2d(2), lambda: torch.nn.AvgPool2d(2), (2, 3, 8, 8)),
    (lambda: nn.AvgPool2d(3, 2, 1), lambda: torch.nn.AvgPool2d(3, 2, 1), (2, 2, 7, 9)),
    (lambda: nn.AvgPool2d(3, 2, 1, count_include_pad=False),
     lambda: torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False), (2, 2, 7, 9)),
]


@pytest.mark.parametrize("make_mine, make_theirs, x_shape", POOL_CONFIGS)
def test_pooling_layers_match_torch(make_mine, make_theirs, x_shape):
    mine, theirs = make_mine(), make_theirs()
    _compare_layer(mine, theirs, x_shape)
    assert repr(mine) == repr(theirs)
    assert list(mine.state_dict()) == []


def test_pooling_options_once_unsupported_now_match_torch():
    # dilation, ceil_mode, return_indices, divisor_override (refused before issue 10)
    for mine, theirs in [(nn.MaxPool2d(2, dilation=2), torch.nn.MaxPool2d(2, dilation=2)),
                         (nn.MaxPool2d(2, ceil_mode=True), torch.nn.MaxPool2d(2, ceil_mode=True)),
                         (nn.AvgPool2d(2, ceil_mode=True), torch.nn.AvgPool2d(2, ceil_mode=True)),
                         (nn.AvgPool2d(2, divisor_override=3), torch.nn.AvgPool2d(2, divisor_override=3))]:
        _compare_layer(mine, theirs, (1, 2, 7, 7))
    out, index = nn.MaxPool2d(2, return_indices=True)(gc.tensor(np.arange(16.0).reshape(1, 1, 4, 4)))
    np.testing.assert_array_equal(index.data[0, 0], [[5, 7], [13, 15]])


@pytest.mark.parametrize("make, error", [
    (lambda: nn.MaxPool2d(0), ValueError), (lambda: nn.MaxPool2d(2.0), TypeError),
    (lambda: nn.MaxPool2d(2, padding=-1), ValueError), (lambda: nn.AvgPool2d(2, ceil_mode=1), TypeError),
    (lambda: nn.AvgPool2d(2, divisor_override=0), ValueError),
])
def test_pooling_arguments_are_checked_when_the_layer_is_built(make, error):
    with pytest.raises(error):
        make()


# ----------------------------------------------------------------------------- the MNIST example's model
class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1, dtype=np.float64)
        self.conv2 = nn.Conv2d(32, 64, 3, 1, dtype=np.float64)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128, dtype=np.float64)
        self.fc2 = nn.Linear(128, 10, dtype=np.float64)

    def forward(self, x, lib=gc, functional=F):
        x = functional.relu(self.conv1(x))
        x = functional.relu(self.conv2(x))
        x = functional.max_pool2d(x, 2)
        x = lib.flatten(self.dropout1(x), 1)
        x = self.dropout2(functional.relu(self.fc1(x)))
        return functional.log_softmax(self.fc2(x), dim=1)


class _TorchNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = torch.nn.Conv2d(1, 32, 3, 1), torch.nn.Conv2d(32, 64, 3, 1)
        self.dropout1, self.dropout2 = torch.nn.Dropout(0.25), torch.nn.Dropout(0.5)
        self.fc1, self.fc2 = torch.nn.Linear(9216, 128), torch.nn.Linear(128, 10)

    forward = _Net.forward


def test_the_mnist_example_net_matches_torch_in_eval_mode():
    mine, theirs = _Net().eval(), _TorchNet().double().eval()
    assert list(mine.state_dict()) == list(theirs.state_dict())
    _load_torch_state(mine, theirs)
    rng = np.random.default_rng(0)
    images, labels = rng.standard_normal((3, 1, 28, 28)), np.array([3, 0, 9])
    out_mine = mine(gc.tensor(images))
    out_ref = theirs(torch.tensor(images), torch, torch.nn.functional)
    np.testing.assert_allclose(out_mine.data, out_ref.detach().numpy(), rtol=1e-9, atol=1e-12)
    F.nll_loss(out_mine, gc.tensor(labels)).backward()
    torch.nn.functional.nll_loss(out_ref, torch.tensor(labels)).backward()
    ref_grads = {name: p.grad.numpy() for name, p in theirs.named_parameters()}
    for name, param in mine.named_parameters():
        np.testing.assert_allclose(param.grad, ref_grads[name], rtol=1e-8, atol=1e-12, err_msg=name)


def test_flatten_from_dim_1_is_torchs():
    x = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(gc.flatten(gc.tensor(x), 1).data, torch.flatten(torch.tensor(x), 1).numpy())


# ----------------------------------------------------------------------------- Module.to(device)
@pytest.mark.parametrize("call", [lambda m: m.to("cpu"), lambda m: m.to(gc.device("cpu")),
                                  lambda m: m.to(device="cpu"), lambda m: m.cpu(),
                                  lambda m: m.to("cpu", non_blocking=True)])
def test_module_to_the_cpu_changes_nothing(call):
    model = nn.Conv2d(1, 2, 3)
    weight, array = model.weight, model.weight.data
    assert call(model) is model
    assert model.weight is weight and model.weight.data is array


@pytest.mark.parametrize("call", [lambda m: m.to("cpu", np.float64), lambda m: m.to(dtype=np.float64),
                                  lambda m: m.to(device="cpu", dtype="float64"),
                                  lambda m: m.to(gc.tensor(np.zeros(1))), lambda m: m.double()])
def test_module_to_a_dtype_casts_in_place_keeping_the_parameters(call):
    model, theirs = nn.Conv2d(1, 2, 3), torch.nn.Conv2d(1, 2, 3)
    weight, their_weight = model.weight, theirs.weight
    optimizer = gc.optim.SGD(model.parameters(), lr=0.1)
    assert call(model) is model and theirs.to("cpu", torch.float64) is theirs
    assert model.weight is weight and theirs.weight is their_weight  # the same Parameter objects
    assert model.weight.dtype == np.float64 and model.bias.dtype == np.float64
    assert optimizer.param_groups[0]["params"][0] is model.weight


@pytest.mark.parametrize("device", ["cuda", "mps", "cuda:1"])
def test_module_to_another_device_is_refused_naming_it(device):
    model = nn.Linear(2, 2)
    with pytest.raises(ValueError, match=f"device '{device}' is not available"):
        model.to(device)
    with pytest.raises(ValueError, match=f"device '{device}'"):
        model.to(device, np.float64)
    assert model.weight.dtype == np.float32


def test_module_to_refuses_copy_and_unknown_arguments():
    model = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="copy"):
        model.to(np.float64, copy=True)
    with pytest.raises(TypeError, match="unexpected keyword"):
        model.to(memory_format="x")
    with pytest.raises(ValueError, match=r"to\(dtype\) must be a floating dtype"):
        model.to(gc.tensor(np.zeros(1, dtype=np.int64)))
