"""interpolate / nn.Upsample (nearest, linear, bilinear) against PyTorch 2.13 in float64:
values and the input gradient; reprs; a hand-computed case; gradcheck; bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import gradcraft as gc
from gradcraft.nn.upsampling import Upsample
from gradcraft.functional.upsampling import interpolate

CASES = [  # (shape, kwargs)
    ((2, 3, 5, 7), dict(size=(8, 11))), ((2, 3, 5, 7), dict(scale_factor=2)),
    ((2, 3, 5, 7), dict(scale_factor=1.7)), ((2, 3, 9, 7), dict(size=(4, 3))),
    ((2, 3, 5, 7), dict(scale_factor=(0.6, 2.3))), ((1, 2, 5, 7), dict(size=1)),
    ((1, 2, 5, 7), dict(scale_factor=1.7, recompute_scale_factor=True)), ((2, 3, 7), dict(size=13)),
    ((2, 3, 7), dict(scale_factor=0.5)),
]


@pytest.mark.parametrize("shape, kwargs", CASES)
@pytest.mark.parametrize("mode, align_corners", [("nearest", None), ("linear", False), ("linear", True)])
def test_interpolate_matches_torch(shape, kwargs, mode, align_corners):
    if mode == "linear" and len(shape) == 4:
        mode = "bilinear"
    rng = np.random.default_rng(len(shape))
    array = rng.standard_normal(shape)
    x, ref = gc.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)
    out = interpolate(x, mode=mode, align_corners=align_corners, **kwargs)
    expected = TF.interpolate(ref, mode=mode, align_corners=align_corners, **kwargs)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(x.grad, ref.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_bilinear_by_hand_and_gradcheck():
    x = np.array([[[[0.0, 1.0], [2.0, 3.0]]]])
    # align_corners=True, 2 -> 3: source positions 0, 0.5, 1 on each axis
    out = interpolate(x, size=3, mode="bilinear", align_corners=True).data[0, 0]
    np.testing.assert_allclose(out, [[0.0, 0.5, 1.0], [1.0, 1.5, 2.0], [2.0, 2.5, 3.0]])
    # nearest x2 repeats each pixel
    np.testing.assert_array_equal(interpolate(x, scale_factor=2).data[0, 0],
                                  [[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]])
    t = gc.tensor(np.random.default_rng(0).standard_normal((1, 2, 3, 4)), requires_grad=True)
    assert gc.gradcheck(lambda a: interpolate(a, size=(5, 3), mode="bilinear"), t)
    assert gc.gradcheck(lambda a: interpolate(a, scale_factor=1.5, mode="nearest"), t)


@pytest.mark.parametrize("args", [dict(scale_factor=2), dict(size=(3, 4), mode="bilinear", align_corners=True),
                                  dict(scale_factor=(2, 1.5), mode="bilinear")])
def test_upsample_layer_matches_torch(args):
    mine, theirs = Upsample(**args), torch.nn.Upsample(**args)
    assert repr(mine) == repr(theirs) and list(mine.state_dict()) == []
    array = np.random.default_rng(1).standard_normal((2, 2, 4, 5))
    np.testing.assert_allclose(mine(gc.tensor(array)).data, theirs(torch.tensor(array)).numpy(), rtol=1e-12)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(), ValueError, "exactly one of size or scale_factor"),
    (dict(size=2, scale_factor=2), ValueError, "exactly one of size or scale_factor"),
    (dict(size=2, align_corners=True), ValueError, "align_corners option can only be set"),
    (dict(size=2, mode="linear"), ValueError, "mode 'linear' needs a 3-D input"),
    (dict(size=2, mode="bicubic"), ValueError, "mode must be one of"),
    (dict(size=(2, 2, 2)), ValueError, "one entry per spatial dimension"),
    (dict(size=2.5), TypeError, "size must be an int"),
    (dict(scale_factor=-1), ValueError, "scale_factor"),
    (dict(size=2, recompute_scale_factor=True), ValueError, "not meaningful with an explicit size"),
])
def test_interpolate_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        interpolate(gc.tensor(np.zeros((1, 1, 4, 4))), **kwargs)
