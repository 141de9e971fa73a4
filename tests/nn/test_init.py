"""nn.init: PyTorch's formulas (checked against torch's gain/fan values) and sample statistics."""

import math

import numpy as np
import pytest
import torch

import gradcraft as gc
from gradcraft import nn
from gradcraft.nn import init

SHAPE = (256, 128, 3, 3)  # conv-like: fan_in = 128*9 = 1152, fan_out = 256*9 = 2304


def _empty(shape=SHAPE, dtype=np.float32):
    return nn.Parameter(np.empty(shape, dtype=dtype))


@pytest.mark.parametrize("name, param", [("linear", None), ("sigmoid", None), ("tanh", None),
                                         ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
                                         ("selu", None), ("conv2d", None)])
def test_calculate_gain_matches_torch(name, param):
    assert init.calculate_gain(name, param) == pytest.approx(torch.nn.init.calculate_gain(name, param), rel=1e-15)


def test_fans_match_torch():
    assert init.fans(SHAPE) == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(SHAPE))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.fans((5,))


@pytest.mark.parametrize("fill, kwargs, bound", [
    (init.xavier_uniform_, {}, math.sqrt(6 / (1152 + 2304))),
    (init.xavier_uniform_, {"gain": 2.0}, 2 * math.sqrt(6 / (1152 + 2304))),
    (init.kaiming_uniform_, {}, math.sqrt(2 / (1 + 0.0)) * math.sqrt(3 / 1152)),
    (init.kaiming_uniform_, {"a": math.sqrt(5)}, 1 / math.sqrt(1152)),
    (init.kaiming_uniform_, {"mode": "fan_out", "nonlinearity": "relu"}, math.sqrt(2) * math.sqrt(3 / 2304)),
    (init.uniform_, {"a": -0.3, "b": 0.3}, 0.3),
])
def test_uniform_inits_fill_exactly_torchs_interval(fill, kwargs, bound):
    reference = torch.empty(SHAPE)
    getattr(torch.nn.init, fill.__name__)(reference, **kwargs)
    assert reference.abs().max().item() <= bound * (1 + 1e-6)  # the hand formula is torch's

    p = fill(_empty(), **kwargs, rng=0)
    values = p.data
    assert values.dtype == np.float32
    assert np.abs(values).max() <= bound * (1 + 1e-6)
    assert np.abs(values).max() > 0.999 * bound
    assert abs(values.mean()) < 0.01 * bound
    assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)


@pytest.mark.parametrize("fill, kwargs, std", [
    (init.xavier_normal_, {}, math.sqrt(2 / (1152 + 2304))),
    (init.kaiming_normal_, {"nonlinearity": "relu"}, math.sqrt(2 / 1152)),
    (init.kaiming_normal_, {"mode": "fan_out", "a": 0.1}, math.sqrt(2 / 1.01) / math.sqrt(2304)),
    (init.normal_, {"mean": 0.0, "std": 0.05}, 0.05),
])
def test_normal_inits_have_torchs_std(fill, kwargs, std):
    reference = torch.empty(SHAPE)
    torch.manual_seed(0)
    getattr(torch.nn.init, fill.__name__)(reference, **kwargs)
    assert reference.std().item() == pytest.approx(std, rel=0.01)  # the hand formula is torch's
    values = fill(_empty(), **kwargs, rng=1).data
    assert values.std() == pytest.approx(std, rel=0.01)
    assert abs(values.mean()) < 0.01 * std


def test_constant_zeros_ones_fill_in_place_keeping_dtype():
    p = _empty((3, 4), np.float64)
    data = p.data
    assert init.constant_(p, 0.1) is p and p.data is data
    np.testing.assert_array_equal(p.data, np.full((3, 4), 0.1))
    init.zeros_(p)
    assert not p.data.any()
    array = np.empty(5, dtype=np.float32)
    init.ones_(array)
    np.testing.assert_array_equal(array, np.ones(5))


def test_exam_relu_bias_of_point_one():
    layer = nn.Linear(3, 2, rng=0)
    init.constant_(layer.bias, 0.1)
    out = layer(gc.tensor(np.zeros((1, 3), dtype=np.float32)))
    np.testing.assert_allclose(out.data, [[0.1, 0.1]], rtol=1e-7)


def test_seeds_and_generators():
    a = init.xavier_uniform_(_empty((4, 4)), rng=3).data
    b = init.xavier_uniform_(_empty((4, 4)), rng=np.random.default_rng(3)).data
    c = init.xavier_uniform_(_empty((4, 4)), rng=0).data
    d = init.xavier_uniform_(_empty((4, 4)), rng=init.DEFAULT_SEED).data
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(c, d)
    assert not np.array_equal(a, c)
    with pytest.raises(ValueError, match="mode must be one of 'fan_in', 'fan_out', got 'fan_avg'"):
        init.kaiming_uniform_(_empty((4, 4)), mode="fan_avg")
    with pytest.raises(ValueError, match="nonlinearity must be one of .*got 'swish'"):
        init.kaiming_normal_(_empty((4, 4)), nonlinearity="swish")
    with pytest.raises(TypeError, match="fill a Tensor or NumPy array"):
        init.zeros_([1.0, 2.0])
