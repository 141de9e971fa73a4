"""The default generator: layers built without `rng` get distinct draws, `gc.manual_seed(n)`
makes a program reproducible, and an int seed stays private.

References are independent of gradcraft: NumPy's own `default_rng(seed)` streams, PyTorch's
`calculate_gain` for the Linear bound, and arithmetic written here.
"""

import math
import subprocess
import sys

import numpy as np
import pytest
import torch

import gradcraft as gc
import gradcraft.functional as F
from gradcraft import nn
from gradcraft.nn import init
from gradcraft.random import default_generator


@pytest.fixture(autouse=True)
def _restore_default_generator():
    """These tests re-seed the process-wide generator; put its state back afterwards."""
    state = default_generator().bit_generator.state
    yield
    default_generator().bit_generator.state = state


def _ones(shape=(64, 64)):
    return gc.tensor(np.ones(shape, dtype=np.float32))


def _small_model():
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 4))


def _weights(model):
    return [p.data.copy() for p in model.parameters()]


# --------------------------------------------------------------- distinct layers, distinct draws
def test_two_dropout_layers_without_rng_draw_different_masks():
    first, second = nn.Dropout(0.5), nn.Dropout(0.5)
    mask_a = first(_ones()).data != 0
    mask_b = second(_ones()).data != 0
    assert not np.array_equal(mask_a, mask_b)
    # independent p = 0.5 masks agree on about half of the 4096 entries (std 32 entries)
    assert 0.4 < (mask_a == mask_b).mean() < 0.6


def test_two_linear_layers_without_rng_start_from_different_weights():
    a, b = nn.Linear(16, 16), nn.Linear(16, 16)
    assert not np.array_equal(a.weight.data, b.weight.data)
    assert not np.array_equal(a.bias.data, b.bias.data)


def test_initialisers_without_rng_fill_tensors_differently():
    first = init.kaiming_uniform_(np.empty((8, 8)))
    second = init.kaiming_uniform_(np.empty((8, 8)))
    assert not np.array_equal(first, second)


def test_functional_dropout_without_rng_draws_new_masks_from_the_default_generator():
    first = F.dropout(_ones(), 0.5, True).data
    second = F.dropout(_ones(), 0.5, True).data
    assert not np.array_equal(first, second)
    gc.manual_seed(11)
    again = F.dropout(_ones(), 0.5, True).data
    # the mask is `uniform draw >= p` over the default generator's next 64*64 values
    expected_keep = np.random.default_rng(11).random((64, 64)) >= 0.5
    np.testing.assert_array_equal(again, np.where(expected_keep, 2.0, 0.0))


# --------------------------------------------------------------- manual_seed: whole-program reproducibility
def test_manual_seed_makes_model_construction_reproducible():
    gc.manual_seed(3)
    first = _weights(_small_model())
    gc.manual_seed(3)
    second = _weights(_small_model())
    gc.manual_seed(4)
    third = _weights(_small_model())
    assert len(first) == 4  # two weights, two biases
    for a, b in zip(first, second):
        assert np.array_equal(a, b)
    assert not any(np.array_equal(a, c) for a, c in zip(first, third))


def test_manual_seed_makes_dropout_masks_reproducible_even_for_layers_built_earlier():
    layer = nn.Dropout(0.5)  # holds the default generator; manual_seed re-seeds it in place
    gc.manual_seed(9)
    first = layer(_ones()).data
    gc.manual_seed(9)
    second = layer(_ones()).data
    gc.manual_seed(10)
    third = layer(_ones()).data
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, third)


def test_manual_seed_draws_what_numpy_default_rng_draws_and_returns_the_default_generator():
    generator = gc.manual_seed(5)
    assert generator is default_generator()
    np.testing.assert_array_equal(generator.random(6), np.random.default_rng(5).random(6))
    gc.manual_seed(np.int64(5))  # NumPy integers are ints too
    np.testing.assert_array_equal(default_generator().random(6), np.random.default_rng(5).random(6))


