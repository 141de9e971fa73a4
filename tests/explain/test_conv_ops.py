"""Conv2d, max_pool2d, avg_pool2d: forward and backward parity with PyTorch (float64) on several
shapes, finite-difference gradient checks, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import gradcraft as gc
from gradcraft.functional import avg_pool2d, conv2d, max_pool2d

# (N, C, H, W, O, KH, KW, stride, padding, dilation)
CONV_CASES = [
    (2, 3, 7, 6, 4, 3, 2, 1, 0, 1),                 # non-square kernel and input
    (1, 2, 9, 8, 3, 3, 3, (2, 3), (1, 2), (2, 1)),  # per-axis stride, padding, dilation
    (3, 1, 5, 5, 2, 1, 1, 1, 0, 1),                 # 1x1 kernel
    (2, 2, 6, 7, 2, 2, 3, 2, 1, 1),                 # stride with padding, odd leftovers
    (1, 1, 4, 4, 1, 4, 4, 1, 0, 1),                 # kernel as large as the input
    (2, 4, 5, 5, 3, 3, 3, 1, 1, 2),                 # "same"-ish padding with dilation
]


def _torch(a):
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


@pytest.mark.parametrize("case", CONV_CASES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_conv2d_matches_torch_forward_and_backward(case, with_bias):
    n, c, h, w, o, kh, kw, stride, padding, dilation = case
    rng = np.random.default_rng(sum(case[:7]))
    x, weight, bias = rng.standard_normal((n, c, h, w)), rng.standard_normal((o, c, kh, kw)), rng.standard_normal(o)
    gx, gw, gb = (gc.tensor(a, requires_grad=True) for a in (x, weight, bias))
    out = conv2d(gx, gw, gb if with_bias else None, stride=stride, padding=padding, dilation=dilation)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)

    tx, tw, tb = _torch(x), _torch(weight), _torch(bias)
    expected = F.conv2d(tx, tw, tb if with_bias else None, stride=stride, padding=padding, dilation=dilation)
    expected.backward(torch.tensor(upstream))

    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gx.grad, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gw.grad, tw.grad.numpy(), rtol=1e-10, atol=1e-12)
    if with_bias:
        np.testing.assert_allclose(gb.grad, tb.grad.numpy(), rtol=1e-10, atol=1e-12)
    else:
        assert gb.grad is None


def test_conv2d_gradcheck():
    rng = np.random.default_rng(0)
    x = gc.tensor(rng.standard_normal((2, 2, 5, 4)), requires_grad=True)
    weight = gc.tensor(rng.standard_normal((3, 2, 2, 3)), requires_grad=True)
    bias = gc.tensor(rng.standard_normal(3), requires_grad=True)
    report = gc.gradcheck(lambda a, b, c: conv2d(a, b, c, stride=(2, 1), padding=1, dilation=(1, 2)),
                          x, weight, bias)
    assert report, str(report)


def test_conv2d_float32_and_unbatched_input():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 6, 6)).astype(np.float32)
    weight = rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
    out = conv2d(gc.tensor(x), gc.tensor(weight), padding=1)
    assert out.dtype == np.float32 and out.shape == (2, 6, 6)
    expected = F.conv2d(torch.tensor(x), torch.tensor(weight), padding=1).numpy()
    np.testing.assert_allclose(out.data, expected, rtol=1e-5, atol=1e-5)


def test_conv2d_hand_computed_values():
    # x = [[1,2,3],[4,5,6],[7,8,9]], k = [[1,0],[0,-1]]: out[i,j] = x[i,j] - x[i+1,j+1]
    #   = [[1-5, 2-6], [4-8, 5-9]] = [[-4, -4], [-4, -4]]; plus bias 0.5.
    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    k = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])
    out = conv2d(gc.tensor(x), gc.tensor(k), gc.tensor(np.array([0.5])))
    np.testing.assert_array_equal(out.data[0, 0], [[-3.5, -3.5], [-3.5, -3.5]])


@pytest.mark.parametrize("x_shape, w_shape, kwargs, message", [
    ((1, 3, 5, 5), (2, 2, 3, 3), {}, "input has 3 channels"),
    ((1, 1, 2, 2), (1, 1, 3, 3), {}, "smaller than the dilated kernel"),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"stride": 0}, "stride >= 1"),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"padding": (1, 2, 3)}, "padding must be an int or a pair"),
    ((5, 5), (1, 1, 3, 3), {}, "input must have shape (N, C, H, W)"),
])
def test_conv2d_bad_input(x_shape, w_shape, kwargs, message):
    with pytest.raises(ValueError) as error:
        conv2d(gc.tensor(np.zeros(x_shape)), gc.tensor(np.zeros(w_shape)), **kwargs)
    assert message in str(error.value)


def test_conv2d_bias_shape_checked():
    with pytest.raises(ValueError, match=r"bias must have shape \(2,\).*got \(3,\)"):
        conv2d(gc.tensor(np.zeros((1, 1, 4, 4))), gc.tensor(np.zeros((2, 1, 3, 3))), gc.tensor(np.zeros(3)))


# (N, C, H, W, kernel, stride, padding)
POOL_CASES = [
    (2, 3, 8, 8, 2, None, 0),
    (1, 2, 7, 5, (3, 2), (1, 2), (1, 1)),
    (2, 1, 9, 6, 3, 2, 1),
    (1, 2, 5, 5, (2, 3), 1, 0),
]


@pytest.mark.parametrize("case", POOL_CASES)
@pytest.mark.parametrize("ours, theirs", [(max_pool2d, F.max_pool2d), (avg_pool2d, F.avg_pool2d)])
def test_pooling_matches_torch(case, ours, theirs):
    n, c, h, w, kernel, stride, padding = case
    rng = np.random.default_rng(h * w + c)
    x = rng.standard_normal((n, c, h, w))
    gx = gc.tensor(x, requires_grad=True)
    out = ours(gx, kernel, stride, padding)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    tx = _torch(x)
    expected = theirs(tx, kernel, stride, padding)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gx.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_max_pool_ties_route_to_the_first_maximum_like_torch():
    # Every window of 2x2 zeros/ones ties: PyTorch sends the gradient to the first maximum.
    x = np.array([[[[1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0], [2.0, 0.0, 3.0, 3.0], [0.0, 2.0, 3.0, 3.0]]]])
    gx = gc.tensor(x, requires_grad=True)
    max_pool2d(gx, 2).sum().backward()
    tx = _torch(x)
    F.max_pool2d(tx, 2).sum().backward()
    np.testing.assert_array_equal(gx.grad, tx.grad.numpy())
    assert gx.grad.sum() == 4  # one winner per window


def test_avg_pool_without_padding_in_the_divisor_matches_torch():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 2, 5, 6))
    gx = gc.tensor(x, requires_grad=True)
    out = avg_pool2d(gx, 3, 2, 1, count_include_pad=False)
    out.sum().backward()
    tx = _torch(x)
    expected = F.avg_pool2d(tx, 3, 2, 1, count_include_pad=False)
    expected.sum().backward()
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(gx.grad, tx.grad.numpy(), rtol=1e-12)


def test_pooling_gradcheck():
    rng = np.random.default_rng(4)
    # distinct values keep max-pool away from ties (where it is not differentiable)
    x = gc.tensor(rng.permutation(60).reshape(1, 3, 4, 5) / 7.0, requires_grad=True)
    assert gc.gradcheck(lambda a: max_pool2d(a, (2, 3), (1, 2), (1, 1)), x)
    assert gc.gradcheck(lambda a: avg_pool2d(a, 3, 1, 1), x)


def test_pool_hand_computed_values():
    x = np.arange(16.0).reshape(1, 1, 4, 4)  # rows 0..3, 4..7, 8..11, 12..15
    np.testing.assert_array_equal(max_pool2d(gc.tensor(x), 2).data[0, 0], [[5, 7], [13, 15]])
    # window means: (0+1+4+5)/4 = 2.5, (2+3+6+7)/4 = 4.5, (8+9+12+13)/4 = 10.5, 12.5
    np.testing.assert_array_equal(avg_pool2d(gc.tensor(x), 2).data[0, 0], [[2.5, 4.5], [10.5, 12.5]])


@pytest.mark.parametrize("kwargs, message", [
    ({"kernel_size": 5}, "smaller than the kernel"),
    ({"kernel_size": 2, "padding": 2}, "at most half the kernel"),
    ({"kernel_size": 0}, "kernel_size >= 1"),
])
def test_pool_bad_input(kwargs, message):
    with pytest.raises(ValueError) as error:
        max_pool2d(gc.tensor(np.zeros((1, 1, 4, 4))), **kwargs)
    assert message in str(error.value)


def test_groups_are_checked_against_the_input_channels():
    x, w = np.ones((1, 2, 4, 4)), np.ones((2, 2, 3, 3))
    # w (2, 2, 3, 3) with groups=2 expects 2 * 2 = 4 input channels; x has 2
    with pytest.raises(ValueError, match=r"conv2d: input has 2 channels"):
        conv2d(x, w, groups=2)
    # PyTorch's positional call conv2d(x, w, b, stride, padding, dilation, groups=1) ports as is
    assert conv2d(x, w, None, 1, 1, 1, 1).shape == (1, 2, 4, 4)


def test_avg_pool_positional_arguments_follow_torch_order():
    # torch.nn.functional.avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad):
    # the 5th positional argument is ceil_mode, so count_include_pad stays True here.
    x = np.arange(2 * 5 * 5, dtype=np.float64).reshape(1, 2, 5, 5)
    ours = avg_pool2d(gc.tensor(x), 3, 2, 1, False, True)
    theirs = F.avg_pool2d(torch.tensor(x), 3, 2, 1, False, True)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)
    ours = avg_pool2d(gc.tensor(x), 3, 2, 1, False)
    np.testing.assert_allclose(ours.data, F.avg_pool2d(torch.tensor(x), 3, 2, 1, False).numpy(), rtol=1e-12)


def test_max_pool_of_integers_with_padding_matches_torch():
    x = np.arange(16, dtype=np.int64).reshape(1, 1, 4, 4) - 20   # all negative: padding must not win
    ours = max_pool2d(gc.tensor(x), 2, padding=1)
    theirs = F.max_pool2d(torch.tensor(x), 2, padding=1)
    assert ours.dtype == np.int64
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("call, name", [(lambda x: conv2d(x, np.ones((1, 1, 3, 3))), "conv2d"),
                                        (lambda x: max_pool2d(x, 2), "max_pool2d"),
                                        (lambda x: avg_pool2d(x, 2), "avg_pool2d")])
def test_a_single_grayscale_image_gets_told_how_to_add_the_axes(call, name):
    with pytest.raises(ValueError, match=rf"{name}: input must have shape \(N, C, H, W\) or \(C, H, W\), "
                                         r"got \(5, 5\); .* use x\[None, None\]"):
        call(np.ones((5, 5)))
