"""BatchNorm1d / BatchNorm2d against torch.nn.BatchNorm* (float64): outputs, the gradients of the
input, weight and bias, and the running buffers over several training steps, then eval."""

import numpy as np
import pytest
import torch

import gradcraft as gc
from gradcraft import nn
from gradcraft.gradcheck import gradcheck

CASES = [
    ("BatchNorm1d", (6, 4), {}),
    ("BatchNorm1d", (5, 3, 7), {}),
    ("BatchNorm2d", (4, 3, 5, 6), {}),
    ("BatchNorm2d", (3, 2, 4, 4), {"momentum": None}),
    ("BatchNorm2d", (3, 2, 4, 4), {"affine": False}),
    ("BatchNorm2d", (3, 2, 4, 4), {"track_running_stats": False}),
    ("BatchNorm1d", (8, 5), {"eps": 1e-3, "momentum": 0.3}),
    ("BatchNorm2d", (2, 3, 1, 3), {}),   # two values per channel: the least that trains
]


def _pair(name, shape, options):
    ours = getattr(nn, name)(shape[1], dtype=np.float64, **options)
    theirs = getattr(torch.nn, name)(shape[1], dtype=torch.float64, **options)
    rng = np.random.default_rng(0)
    if options.get("affine", True):   # non-trivial scale and shift, the same in both
        with torch.no_grad():
            theirs.weight.copy_(torch.from_numpy(rng.uniform(0.5, 2, shape[1])))
            theirs.bias.copy_(torch.from_numpy(rng.normal(size=shape[1])))
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("name, shape, options", CASES)
def test_training_steps_then_eval_match_torch(name, shape, options):
    ours, theirs = _pair(name, shape, options)
    rng = np.random.default_rng(1)
    for step in range(3):
        x = rng.normal(2.0, 3.0, shape)
        g = rng.normal(size=shape)
        xg = gc.tensor(x, requires_grad=True)
        xt = torch.tensor(x, requires_grad=True)
        out, expected = ours(xg), theirs(xt)
        np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
        ours.zero_grad()
        theirs.zero_grad()
        (out * gc.tensor(g)).sum().backward()
        (expected * torch.from_numpy(g)).sum().backward()
        np.testing.assert_allclose(xg.grad, xt.grad.numpy(), rtol=1e-9, atol=1e-12)
        if ours.affine:
            np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), rtol=1e-9, atol=1e-12)
    torch_state = theirs.state_dict()
    for key, value in ours.state_dict().items():
        np.testing.assert_allclose(value, torch_state[key].numpy(), rtol=1e-12, err_msg=key)
    assert set(ours.state_dict()) == set(torch_state)
    ours.eval()
    theirs.eval()
    x = rng.normal(size=shape)
    xg, xt = gc.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(xg), theirs(xt)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(xg.grad, xt.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_gradcheck_training_mode():
    rng = np.random.default_rng(2)
    x = gc.tensor(rng.normal(size=(3, 2, 2, 3)), requires_grad=True)
    w = gc.tensor(rng.uniform(0.5, 2, 2), requires_grad=True)
    b = gc.tensor(rng.normal(size=2), requires_grad=True)
    weights = gc.tensor(rng.normal(size=(3, 2, 2, 3)))
    report = gradcheck(lambda x, w, b: (gc.nn.functional.batch_norm(x, None, None, w, b, training=True)
                                        * weights).sum(), x, w, b)
    assert report


def test_float32_matches_float64_closely():
    rng = np.random.default_rng(3)
    x = rng.normal(5.0, 0.1, (16, 4, 8, 8))   # a large mean, small spread: no cancellation
    out32 = nn.BatchNorm2d(4)(gc.tensor(x.astype(np.float32)))
    expected = torch.nn.BatchNorm2d(4, dtype=torch.float64)(torch.from_numpy(x)).detach().numpy()
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32.data, expected, atol=2e-4)


@pytest.mark.parametrize("layer, shape", [(nn.BatchNorm1d(3), (1, 3)), (nn.BatchNorm2d(3), (1, 3, 1, 1))])
def test_a_training_batch_with_one_value_per_channel_is_refused(layer, shape):
    with pytest.raises(ValueError, match=r"more than 1 value per channel.*\(1, 3"):
        layer(gc.zeros(shape))
    assert int(layer.num_batches_tracked) == 0
    layer.eval()   # evaluation of one sample is fine: the running estimates normalise
    assert layer(gc.zeros(shape)).shape == shape


def test_wrong_rank_and_channel_count_are_named():
    with pytest.raises(ValueError, match=r"BatchNorm2d: input must have shape \(N, C, H, W\), got \(4, 3\)"):
        nn.BatchNorm2d(3)(gc.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"BatchNorm1d: input has 4 channels but num_features=3"):
        nn.BatchNorm1d(3)(gc.zeros((2, 4)))
    with pytest.raises(ValueError, match="num_features"):
        nn.BatchNorm2d(0)


def test_repr_and_buffers_follow_the_module():
    layer = nn.BatchNorm2d(5, momentum=None)
    assert repr(layer) == "BatchNorm2d(5, eps=1e-05, momentum=None, affine=True, track_running_stats=True)"
    assert layer.num_batches_tracked.dtype == np.int64
    assert layer.double().running_mean.dtype == np.float64
