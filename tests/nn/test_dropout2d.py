"""Dropout2d: whole channels dropped, survivors scaled by 1/(1-p), identity in eval."""

import numpy as np
import pytest

import gradcraft as gc
from gradcraft import nn


def test_whole_channels_are_zeroed_and_the_rest_scaled():
    layer = nn.Dropout2d(0.25, rng=0)
    x = gc.tensor(np.ones((200, 8, 3, 4), dtype=np.float32), requires_grad=True)
    out = layer(x).data
    per_channel = out.reshape(200, 8, -1)
    # every channel is all zeros or all 1/(1-p) = 4/3: one draw per channel, never per pixel
    assert np.all((per_channel == 0).all(axis=2) | np.isclose(per_channel, 4 / 3).all(axis=2))
    dropped = (per_channel == 0).all(axis=2).mean()
    assert abs(dropped - 0.25) < 0.04   # 1600 channels: sd of the fraction is about 0.011
    out_t = layer(x)
    out_t.sum().backward()
    # the gradient is the mask itself (zero or 1/(1-p) per channel)
    grads = x.grad.reshape(200, 8, -1)
    assert np.all(np.isclose(grads, 0).all(axis=2) | np.isclose(grads, 4 / 3).all(axis=2))


def test_eval_is_the_identity_and_unbatched_images_work():
    layer = nn.Dropout2d(0.5, rng=1)
    x = gc.tensor(np.arange(24, dtype=np.float64).reshape(2, 3, 4))
    kept = (layer(x).data.reshape(2, -1) != 0).all(axis=1) | (layer(x).data.reshape(2, -1)[:, 1:] == 0).all(axis=1)
    assert kept.all()
    layer.eval()
    np.testing.assert_array_equal(layer(x).data, x.data)


def test_bad_rank_is_refused_with_the_shape():
    with pytest.raises(ValueError, match=r"dropout2d: input must have shape \(N, C, H, W\) or \(C, H, W\), got \(4, 5\)"):
        nn.Dropout2d()(gc.zeros((4, 5)))


def test_dropout1d_zeroes_whole_channels_of_sequences():
    layer = nn.Dropout1d(0.5, rng=2)
    out = layer(gc.tensor(np.ones((100, 6, 5), dtype=np.float32))).data
    channel_dropped = (out == 0).all(axis=2)
    assert np.all(channel_dropped | (out == 2).all(axis=2))   # 1/(1-p) = 2 on survivors
    assert abs(channel_dropped.mean() - 0.5) < 0.06            # 600 channels: sd about 0.02
    single = layer(gc.tensor(np.ones((6, 5))))                 # one sequence (C, L)
    assert np.all((single.data == 0).all(axis=1) | (single.data == 2).all(axis=1))
    layer.eval()
    np.testing.assert_array_equal(layer(gc.tensor(np.arange(10.0).reshape(2, 5))).data,
                                  np.arange(10.0).reshape(2, 5))
    with pytest.raises(ValueError, match=r"dropout1d: input must have shape \(N, C, L\) or \(C, L\), got \(4,\)"):
        gc.nn.functional.dropout1d(gc.zeros(4))


def test_rng_like_dropout_seed_generator_and_default():
    x = gc.tensor(np.ones((4, 8, 2, 2)))
    # the same seed draws the same channel mask; a kept Generator draws new masks each call
    first, again = nn.Dropout2d(0.5, rng=7)(x).data, nn.Dropout2d(0.5, rng=7)(x).data
    np.testing.assert_array_equal(first, again)
    layer = nn.Dropout2d(0.5, rng=np.random.default_rng(7))
    assert not np.array_equal(layer(x).data, layer(x).data)
    gc.manual_seed(3)
    a = nn.Dropout2d(0.5)(x).data
    gc.manual_seed(3)
    np.testing.assert_array_equal(nn.Dropout2d(0.5)(x).data, a)   # None: the default generator
    with pytest.raises(TypeError, match="rng"):
        nn.Dropout1d(0.5, rng="seed")
    with pytest.raises(ValueError, match="p"):
        nn.Dropout2d(1.5)


def test_p_zero_and_one_and_integer_input():
    x = gc.tensor(np.ones((2, 3, 2, 2)))
    np.testing.assert_array_equal(gc.nn.functional.dropout2d(x, 0.0).data, x.data)
    np.testing.assert_array_equal(gc.nn.functional.dropout2d(x, 1.0).data, 0)
    with pytest.raises(TypeError, match="dropout2d: input must be a floating-point tensor"):
        gc.nn.functional.dropout2d(np.ones((2, 3, 2, 2), dtype=np.int64))
