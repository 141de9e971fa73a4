"""nn.Conv1d, nn.Conv2d (groups, padding modes), nn.ConvTranspose1d and nn.ConvTranspose2d
against PyTorch 2.13: each layer is built in both libraries, torch's state_dict is loaded into
gradcraft's, and the float64 outputs and every gradient (input, weight, bias) are compared,
with the same repr; PyTorch's init bounds; bad input naming the layer, argument and shapes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import gradcraft as gc
import gradcraft.functional as F
from gradcraft import nn

pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")  # torch's note


def _pair(name, *args, **kwargs):
    """(gradcraft layer, torch layer in float64 with its state_dict loaded into ours)."""
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    mine = getattr(nn, name)(*args, **kwargs, dtype=np.float64)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    assert ({k: v.shape for k, v in mine.state_dict().items()}
            == {k: tuple(v.shape) for k, v in theirs.state_dict().items()})
    mine.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return mine, theirs


def _compare(mine, theirs, x_shape, seed=0, **forward):
    rng = np.random.default_rng(seed)
    array = rng.standard_normal(x_shape)
    x_mine, x_ref = gc.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)
    out_mine, out_ref = mine(x_mine, **forward), theirs(x_ref, **forward)
    assert out_mine.shape == tuple(out_ref.shape) and out_mine.dtype == np.float64
    np.testing.assert_allclose(out_mine.data, out_ref.detach().numpy(), rtol=1e-10, atol=1e-11)
    upstream = rng.standard_normal(tuple(out_ref.shape))
    out_mine.backward(upstream)
    out_ref.backward(torch.tensor(upstream))
    np.testing.assert_allclose(x_mine.grad, x_ref.grad.numpy(), rtol=1e-10, atol=1e-11)
    ref_params = dict(theirs.named_parameters())
    for name, param in mine.named_parameters():
        np.testing.assert_allclose(param.grad, ref_params[name].grad.numpy(), rtol=1e-10, atol=1e-11,
                                   err_msg=name)


CONFIGS = [  # (layer, constructor args, kwargs, input shape)
    ("Conv2d", (4, 6, 3), {"groups": 2, "padding": 1}, (2, 4, 7, 6)),
    ("Conv2d", (3, 6, 3), {"groups": 3, "stride": 2}, (2, 3, 9, 8)),        # depthwise, multiplier 2
    ("Conv2d", (4, 4, (2, 3)), {"groups": 4, "bias": False}, (1, 4, 5, 6)),
    ("Conv2d", (2, 3, 3), {"padding": 2, "padding_mode": "reflect"}, (2, 2, 5, 6)),
    ("Conv2d", (2, 3, (3, 2)), {"padding": (1, 2), "padding_mode": "replicate", "stride": (2, 1)}, (2, 2, 6, 5)),
    ("Conv2d", (2, 4, 3), {"padding": 1, "padding_mode": "circular", "groups": 2, "dilation": 2}, (1, 2, 6, 7)),
    ("Conv2d", (2, 3, 4), {"padding": "same", "padding_mode": "reflect"}, (2, 2, 6, 7)),
    ("Conv2d", (2, 3, (2, 3)), {"padding": "same", "padding_mode": "circular", "dilation": (3, 1)}, (1, 2, 8, 5)),
    ("Conv2d", (2, 3, 3), {"padding": "valid", "padding_mode": "replicate"}, (1, 2, 5, 5)),
    ("Conv2d", (3, 3, 3), {"padding": 1, "padding_mode": "reflect", "groups": 3}, (3, 5, 6)),  # unbatched
    ("Conv1d", (3, 4, 3), {}, (2, 3, 10)),
    ("Conv1d", (4, 6, 4), {"groups": 2, "padding": "same"}, (2, 4, 9)),
    ("Conv1d", (2, 4, 3), {"stride": 2, "padding": 2, "dilation": 2, "bias": False}, (2, 2, 11)),
    ("Conv1d", (2, 2, 3), {"groups": 2, "padding": 2, "padding_mode": "reflect"}, (2, 2, 6)),
    ("Conv1d", (2, 3, 2), {"padding": "same", "padding_mode": "circular"}, (2, 7)),          # unbatched
    ("Conv1d", (2, 3, 3), {"padding": (1,), "padding_mode": "replicate"}, (1, 2, 5)),
    ("ConvTranspose2d", (3, 2, 3), {}, (2, 3, 4, 5)),
    ("ConvTranspose2d", (3, 2, 3), {"stride": 2, "padding": 1, "output_padding": 1}, (2, 3, 4, 3)),
    ("ConvTranspose2d", (4, 6, (3, 2)), {"stride": (2, 3), "padding": (1, 0), "output_padding": (1, 2),
                                         "groups": 2}, (2, 4, 3, 4)),
    ("ConvTranspose2d", (3, 3, 3), {"groups": 3, "dilation": 2, "output_padding": 1, "bias": False}, (1, 3, 4, 4)),
    ("ConvTranspose2d", (2, 4, 2), {"stride": 2}, (2, 3, 3)),                                # unbatched
    ("ConvTranspose1d", (3, 2, 3), {"stride": 2, "padding": 1, "output_padding": 1}, (2, 3, 5)),
    ("ConvTranspose1d", (4, 6, 4), {"groups": 2, "stride": 3, "dilation": 2, "output_padding": 2}, (2, 4, 4)),
    ("ConvTranspose1d", (2, 2, 3), {}, (2, 5)),                                              # unbatched
]


@pytest.mark.parametrize("layer, args, kwargs, x_shape", CONFIGS)
def test_layer_matches_torch_with_its_state_dict(layer, args, kwargs, x_shape):
    mine, theirs = _pair(layer, *args, **kwargs)
    _compare(mine, theirs, x_shape)
    assert repr(mine) == repr(theirs)


@pytest.mark.parametrize("layer, args, kwargs", [
    ("Conv2d", (4, 6, 3), {"groups": 2, "padding_mode": "reflect", "padding": 1}),
    ("Conv1d", (4, 4, 3), {"groups": 4}),
    ("ConvTranspose2d", (4, 6, 3), {"groups": 2, "stride": 2, "output_padding": 1}),
    ("ConvTranspose1d", (2, 4, 3), {"dilation": 2}),
])
def test_our_weights_load_into_torch(layer, args, kwargs):
    mine = getattr(nn, layer)(*args, **kwargs, dtype=np.float64, rng=0)
    theirs = getattr(torch.nn, layer)(*args, **kwargs).double()
    theirs.load_state_dict({k: torch.tensor(v) for k, v in mine.state_dict().items()})
    spatial = (6, 5) if layer.endswith("2d") else (7,)
    x = np.random.default_rng(1).standard_normal((2, args[0], *spatial))
    np.testing.assert_allclose(mine(gc.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10)


@pytest.mark.parametrize("output_size", [(8, 8), (8, 7), (2, 6, 7, 8), torch.Size([7, 8])])
def test_conv_transpose2d_output_size_picks_torchs_output_padding(output_size):
    mine, theirs = _pair("ConvTranspose2d", 3, 2, 3, stride=2, padding=1, dilation=1)
    _compare(mine, theirs, (2, 3, 4, 4), output_size=list(output_size))


def test_conv_transpose1d_output_size_unbatched():
    mine, theirs = _pair("ConvTranspose1d", 2, 3, 3, stride=3)
    _compare(mine, theirs, (2, 4), output_size=[3, 12])


@pytest.mark.parametrize("output_size, message", [
    ((10, 10), r"ConvTranspose2d: requested an output size of \(10, 10\), but valid sizes range from "
               r"\(7, 7\) to \(8, 8\) \(for an input of shape \(1, 3, 4, 4\)\)"),
    ((8,), r"ConvTranspose2d: for an input of shape \(1, 3, 4, 4\), output_size must have 2 or 4 elements"),
])
def test_conv_transpose_bad_output_size(output_size, message):
    layer = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    with pytest.raises(ValueError, match=message):
        layer(gc.tensor(np.zeros((1, 3, 4, 4))), output_size=output_size)


@pytest.mark.parametrize("layer, args, kwargs, fan_in", [
    ("Conv2d", (4, 64, 3), {"groups": 2}, 2 * 9),
    ("Conv2d", (8, 64, (2, 5)), {"groups": 8}, 10),
    ("Conv1d", (6, 60, 5), {"groups": 3}, 2 * 5),
    ("ConvTranspose2d", (64, 4, 3), {}, 4 * 9),            # fan_in = weight.shape[1] * K = out/groups * K
    ("ConvTranspose2d", (64, 8, 3), {"groups": 4}, 2 * 9),
    ("ConvTranspose1d", (64, 6, 4), {"groups": 2}, 3 * 4),
])
def test_init_is_pytorchs_uniform_with_fan_in_per_group(layer, args, kwargs, fan_in):
    # kaiming_uniform_(a=sqrt(5)): U[-1/sqrt(fan_in), 1/sqrt(fan_in)], the bias from the same interval
    bound = 1 / math.sqrt(fan_in)
    theirs = getattr(torch.nn, layer)(*args, **kwargs)
    assert theirs.weight.abs().max().item() <= bound and theirs.bias.abs().max().item() <= bound
    assert theirs.weight.abs().max().item() > 0.9 * bound  # torch's own draws fill the same interval
    mine = getattr(nn, layer)(*args, **kwargs, rng=0)
    weight, bias = mine.weight.data, mine.bias.data
    assert weight.shape == tuple(theirs.weight.shape) and weight.dtype == np.float32
    assert np.abs(weight).max() <= bound and np.abs(bias).max() <= bound
    assert np.abs(weight).max() > 0.9 * bound
    assert abs(weight.std() - bound / math.sqrt(3)) < 0.15 * bound / math.sqrt(3)


def test_gradcheck_through_layers_float64():
    x = gc.tensor(np.random.default_rng(0).standard_normal((2, 4, 5, 5)), requires_grad=True)
    conv = nn.Conv2d(4, 6, 3, padding=1, padding_mode="circular", groups=2, dtype=np.float64, rng=0)
    assert gc.gradcheck(lambda x, w, b: F.conv2d(F.pad(x, (1, 1, 1, 1), mode="circular"), w, b, groups=2),
                        x, conv.weight, conv.bias)
    assert gc.gradcheck(lambda x: conv(x), x)
    up = nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1, groups=2, dtype=np.float64, rng=0)
    assert gc.gradcheck(lambda x: up(x), x)
    signal = gc.tensor(np.random.default_rng(1).standard_normal((2, 2, 6)), requires_grad=True)
    assert gc.gradcheck(lambda s: nn.Conv1d(2, 2, 3, padding=2, padding_mode="reflect", dtype=np.float64, rng=0)(s),
                        signal)


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("layer, x_shape, message", [
    (lambda: nn.Conv2d(3, 4, 3), (2, 4, 8, 8), r"Conv2d: input has 4 channels but in_channels=3 \(input shape \(2, 4, 8, 8\)\)"),
    (lambda: nn.Conv2d(3, 4, 3), (4, 8, 8), r"Conv2d: input has 4 channels but in_channels=3 \(input shape \(4, 8, 8\)\)"),
    (lambda: nn.Conv2d(3, 4, 3, padding_mode="reflect", padding=1), (2, 4, 8, 8), r"Conv2d: input has 4 channels"),
    (lambda: nn.Conv2d(3, 4, 3), (3, 8), r"Conv2d: input must have shape \(N, C, H, W\) or \(C, H, W\), got \(3, 8\)"),
    (lambda: nn.Conv1d(3, 4, 3), (2, 3, 4, 8), r"Conv1d: input must have shape \(N, C, L\) or \(C, L\), got \(2, 3, 4, 8\)"),
    (lambda: nn.Conv1d(3, 4, 3), (2, 2, 8), r"Conv1d: input has 2 channels but in_channels=3 \(input shape \(2, 2, 8\)\)"),
    (lambda: nn.ConvTranspose2d(3, 4, 3), (1, 2, 4, 4), r"ConvTranspose2d: input has 2 channels but in_channels=3"),
    (lambda: nn.ConvTranspose1d(3, 4, 3), (1, 3, 4, 4), r"ConvTranspose1d: input must have shape \(N, C, L\)"),
    (lambda: nn.Conv2d(3, 4, 5), (1, 3, 3, 3), r"conv2d: input of spatial size \(3, 3\) .* smaller than the dilated kernel \(5, 5\)"),
    (lambda: nn.Conv1d(3, 4, 3, dilation=3), (1, 3, 6), r"conv1d: input of spatial size \(6,\) .* dilated kernel \(7,\)"),
    (lambda: nn.Conv2d(1, 1, 3, padding=3, padding_mode="reflect"), (1, 1, 3, 3),
     r"pad: with mode='reflect' each width must be less than the size of its axis"),
])
def test_bad_input_names_the_layer_and_shapes(layer, x_shape, message):
    with pytest.raises(ValueError, match=message):
        layer()(gc.tensor(np.zeros(x_shape)))


@pytest.mark.parametrize("make, error, message, theirs", [
    (lambda m: m.Conv2d(4, 6, 3, groups=3), ValueError, "Conv2d: in_channels=4 must be divisible by groups=3", True),
    (lambda m: m.Conv2d(4, 6, 3, groups=4), ValueError, "Conv2d: out_channels=6 must be divisible by groups=4", True),
    (lambda m: m.Conv1d(4, 6, 3, groups=0), ValueError, "groups must be a positive int", True),
    (lambda m: m.ConvTranspose2d(4, 6, 3, groups=4), ValueError, "ConvTranspose2d: out_channels=6 must be divisible", True),
    (lambda m: m.ConvTranspose2d(4, 6, 3, padding_mode="reflect"), ValueError,
     "ConvTranspose2d: padding_mode='reflect' is not supported; only 'zeros'", True),
    (lambda m: m.ConvTranspose2d(4, 6, 3, stride=2, output_padding=2), ValueError,
     r"ConvTranspose2d: output_padding must be smaller than either stride or dilation, got "
     r"output_padding=\(2, 2\), stride=\(2, 2\), dilation=\(1, 1\)", False),  # torch: at forward, RuntimeError
    (lambda m: m.ConvTranspose2d(4, 6, 3, padding="same"), TypeError, "padding must be an int or a pair", False),
    (lambda m: m.Conv1d(4, 6, 3, padding="same", stride=2), ValueError, "Conv1d: padding='same' needs stride 1", True),
    (lambda m: m.Conv1d(4, 6, (3, 3)), ValueError, r"kernel_size must be an int or a 1-tuple, got \(3, 3\)", False),
    (lambda m: m.Conv1d(4, 6, 3, padding_mode="mirror"), ValueError, "padding_mode must be one of", True),
    (lambda m: m.Conv1d(4, 6, 3, padding=-1), ValueError, "padding must be a non-negative int", False),
    (lambda m: m.Conv2d(4, 6, 3, padding="full"), ValueError, "padding must be one of 'valid', 'same'", True),
    (lambda m: m.Conv1d(4, 6, 2.5), TypeError, "kernel_size must be an int", True),
])
def test_constructor_refuses_naming_the_argument(make, error, message, theirs):
    with pytest.raises(error, match=message):
        make(nn)
    if theirs:  # torch refuses the same arguments with the same exception class
        with pytest.raises(error):
            make(torch.nn)
