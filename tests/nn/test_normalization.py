"""BatchNorm1d/2d, LayerNorm, GroupNorm against torch.nn (float64): outputs, the gradients of
the input, weight and bias, the running buffers over several training steps, then eval; the
state_dict from torch; PyTorch's refusals (a batch of one value per channel) and named errors."""

import numpy as np
import pytest
import torch

import gradcraft as gc
from gradcraft import nn

BATCH_NORM_CASES = [
    ("BatchNorm1d", (6, 4), {}),
    ("BatchNorm1d", (5, 3, 7), {}),
    ("BatchNorm2d", (4, 3, 5, 6), {}),
    ("BatchNorm2d", (3, 2, 4, 4), {"momentum": None}),
    ("BatchNorm1d", (7, 3), {"momentum": None}),
    ("BatchNorm2d", (3, 2, 4, 4), {"affine": False}),
    ("BatchNorm2d", (3, 2, 4, 4), {"bias": False}),
    ("BatchNorm2d", (3, 2, 4, 4), {"track_running_stats": False}),
    ("BatchNorm1d", (5, 3, 2), {"track_running_stats": False, "affine": False}),
    ("BatchNorm1d", (8, 5), {"eps": 1e-3, "momentum": 0.3}),
    ("BatchNorm2d", (2, 3, 1, 1), {}),   # two values per channel: the least that trains
]


def _with_random_affine(theirs, rng):
    """Non-trivial weight and bias (the same in both layers after the state_dict load)."""
    with torch.no_grad():
        for param in theirs.parameters():
            param.copy_(torch.from_numpy(rng.uniform(0.5, 2, param.shape)))


def _pair(name, args, options):
    ours = getattr(nn, name)(*args, dtype=np.float64, **options)
    theirs = getattr(torch.nn, name)(*args, dtype=torch.float64, **options)
    _with_random_affine(theirs, np.random.default_rng(0))
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def _step_and_compare(ours, theirs, x, g):
    """One forward and backward of both; outputs and every gradient must agree."""
    xg, xt = gc.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours.zero_grad()
    theirs.zero_grad()
    out, expected = ours(xg), theirs(xt)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    (out * gc.tensor(g)).sum().backward()
    (expected * torch.from_numpy(g)).sum().backward()
    np.testing.assert_allclose(xg.grad, xt.grad.numpy(), rtol=1e-8, atol=1e-11)
    ours_params = dict(ours.named_parameters())
    theirs_params = dict(theirs.named_parameters())
    assert set(ours_params) == set(theirs_params)
    for key, param in theirs_params.items():
        np.testing.assert_allclose(ours_params[key].grad, param.grad.numpy(), rtol=1e-8, atol=1e-11,
                                   err_msg=key)


@pytest.mark.parametrize("name, shape, options", BATCH_NORM_CASES)
def test_batch_norm_training_steps_then_eval_match_torch(name, shape, options):
    ours, theirs = _pair(name, (shape[1],), options)
    rng = np.random.default_rng(1)
    for _ in range(3):
        _step_and_compare(ours, theirs, rng.normal(2.0, 3.0, shape), rng.normal(size=shape))
    torch_state = theirs.state_dict()
    assert list(ours.state_dict()) == list(torch_state)
    for key, value in ours.state_dict().items():
        np.testing.assert_allclose(value, torch_state[key].numpy(), rtol=1e-12, err_msg=key)
        assert value.dtype == torch_state[key].numpy().dtype, key
    ours.eval()
    theirs.eval()
    for _ in range(2):   # eval: the running estimates (an affine map), gradients to x, weight, bias
        _step_and_compare(ours, theirs, rng.normal(1.0, 2.0, shape), rng.normal(size=shape))


@pytest.mark.parametrize("normalized_shape, shape, options", [
    (5, (4, 5), {}),
    ((5,), (2, 3, 5), {"eps": 1e-3}),
    ((3, 4), (2, 3, 4), {}),
    ((2, 3, 4), (2, 2, 3, 4), {}),
    ([4], (3, 4), {"bias": False}),
    ((3, 4), (2, 3, 4), {"elementwise_affine": False}),
])
def test_layer_norm_matches_torch_in_both_modes(normalized_shape, shape, options):
    ours, theirs = _pair("LayerNorm", (normalized_shape,), options)
    rng = np.random.default_rng(2)
    for mode in (True, False):
        ours.train(mode)
        theirs.train(mode)
        _step_and_compare(ours, theirs, rng.normal(1.0, 2.0, shape), rng.normal(size=shape))


@pytest.mark.parametrize("groups, channels, shape, options", [
    (2, 4, (3, 4, 5), {}),
    (3, 6, (2, 6, 3, 2), {}),
    (1, 3, (2, 3, 4), {"eps": 1e-3}),
    (4, 4, (2, 4, 3, 3), {}),   # InstanceNorm's grouping
    (2, 4, (5, 4), {}),         # no spatial axes
    (2, 4, (2, 4, 3), {"affine": False}),
    (2, 4, (2, 4, 3), {"bias": False}),
])
def test_group_norm_matches_torch(groups, channels, shape, options):
    ours, theirs = _pair("GroupNorm", (groups, channels), options)
    rng = np.random.default_rng(3)
    _step_and_compare(ours, theirs, rng.normal(-1.0, 2.0, shape), rng.normal(size=shape))