def test_a_program_that_never_seeds_is_reproducible_run_to_run():
    # a fresh interpreter: the default generator starts at seed 0, so the first Linear's weight
    # is NumPy's seed-0 stream scaled to PyTorch's bound 1/sqrt(in_features) = 1/2
    code = ("import numpy as np, gradcraft as gc\n"
            "w = gc.nn.Linear(4, 3).weight.data\n"
            "print(repr(w.tolist()))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    expected = np.random.default_rng(0).uniform(-0.5, 0.5, (3, 4)).astype(np.float32)
    np.testing.assert_array_equal(np.array(eval(out.stdout), dtype=np.float32), expected)


# --------------------------------------------------------------- an int seed is private
def test_an_int_seed_ignores_the_default_generator_state():
    before = nn.Linear(5, 3, rng=7)
    default_generator().random(1000)  # move the default generator on
    nn.Linear(5, 3)  # and consume it through a layer
    after = nn.Linear(5, 3, rng=7)
    np.testing.assert_array_equal(before.weight.data, after.weight.data)
    np.testing.assert_array_equal(before.bias.data, after.bias.data)
    # and it is NumPy's seed-7 stream: weight first, then bias, both in U[-1/sqrt(5), 1/sqrt(5)]
    reference = np.random.default_rng(7)
    bound = 1 / math.sqrt(5)
    np.testing.assert_array_equal(after.weight.data,
                                  reference.uniform(-bound, bound, (3, 5)).astype(np.float32))
    np.testing.assert_array_equal(after.bias.data, reference.uniform(-bound, bound, 3).astype(np.float32))


def test_an_int_seed_dropout_layer_ignores_the_default_generator_state():
    a = nn.Dropout(0.5, rng=7)(_ones()).data
    default_generator().random(1000)
    b = nn.Dropout(0.5, rng=7)(_ones()).data
    np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------- PyTorch's init distribution
def test_linear_from_the_default_generator_keeps_pytorchs_bound_and_spread():
    gc.manual_seed(0)
    layer = nn.Linear(100, 50)
    # PyTorch: kaiming_uniform_(a=sqrt(5)) -> gain * sqrt(3 / fan_in) = 1/sqrt(100) = 0.1
    bound = torch.nn.init.calculate_gain("leaky_relu", math.sqrt(5)) * math.sqrt(3 / 100)
    assert bound == pytest.approx(0.1)
    weight, bias = layer.weight.data.astype(np.float64), layer.bias.data.astype(np.float64)
    assert np.abs(weight).max() <= bound and np.abs(bias).max() <= bound
    # the bound is reached, not just respected (5000 draws: max |w| > 0.099 unless the bound is wrong)
    assert np.abs(weight).max() > 0.99 * bound and np.abs(bias).max() > 0.8 * bound
    # U[-b, b] has variance b^2 / 3 = 0.00333...; 5000 draws estimate it within ~2%
    assert weight.var() == pytest.approx(bound**2 / 3, rel=0.06)
    assert abs(weight.mean()) < 0.005  # std of the mean: 0.1 / sqrt(3 * 5000) = 0.0008


# --------------------------------------------------------------- bad arguments
@pytest.mark.parametrize("seed, error, message", [
    (-1, ValueError, "seed must be a non-negative int, got -1"),
    (1.5, TypeError, r"seed must be an int, got 1.5 \(float\)"),
    (True, TypeError, r"seed must be an int, got True \(bool\)"),
    ("3", TypeError, r"seed must be an int, got '3' \(str\)"),
    (None, TypeError, r"seed must be an int, got None \(NoneType\)"),
])
def test_manual_seed_refuses_bad_seeds_naming_the_argument(seed, error, message):
    state = default_generator().bit_generator.state
    with pytest.raises(error, match=message):
        gc.manual_seed(seed)
    assert default_generator().bit_generator.state == state  # nothing re-seeded


@pytest.mark.parametrize("rng", [1.5, "3", True, [1, 2]])
def test_make_rng_still_refuses_other_types(rng):
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator or an int seed"):
        init.make_rng(rng)


def test_negative_int_rng_is_refused_clearly():
    with pytest.raises(ValueError, match="rng seed must be a non-negative int, got -2"):
        nn.Linear(3, 2, rng=-2)
