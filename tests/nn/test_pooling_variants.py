"""Pooling layers against PyTorch 2.13 (float64 values and input gradient, reprs, no state),
and stochastic pooling (PyTorch has none): training draws checked by their frequencies, the
evaluation expectation and its gradient by hand and by finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradcraft as gc
import gradcraft.functional as F
from gradcraft import nn

LAYERS = [  # (mine, torch, input shape)
    (lambda: nn.MaxPool2d(3, 2, 1, dilation=2, ceil_mode=True), lambda: torch.nn.MaxPool2d(3, 2, 1, dilation=2, ceil_mode=True), (2, 2, 9, 8)),
    (lambda: nn.MaxPool2d((2, 3), return_indices=True), lambda: torch.nn.MaxPool2d((2, 3), return_indices=True), (1, 2, 6, 7)),
    (lambda: nn.MaxPool1d(3, 2, 1, ceil_mode=True), lambda: torch.nn.MaxPool1d(3, 2, 1, ceil_mode=True), (2, 3, 10)),
    (lambda: nn.AvgPool2d(3, 2, 1, True, False), lambda: torch.nn.AvgPool2d(3, 2, 1, True, False), (2, 2, 7, 8)),
    (lambda: nn.AvgPool2d(2, divisor_override=3), lambda: torch.nn.AvgPool2d(2, divisor_override=3), (1, 2, 6, 6)),
    (lambda: nn.AvgPool1d(3, 2, 1), lambda: torch.nn.AvgPool1d(3, 2, 1), (2, 3, 10)),
    (lambda: nn.AdaptiveAvgPool2d(1), lambda: torch.nn.AdaptiveAvgPool2d(1), (2, 3, 5, 7)),
    (lambda: nn.AdaptiveAvgPool2d((3, None)), lambda: torch.nn.AdaptiveAvgPool2d((3, None)), (2, 3, 7, 5)),
    (lambda: nn.AdaptiveAvgPool1d(4), lambda: torch.nn.AdaptiveAvgPool1d(4), (2, 3, 9)),
    (lambda: nn.AdaptiveMaxPool2d((2, 3), True), lambda: torch.nn.AdaptiveMaxPool2d((2, 3), True), (2, 3, 7, 5)),
    (lambda: nn.LPPool2d(2, 3, 2), lambda: torch.nn.LPPool2d(2, 3, 2), (2, 2, 7, 7)),
]


@pytest.mark.parametrize("make_mine, make_theirs, shape", LAYERS)
def test_pooling_layers_match_torch(make_mine, make_theirs, shape):
    mine, theirs = make_mine(), make_theirs()
    assert repr(mine) == repr(theirs)
    assert list(mine.state_dict()) == []
    rng = np.random.default_rng(len(shape))
    array = rng.standard_normal(shape)
    x, ref = gc.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)
    out, expected = mine(x), theirs(ref)
    if isinstance(expected, tuple):
        (out, index), (expected, ref_index) = out, expected
        np.testing.assert_array_equal(index.data, ref_index.numpy())
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(x.grad, ref.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_max_unpool2d_layer_inverts_max_pool2d_like_torch():
    array = np.random.default_rng(0).standard_normal((2, 3, 7, 6))
    pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
    tpool, tunpool = torch.nn.MaxPool2d(2, return_indices=True), torch.nn.MaxUnpool2d(2)
    assert repr(unpool) == repr(tunpool)
    x, ref = gc.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)
    out = unpool(*pool(x), output_size=(7, 6))
    expected = tunpool(*tpool(ref), output_size=(7, 6))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=0, atol=0)
    upstream = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(x.grad, ref.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_layers_check_their_arguments_when_built():
    for make, error in [(lambda: nn.MaxPool2d(0), ValueError), (lambda: nn.MaxPool2d(2, dilation=0), ValueError),
                        (lambda: nn.MaxPool1d(2.0), TypeError), (lambda: nn.AvgPool1d(0), ValueError),
                        (lambda: nn.LPPool2d("2", 2), TypeError), (lambda: nn.StochasticPool2d(2, rng="x"), TypeError),
                        (lambda: nn.AdaptiveMaxPool2d(2, return_indices=1), TypeError)]:
        with pytest.raises(error):
            make()


# ----------------------------------------------------------------------------- stochastic pooling
def test_stochastic_pool_training_draws_each_element_with_probability_a_over_sum():
    # one 2x2 window, a = (1, 2, 3, 4) / 10 -> p = (0.1, 0.2, 0.3, 0.4); 4000 windows at once
    window = np.array([[1.0, 2.0], [3.0, 4.0]])
    x = np.tile(window, (4000, 1, 1, 1))
    out = F.stochastic_pool2d(x, 2, rng=0).data.ravel()
    counts = np.array([(out == v).sum() for v in (1.0, 2.0, 3.0, 4.0)])
    assert counts.sum() == 4000
    expected = 4000 * np.array([0.1, 0.2, 0.3, 0.4])
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 16.27  # chi-square with 3 degrees of freedom: P(chi2 > 16.27) = 0.001


def test_stochastic_pool_training_gradient_goes_to_the_drawn_element_and_zero_windows_give_zero():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, :2, :2] = [[0.0, 5.0], [0.0, 0.0]]      # one positive element: always drawn
    x[0, 0, 2:, 2:] = [[1.0, 2.0], [3.0, 4.0]]
    t = gc.tensor(x, requires_grad=True)
    out = F.stochastic_pool2d(t, 2, rng=3)
    assert out.data[0, 0, 0, 0] == 5.0 and out.data[0, 0, 0, 1] == 0 and out.data[0, 0, 1, 0] == 0
    out.backward(np.full((1, 1, 2, 2), 2.0))
    assert t.grad[0, 0, 0, 1] == 2.0 and t.grad[0, 0, :2, :2].sum() == 2.0
    drawn = t.grad[0, 0, 2:, 2:]
    assert (drawn == 2.0).sum() == 1 and drawn.sum() == 2.0
    assert x[0, 0, 2:, 2:][drawn == 2.0][0] == out.data[0, 0, 1, 1]


def test_stochastic_pool_eval_is_the_expectation_with_its_exact_gradient():
    x = np.array([[[[1.0, 2.0, 0.0, 0.0], [3.0, 4.0, 0.0, 0.0]]]])
    layer = nn.StochasticPool2d(2, rng=0).eval()
    t = gc.tensor(x, requires_grad=True)
    out = layer(t)
    # sum(a^2) / sum(a) = (1 + 4 + 9 + 16) / 10 = 3; the all-zero window gives 0
    np.testing.assert_allclose(out.data.ravel(), [3.0, 0.0])
    out.sum().backward()
    # d/da_i = (2 a_i - out) / sum(a) = (2 a_i - 3) / 10
    np.testing.assert_allclose(t.grad[0, 0, :, :2], (2 * x[0, 0, :, :2] - 3) / 10)
    np.testing.assert_array_equal(t.grad[0, 0, :, 2:], 0)
    y = gc.tensor(np.random.default_rng(1).uniform(0.5, 2.0, (1, 2, 5, 5)), requires_grad=True)
    assert gc.gradcheck(lambda a: F.stochastic_pool2d(a, 3, 2, training=False), y)
    assert repr(layer) == "StochasticPool2d(kernel_size=2, stride=2)"


def test_stochastic_pool_rng_follows_dropouts_rules():
    x = np.random.default_rng(0).uniform(0, 1, (2, 3, 6, 6))
    a, b = nn.StochasticPool2d(2, rng=7), nn.StochasticPool2d(2, rng=7)
    np.testing.assert_array_equal(a(x).data, b(x).data)  # same seed, same draws
    gc.manual_seed(5)
    first = F.stochastic_pool2d(x, 2).data
    gc.manual_seed(5)
    np.testing.assert_array_equal(F.stochastic_pool2d(x, 2).data, first)


@pytest.mark.parametrize("value, seen", [(-0.5, "a minimum of"), (np.nan, "NaN")])
def test_stochastic_pool_refuses_negative_input(value, seen):
    x = np.ones((1, 1, 4, 4))
    x[0, 0, 1, 2] = value
    with pytest.raises(ValueError, match=f"stochastic_pool2d: input must be non-negative.*{seen}"):
        F.stochastic_pool2d(x, 2, training=False)