def test_state_dict_from_torch_loads_and_evaluates_the_same():
    theirs = torch.nn.BatchNorm2d(3, dtype=torch.float64)
    rng = np.random.default_rng(4)
    _with_random_affine(theirs, rng)
    for _ in range(4):   # real running estimates and a counter of 4
        theirs(torch.from_numpy(rng.normal(1, 3, (4, 3, 2, 2))))
    ours = nn.BatchNorm2d(3, dtype=np.float64)
    ours.load_state_dict(theirs.state_dict())
    assert int(ours.num_batches_tracked) == 4 and ours.num_batches_tracked.dtype == np.int64
    ours.eval()
    theirs.eval()
    x = rng.normal(size=(2, 3, 2, 2))
    np.testing.assert_allclose(ours(gc.tensor(x)).data, theirs(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-12)
    back = torch.nn.BatchNorm2d(3, dtype=torch.float64)
    back.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    assert int(back.num_batches_tracked) == 4


@pytest.mark.parametrize("layer, shape", [("BatchNorm1d", (1, 3)), ("BatchNorm2d", (1, 3, 1, 1))])
def test_a_training_batch_of_one_value_per_channel_is_refused(layer, shape):
    ours = getattr(nn, layer)(3)
    with pytest.raises(ValueError, match=rf"{layer}: Expected more than 1 value per channel when "
                                         rf"training, got input size \(1, 3"):
        ours(gc.zeros(shape))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        getattr(torch.nn, layer)(3)(torch.zeros(shape))   # torch refuses the same input
    assert int(ours.num_batches_tracked) == 0   # the refused batch was not counted
    np.testing.assert_array_equal(ours.running_mean, np.zeros(3))
    ours.eval()   # evaluation of one sample is fine: the running estimates normalise
    assert ours(gc.ones(shape)).shape == shape
    untracked = getattr(nn, layer)(3, track_running_stats=False).eval()
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        untracked(gc.zeros(shape))   # no running estimates: batch statistics in eval too
    with pytest.raises(ValueError, match=r"batch_norm: Expected more than 1 value per channel"):
        gc.nn.functional.batch_norm(gc.zeros(shape), None, None, training=True)


def test_wrong_rank_channels_and_arguments_are_named():
    with pytest.raises(ValueError, match=r"BatchNorm2d: input must have shape \(N, C, H, W\), got \(4, 3\)"):
        nn.BatchNorm2d(3)(gc.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"BatchNorm1d: input must have shape \(N, C\) or \(N, C, L\), "
                                         r"got \(2, 3, 4, 5\)"):
        nn.BatchNorm1d(3)(gc.zeros((2, 3, 4, 5)))
    with pytest.raises(ValueError, match=r"BatchNorm1d: input has 4 channels but num_features=3 "
                                         r"\(input shape \(2, 4\)\)"):
        nn.BatchNorm1d(3)(gc.zeros((2, 4)))
    with pytest.raises(ValueError, match="num_features"):
        nn.BatchNorm2d(0)
    with pytest.raises(ValueError, match=r"GroupNorm: num_channels \(4\) must be divisible by num_groups \(3\)"):
        nn.GroupNorm(3, 4)
    with pytest.raises(ValueError, match=r"GroupNorm: input must have shape \(N, 4, \*\).*got \(2, 6, 3\)"):
        nn.GroupNorm(2, 4)(gc.zeros((2, 6, 3)))
    with pytest.raises(ValueError, match=r"layer_norm: given normalized_shape=\[4\], expected an input "
                                         r"of shape \(\*, 4\), got \(2, 3\)"):
        nn.LayerNorm(4)(gc.zeros((2, 3)))
    with pytest.raises(TypeError, match="normalized_shape"):
        nn.LayerNorm(2.5)
    with pytest.raises(TypeError, match="BatchNorm2d: affine"):
        nn.BatchNorm2d(3, affine=1)


def test_repr_matches_torch():
    for ours, theirs in [(nn.BatchNorm2d(5, momentum=None), torch.nn.BatchNorm2d(5, momentum=None)),
                         (nn.BatchNorm1d(3, bias=False), torch.nn.BatchNorm1d(3, bias=False)),
                         (nn.LayerNorm((2, 3)), torch.nn.LayerNorm((2, 3))),
                         (nn.LayerNorm(4, elementwise_affine=False), torch.nn.LayerNorm(4, elementwise_affine=False)),
                         (nn.GroupNorm(2, 4, bias=False), torch.nn.GroupNorm(2, 4, bias=False))]:
        assert repr(ours) == repr(theirs)


def test_buffers_follow_the_module_dtype_and_float32_is_the_default():
    layer = nn.BatchNorm2d(5)
    assert layer.weight.dtype == np.float32 and layer.running_var.dtype == np.float32
    assert layer.num_batches_tracked.dtype == np.int64 and layer.num_batches_tracked.shape == ()
    layer.double()
    assert layer.running_mean.dtype == np.float64 and layer.num_batches_tracked.dtype == np.int64
    out = layer(gc.tensor(np.random.default_rng(5).normal(size=(2, 5, 2, 2))))
    assert out.dtype == np.float64 and int(layer.num_batches_tracked) == 1
    layer.reset_running_stats()
    assert int(layer.num_batches_tracked) == 0 and (layer.running_var == 1).all()
    assert nn.LayerNorm(3).weight.dtype == np.float32 and nn.GroupNorm(1, 2).bias.dtype == np.float32
