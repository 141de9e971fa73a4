"""Pooling ops against PyTorch 2.13 in float64: values, indices and the input gradient of
max_pool2d, avg_pool2d, adaptive_avg/max_pool2d, max_unpool2d and lp_pool2d over many
configurations; gradient checks; bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import gradcraft as gc
import gradcraft.functional as F


def _layouts(array):
    """The array as given (NCHW, C-contiguous) and as an NCHW view of channels-last memory."""
    return [array, np.ascontiguousarray(array.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)]


def _compare(ours, theirs, x, seed=0, indices=False, layout=True):
    rng = np.random.default_rng(seed)
    for array in _layouts(x) if x.ndim == 4 else [x]:
        mine, ref = gc.tensor(array, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, expected = ours(mine), theirs(ref)
        if indices:
            (out, index), (expected, ref_index) = out, expected
            assert index.dtype == np.int64
            np.testing.assert_array_equal(index.data, ref_index.numpy())
        assert out.shape == tuple(expected.shape)
        np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
        upstream = rng.standard_normal(out.shape)
        out.backward(upstream)
        expected.backward(torch.tensor(upstream))
        np.testing.assert_allclose(mine.grad, ref.grad.numpy(), rtol=1e-12, atol=1e-12)
        if layout and x.ndim == 4 and array is not x:  # channels-last in, channels-last out
            assert out.data.transpose(0, 2, 3, 1).flags.c_contiguous or out.shape[1] == 1


# (input shape, kernel, stride, padding, dilation, ceil_mode)
MAX_CASES = [
    ((2, 3, 8, 8), 2, None, 0, 1, False),        # the fast block path
    ((2, 3, 9, 7), 2, None, 0, 1, False),        # block path, floor-cropped remainder
    ((2, 3, 9, 7), 2, None, 0, 1, True),         # ceil mode: partial last block
    ((1, 2, 7, 9), 3, 2, 1, 1, False),
    ((1, 2, 7, 9), 3, 2, 1, 1, True),
    ((1, 2, 10, 9), (3, 2), (2, 3), (1, 1), (2, 1), True),
    ((1, 2, 11, 10), 3, 1, 1, 2, False),         # dilation
    ((2, 1, 6, 8), 2, 3, 0, 1, False),           # stride > kernel
    ((1, 2, 5, 5), 2, 3, 1, 1, True),
    ((1, 1, 6, 6), (2, 3), (2, 3), 0, 1, False),  # block path with a non-square kernel
    ((2, 5, 5), 3, 2, 1, 1, True),               # unbatched
]


@pytest.mark.parametrize("shape, kernel, stride, padding, dilation, ceil_mode", MAX_CASES)
def test_max_pool2d_values_indices_and_gradient_match_torch(shape, kernel, stride, padding, dilation, ceil_mode):
    x = np.random.default_rng(sum(shape)).standard_normal(shape)
    args = (kernel, stride, padding, dilation, ceil_mode, True)
    _compare(lambda t: F.max_pool2d(t, *args), lambda t: TF.max_pool2d(t, *args), x, indices=True)


@pytest.mark.parametrize("kernel, stride, padding", [(2, None, 0), (3, 2, 1), (2, 1, 1)])
def test_max_pool2d_ties_and_nan_route_like_torch(kernel, stride, padding):
    x = np.random.default_rng(1).integers(0, 3, (2, 2, 7, 6)).astype(np.float64)  # many ties
    x[0, 0, 1, 1] = x[1, 1, 4, 2] = x[1, 1, 4, 3] = x[0, 1, 0, 0] = np.nan
    x[0, 1, 5, :] = -np.inf
    mine, ref = gc.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, index = F.max_pool2d(mine, kernel, stride, padding, return_indices=True)
    expected, ref_index = TF.max_pool2d(ref, kernel, stride, padding, return_indices=True)
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    np.testing.assert_array_equal(index.data, ref_index.numpy())
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_array_equal(mine.grad, ref.grad.numpy())


def test_max_pool2d_block_path_float32_matches_torch_in_both_layouts():
    a = np.random.default_rng(2).standard_normal((4, 6, 10, 12)).astype(np.float32)
    ref = torch.tensor(a, requires_grad=True)
    expected = TF.max_pool2d(ref, 2)
    upstream = np.random.default_rng(3).standard_normal(tuple(expected.shape)).astype(np.float32)
    expected.backward(torch.tensor(upstream))
    for array in _layouts(a):
        x = gc.tensor(array, requires_grad=True)
        out = F.max_pool2d(x, 2)
        out.backward(upstream)
        assert out.dtype == np.float32 and x.grad.dtype == np.float32
        np.testing.assert_array_equal(out.data, expected.detach().numpy())
        np.testing.assert_array_equal(x.grad, ref.grad.numpy())
        assert x.grad.strides == array.strides or x.grad.flags.c_contiguous == array.flags.c_contiguous


# (input shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
AVG_CASES = [
    ((2, 3, 8, 8), 2, None, 0, False, True, None),
    ((1, 2, 7, 9), 3, 2, 1, False, True, None),
    ((1, 2, 7, 9), 3, 2, 1, False, False, None),
    ((1, 2, 7, 9), 3, 2, 1, True, True, None),      # ceil windows hanging over the padded edge
    ((1, 2, 7, 9), 3, 2, 1, True, False, None),
    ((1, 2, 8, 6), (3, 2), (2, 3), (1, 1), True, True, None),
    ((2, 1, 6, 7), 2, 3, 0, True, True, None),      # stride > kernel
    ((1, 2, 7, 9), 3, 2, 1, True, True, 5),         # divisor_override
    ((2, 5, 6), 2, 2, 1, True, False, 3),           # unbatched
]


@pytest.mark.parametrize("shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor", AVG_CASES)
def test_avg_pool2d_matches_torch(shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor):
    x = np.random.default_rng(sum(shape)).standard_normal(shape)
    args = (kernel, stride, padding, ceil_mode, count_include_pad, divisor)
    _compare(lambda t: F.avg_pool2d(t, *args), lambda t: TF.avg_pool2d(t, *args), x)


def test_avg_pool2d_ceil_divisor_by_hand():
    # 1x5 row 0..4, kernel 2, stride 2, padding 1, ceil: windows [-1,0], [1,2], [3,4] and no 4th
    x = np.arange(5.0).reshape(1, 1, 1, 5)
    out = F.avg_pool2d(x, (1, 2), (1, 2), (0, 1), ceil_mode=True)
    np.testing.assert_allclose(out.data.ravel(), [0 / 2, (1 + 2) / 2, (3 + 4) / 2])
    # kernel 3 stride 2 padding 1 over 6: windows [-1..1], [1..3], [3..5], [5..7] clipped to the
    # padded input [-1, 6]: divisors 3, 3, 3, 2 (count_include_pad), 2, 3, 3, 1 (real pixels only)
    x = np.arange(6.0).reshape(1, 1, 1, 6)
    out = F.avg_pool2d(x, (1, 3), (1, 2), (0, 1), ceil_mode=True)
    np.testing.assert_allclose(out.data.ravel(), [1 / 3, 6 / 3, 12 / 3, 5 / 2])
    out = F.avg_pool2d(x, (1, 3), (1, 2), (0, 1), ceil_mode=True, count_include_pad=False)
    np.testing.assert_allclose(out.data.ravel(), [1 / 2, 6 / 3, 12 / 3, 5 / 1])


@pytest.mark.parametrize("shape, size", [((2, 3, 7, 9), (3, 4)), ((1, 2, 10, 5), (4, 5)), ((2, 2, 5, 6), 1),
                                         ((1, 3, 9, 7), (None, 3)), ((1, 2, 4, 5), (6, 7)), ((3, 8, 6), (3, 5))])
def test_adaptive_pools_match_torch(shape, size):
    x = np.random.default_rng(sum(shape)).standard_normal(shape)
    _compare(lambda t: F.adaptive_avg_pool2d(t, size), lambda t: TF.adaptive_avg_pool2d(t, size), x)
    _compare(lambda t: F.adaptive_max_pool2d(t, size, True), lambda t: TF.adaptive_max_pool2d(t, size, True),
             x, indices=True)


@pytest.mark.parametrize("shape, kernel, stride, padding, output_size", [
    ((2, 3, 8, 8), 2, None, 0, None), ((1, 2, 7, 9), 3, 2, 1, None), ((1, 2, 7, 9), 3, 2, 1, (7, 9)),
    ((1, 2, 9, 7), 2, None, 0, (1, 2, 9, 7))])
def test_max_unpool2d_matches_torch(shape, kernel, stride, padding, output_size):
    x = np.random.default_rng(sum(shape)).standard_normal(shape)
    _, index = TF.max_pool2d(torch.tensor(x), kernel, stride, padding, return_indices=True)
    pooled = TF.max_pool2d(torch.tensor(x), kernel, stride, padding).numpy()
    ours = lambda t: F.max_unpool2d(t, gc.tensor(index.numpy()), kernel, stride, padding, output_size)  # noqa: E731
    theirs = lambda t: TF.max_unpool2d(t, index, kernel, stride, padding, output_size)  # noqa: E731
    _compare(ours, theirs, pooled, layout=False)  # a scatter: its output is NCHW


@pytest.mark.parametrize("p, kernel, stride, ceil_mode", [(2, 2, None, False), (3, (3, 2), (2, 1), False),
                                                          (1.5, 3, 2, True), (float("inf"), 2, 1, False)])
def test_lp_pool2d_matches_torch(p, kernel, stride, ceil_mode):
    x = np.abs(np.random.default_rng(4).standard_normal((2, 2, 7, 8))) + 0.1
    x[0, 0, 0, 0] = -0.7  # a negative entry: x^p of odd p keeps the sign
    if p == 1.5:
        x = np.abs(x)
    _compare(lambda t: F.lp_pool2d(t, p, kernel, stride, ceil_mode), lambda t: TF.lp_pool2d(t, p, kernel, stride, ceil_mode), x)


@pytest.mark.parametrize("ours, theirs, kwargs", [
    (F.max_pool1d, TF.max_pool1d, dict(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=True)),
    (F.max_pool1d, TF.max_pool1d, dict(kernel_size=2, dilation=2)),
    (F.avg_pool1d, TF.avg_pool1d, dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    (F.adaptive_avg_pool1d, TF.adaptive_avg_pool1d, dict(output_size=4)),
])
def test_1d_pools_match_torch(ours, theirs, kwargs):
    x = np.random.default_rng(5).standard_normal((2, 3, 11))
    _compare(lambda t: ours(t, **kwargs), lambda t: theirs(t, **kwargs), x)
    _compare(lambda t: ours(t, **kwargs), lambda t: theirs(t, **kwargs), x[0])


def test_pools_gradcheck():
    x = gc.tensor(np.random.default_rng(6).permutation(70).reshape(1, 2, 5, 7) / 7.0, requires_grad=True)
    assert gc.gradcheck(lambda a: F.max_pool2d(a, 3, 2, 1, 2, True), x)
    assert gc.gradcheck(lambda a: F.max_pool2d(a, 2), x)
    assert gc.gradcheck(lambda a: F.avg_pool2d(a, 3, 2, 1, True, False), x)
    assert gc.gradcheck(lambda a: F.avg_pool2d(a, 2, 1, 1, True, True, 3), x)
    assert gc.gradcheck(lambda a: F.adaptive_avg_pool2d(a, (3, 4)), x)
    assert gc.gradcheck(lambda a: F.adaptive_max_pool2d(a, (2, 3)), x)
    assert gc.gradcheck(lambda a: F.lp_pool2d(a + 1.0, 2, 2, 1), x)


@pytest.mark.parametrize("call, error, message", [
    (lambda x: F.max_pool2d(x, 5), ValueError, "smaller than the kernel"),
    (lambda x: F.max_pool2d(x, 2, padding=2), ValueError, "at most half the kernel"),
    (lambda x: F.max_pool2d(x, 0), ValueError, "kernel_size"),
    (lambda x: F.max_pool2d(x, 2, dilation=0), ValueError, "dilation"),
    (lambda x: F.max_pool2d(x, 2, ceil_mode=1), TypeError, "ceil_mode"),
    (lambda x: F.max_pool2d(x[0, 0], 2), ValueError, r"\(N, C, H, W\) or \(C, H, W\), got \(4, 4\)"),
    (lambda x: F.avg_pool2d(x, 2, divisor_override=0), ValueError, "divisor_override"),
    (lambda x: F.adaptive_avg_pool2d(x, (2, 0)), ValueError, "output_size must be positive"),
    (lambda x: F.adaptive_max_pool2d(x, "2"), TypeError, "output_size"),
    (lambda x: F.max_unpool2d(x, np.zeros((1, 1, 4, 4), np.int64) + 99, 2), ValueError, "invalid max index 99"),
    (lambda x: F.max_unpool2d(x, np.zeros((1, 1, 4, 4), np.int64), 2, output_size=(20, 20)), ValueError,
     "invalid output_size"),
    (lambda x: F.max_unpool2d(x, np.zeros((1, 1, 2, 2), np.int64), 2), ValueError, "indices must have the input's shape"),
    (lambda x: F.max_pool1d(x, 2), ValueError, r"max_pool1d: input must have shape \(N, C, L\)"),
])
def test_bad_input_is_refused_with_a_clear_message(call, error, message):
    with pytest.raises(error, match=message):
        call(gc.tensor(np.zeros((1, 1, 4, 4))))
