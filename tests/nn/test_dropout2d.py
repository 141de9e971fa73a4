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
