"""2-D convolution (cross-correlation, as in every deep-learning library) via im2col.

Shapes (PyTorch's): input x (N, C, H, W), weight (O, C, KH, KW), bias (O,), output
(N, O, OH, OW) with

    OH = floor((H + 2*ph - dh*(KH - 1) - 1) / sh) + 1      (and OW likewise).

Forward: `sliding_window_view` gives every receptive window as a strided *view*
(N, C, OH, OW, KH, KW) without copying; one copy lays it out as the im2col matrix
cols (C*KH*KW, N*OH*OW) (this layout makes the copy and both GEMMs contiguous), and one matrix
product with the weight viewed as (O, C*KH*KW) gives the output.

Backward, with G = dL/dout viewed as (O, N*OH*OW):
    dW = G cols^T            (O, C*KH*KW) -> (O, C, KH, KW)
    db = G summed over its columns
    dcols = W^T G            (C*KH*KW, N*OH*OW), then col2im: kernel offset (i, j) of output
    cell (oh, ow) read input pixel (oh*sh + i*dh, ow*sw + j*dw), so its column gradient is added
    back there. For a fixed offset that is one strided slice of dx, so the loop runs over the
    KH*KW offsets only, never over samples or pixels.
"""

from __future__ import annotations

from numpy.lib.stride_tricks import sliding_window_view

from ..autograd import Function
from ..backend import xp


def conv_output_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """floor((size + 2 padding - dilation (kernel - 1) - 1) / stride) + 1 (may be <= 0)."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def window_view(padded, kernel, stride, dilation):
    """Every window of the (already padded) (N, C, H, W) array as a view (N, C, OH, OW, KH, KW)."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    windows = sliding_window_view(padded, (span_h, span_w), axis=(2, 3))
    return windows[:, :, ::sh, ::sw, ::dh, ::dw]


def add_windows_back(target, columns, stride, dilation):
    """col2im: add columns (KH, KW, N, C, OH, OW) into `target` (N, C, Hp, Wp) at the pixels
    the windows read; overlapping windows accumulate. Loops over the KH*KW kernel offsets."""
    (sh, sw), (dh, dw) = stride, dilation
    kh, kw, _, _, oh, ow = columns.shape
    for i in range(kh):
        rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
        for j in range(kw):
            cols = slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)
            target[:, :, rows, cols] += columns[i, j]
    return target


def _pad(x, padding):
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    return xp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


def check_conv_arguments(x_shape, w_shape, bias_shape, stride, padding, dilation):
    """Validate shapes and hyper-parameters; return the output spatial size (OH, OW)."""
    if len(x_shape) != 4:
        raise ValueError(f"conv2d: input must have shape (N, C, H, W), got {x_shape}")
    if len(w_shape) != 4:
        raise ValueError(f"conv2d: weight must have shape (out_channels, in_channels, KH, KW), got {w_shape}")
    if x_shape[1] != w_shape[1]:
        raise ValueError(
            f"conv2d: input has {x_shape[1]} channels but weight of shape {w_shape} expects {w_shape[1]}"
        )
    if bias_shape is not None and bias_shape != (w_shape[0],):
        raise ValueError(f"conv2d: bias must have shape ({w_shape[0]},), got {bias_shape}")
    if min(stride) < 1 or min(dilation) < 1 or min(padding) < 0 or min(w_shape[2:]) < 1:
        raise ValueError(
            f"conv2d: need stride >= 1, dilation >= 1, padding >= 0 and a non-empty kernel, got "
            f"stride={stride}, dilation={dilation}, padding={padding}, kernel={w_shape[2:]}"
        )
    out = tuple(conv_output_size(x_shape[2 + a], w_shape[2 + a], stride[a], padding[a], dilation[a])
                for a in range(2))
    if min(out) < 1:
        raise ValueError(
            f"conv2d: input of spatial size {x_shape[2:]} with padding {padding} is smaller than the "
            f"dilated kernel {tuple(dilation[a] * (w_shape[2 + a] - 1) + 1 for a in range(2))}"
        )
    return out


class Conv2d(Function):
    """out = x (*) weight + bias, NCHW; options stride, padding, dilation as (h, w) pairs."""

    def forward(self, x, weight, bias=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1)):
        oh, ow = check_conv_arguments(x.shape, weight.shape, None if bias is None else bias.shape,
                                      stride, padding, dilation)
        n, o = x.shape[0], weight.shape[0]
        windows = window_view(_pad(x, padding), weight.shape[2:], stride, dilation)
        # im2col: (N, C, OH, OW, KH, KW) -> (C, KH, KW, N, OH, OW) -> (C*KH*KW, N*OH*OW)
        # (both sizes spelled out: with an empty batch N = 0 a -1 could not be inferred)
        c, kh, kw = weight.shape[1:]
        cols = xp.ascontiguousarray(windows.transpose(1, 4, 5, 0, 2, 3)).reshape(c * kh * kw, n * oh * ow)
        out = weight.reshape(o, -1) @ cols
        if bias is not None:
            out += bias[:, None]
        # dx reads the weight; dW reads the columns, the op's own copy of the input's windows
        self.save_for_backward(weight if self.needs_input_grad[0] else None)
        self.x_shape, self.weight_shape = x.shape, weight.shape
        self.cols = cols if self.needs_input_grad[1] else None
        self.stride, self.padding, self.dilation = stride, padding, dilation
        return xp.ascontiguousarray(out.reshape(o, n, oh, ow).transpose(1, 0, 2, 3))

    def backward(self, grad):
        needs = self.needs_input_grad
        weight, = self.saved
        n, c, h, w = self.x_shape
        o, _, kh, kw = self.weight_shape
        g = grad.transpose(1, 0, 2, 3).reshape(o, n * grad.shape[2] * grad.shape[3])  # (O, N*OH*OW)
        gx = gw = gb = None
        if needs[0]:
            dcols = (weight.reshape(o, -1).T @ g).reshape(c, kh, kw, n, *grad.shape[2:])
            ph, pw = self.padding
            padded = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=grad.dtype)
            add_windows_back(padded, dcols.transpose(1, 2, 3, 0, 4, 5), self.stride, self.dilation)
            gx = padded[:, :, ph:ph + h, pw:pw + w]
        if needs[1]:
            gw = (g @ self.cols.T).reshape(self.weight_shape)
        if len(needs) > 2 and needs[2]:
            gb = g.sum(axis=1)
        return gx, gw, gb
