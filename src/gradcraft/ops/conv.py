"""2-D convolution (cross-correlation, as in every deep-learning library) via im2col.

Shapes (PyTorch's): input x (N, C, H, W), weight (O, C/groups, KH, KW), bias (O,), output
(N, O, OH, OW) with

    OH = floor((H + 2*ph - dh*(KH - 1) - 1) / sh) + 1      (and OW likewise).

Forward: `sliding_window_view` gives every receptive window as a strided *view*
(N, C, OH, OW, KH, KW) without copying; one copy lays it out as the im2col matrix
cols (C*KH*KW, N*OH*OW) (this layout makes the copy and both GEMMs contiguous), and one matrix
product with the weight viewed as (O, C*KH*KW) gives the output.

Groups: channel block g of the input (C/groups channels) meets only the block g of the output
channels (O/groups filters). As the columns are channel-major, cols viewed as
(groups, C/groups*KH*KW, N*OH*OW) is the same memory cut into the groups' blocks, and the
weight (O, C/groups, KH, KW) viewed as (groups, O/groups, C/groups*KH*KW) likewise, so one
batched matmul computes every group (depthwise, groups == C, is the case C/groups == 1). With
groups == 1 the 2-D matrix products of the ungrouped layer are used as they are.

Backward, with G = dL/dout viewed as (O, N*OH*OW) (per group (groups, O/groups, N*OH*OW)):
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


def same_padding(kernel, dilation) -> tuple:
    """PyTorch's padding='same': per spatial axis (before, after), the total dilation*(k - 1)
    split with the odd pixel at the end (bottom/right)."""
    totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
    return tuple((t // 2, t - t // 2) for t in totals)


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


def im2col(padded, kernel, stride, dilation, out_size):
    """The im2col matrix (C*KH*KW, N*OH*OW) of the padded (N, C, Hp, Wp) array: one copy of the
    window view, channel-major (so a group's rows are one contiguous block)."""
    n, c = padded.shape[:2]
    (kh, kw), (oh, ow) = kernel, out_size
    windows = window_view(padded, kernel, stride, dilation)[:, :, :oh, :ow]
    # (N, C, OH, OW, KH, KW) -> (C, KH, KW, N, OH, OW); both sizes spelled out: with an empty
    # batch N = 0 a -1 could not be inferred
    return xp.ascontiguousarray(windows.transpose(1, 4, 5, 0, 2, 3)).reshape(c * kh * kw, n * oh * ow)


def grouped_matmul(a, b, groups: int):
    """a (groups*P, Q) times b (groups*Q, R) block by block -> (groups*P, R): block g of a's rows
    meets block g of b's rows. groups == 1 is the plain product; otherwise one batched matmul."""
    if groups == 1:
        return a @ b
    # every size spelled out: with an empty batch a -1 could not be inferred
    p, r = a.shape[0] // groups, b.shape[1]
    out = xp.matmul(a.reshape(groups, p, a.shape[1]), b.reshape(groups, b.shape[0] // groups, r))
    return out.reshape(groups * p, r)


def grouped_matmul_t(a, b, groups: int, transpose: str):
    """Block products with one factor transposed: transpose='a' gives a_g^T b_g
    (a (groups*P, Q), b (groups*P, R) -> (groups*Q, R)); transpose='b' gives a_g b_g^T
    (a (groups*P, R), b (groups*Q, R) -> (groups*P, Q))."""
    if groups == 1:
        return a.T @ b if transpose == "a" else a @ b.T
    a3 = a.reshape(groups, a.shape[0] // groups, a.shape[1])
    b3 = b.reshape(groups, b.shape[0] // groups, b.shape[1])
    out = xp.matmul(a3.transpose(0, 2, 1), b3) if transpose == "a" else xp.matmul(a3, b3.transpose(0, 2, 1))
    return out.reshape(groups * out.shape[1], out.shape[2])


_INPUT_SHAPES = {1: "(N, C, L) or (C, L)", 2: "(N, C, H, W) or (C, H, W)"}
_KERNEL_NAMES = {1: "kW", 2: "kH, kW"}


def check_conv_ranks(function: str, x_shape, w_shape, spatial: int, weight_layout: str) -> None:
    """The input (batched or not) and the weight have the ranks of a `spatial`-D convolution."""
    if len(x_shape) not in (spatial + 1, spatial + 2):
        hint = ("; for one single-channel image (H, W) use x[None, None]"
                if spatial == 2 and len(x_shape) == 2 else "")
        raise ValueError(f"{function}: input must have shape {_INPUT_SHAPES.get(spatial)}, got "
                         f"{tuple(x_shape)}{hint}")
    if len(w_shape) != spatial + 2:
        raise ValueError(f"{function}: weight must have shape ({weight_layout}, "
                         f"{_KERNEL_NAMES.get(spatial)}), got {tuple(w_shape)}")


def check_conv_hyper(function: str, stride, padding, dilation, kernel) -> None:
    if min(stride) < 1 or min(dilation) < 1 or min(padding) < 0 or min(kernel) < 1:
        raise ValueError(
            f"{function}: need stride >= 1, dilation >= 1, padding >= 0 and a non-empty kernel, got "
            f"stride={tuple(stride)}, dilation={tuple(dilation)}, padding={tuple(padding)}, "
            f"kernel={tuple(kernel)}")


def check_groups(function: str, groups: int, w_shape, counts: dict) -> None:
    """groups >= 1 divides every channel count of `counts` ({what it counts: count})."""
    if groups < 1:
        raise ValueError(f"{function}: groups must be a positive int, got {groups}")
    for name, count in counts.items():
        if count % groups:
            raise ValueError(f"{function}: groups={groups} must divide the {name} ({count}; weight "
                             f"shape {tuple(w_shape)})")


def check_bias(function: str, bias_shape, out_channels: int) -> None:
    if bias_shape is not None and tuple(bias_shape) != (out_channels,):
        raise ValueError(f"{function}: bias must have shape ({out_channels},), got "
                         f"{tuple(bias_shape)} (one value per output channel)")


def check_conv_arguments(x_shape, w_shape, bias_shape, stride, padding, dilation, groups=1, *,
                         function="conv2d"):
    """Validate shapes and hyper-parameters of a convolution with len(stride) spatial axes;
    return the output spatial size (e.g. (OH, OW)).

    x (N, C, *spatial) or unbatched (C, *spatial); weight (O, C/groups, *kernel). `padding`: one
    int per axis, or 'valid' / 'same' (PyTorch's strings; 'same' needs stride 1)."""
    spatial = len(stride)
    check_conv_ranks(function, x_shape, w_shape, spatial, "out_channels, in_channels/groups")
    kernel, sizes = tuple(w_shape[2:]), tuple(x_shape[-spatial:])
    if isinstance(padding, str):
        if padding == "same" and any(s != 1 for s in stride):
            raise ValueError(f"{function}: padding='same' needs stride 1 (as PyTorch), got "
                             f"stride={tuple(stride)}")
        totals = [0] * spatial if padding == "valid" else [d * (k - 1) for k, d in zip(kernel, dilation)]
        check_conv_hyper(function, stride, [0] * spatial, dilation, kernel)
    else:
        totals = [2 * p for p in padding]
        check_conv_hyper(function, stride, padding, dilation, kernel)
    channels, out_channels = x_shape[-spatial - 1], w_shape[0]
    check_groups(function, groups, w_shape, {"input channels": channels,
                                             "out_channels (weight.shape[0])": out_channels})
    if channels != groups * w_shape[1]:
        expects = (f"{w_shape[1]}" if groups == 1 else
                   f"groups * weight.shape[1] = {groups} * {w_shape[1]} = {groups * w_shape[1]}")
        raise ValueError(f"{function}: input has {channels} channels (input shape {tuple(x_shape)}) "
                         f"but weight of shape {tuple(w_shape)} expects {expects}")
    check_bias(function, bias_shape, out_channels)
    out = tuple((sizes[a] + totals[a] - dilation[a] * (kernel[a] - 1) - 1) // stride[a] + 1
                for a in range(spatial))
    if min(out, default=1) < 1:
        shown = padding if isinstance(padding, str) else tuple(padding)
        raise ValueError(
            f"{function}: input of spatial size {sizes} (input shape {tuple(x_shape)}) with padding "
            f"{shown} is smaller than the dilated kernel "
            f"{tuple(dilation[a] * (kernel[a] - 1) + 1 for a in range(spatial))}")
    return out


def pad_spatial(x, padding):
    """x (N, C, H, W) zero-padded by (ph, pw) on both sides of each spatial axis (x itself when
    nothing is padded)."""
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    return xp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


class Conv2d(Function):
    """out = x (*) weight + bias, NCHW; options stride, padding, dilation as (h, w) pairs and
    groups (an int dividing C and O)."""

    def forward(self, x, weight, bias=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
        oh, ow = check_conv_arguments(x.shape, weight.shape, None if bias is None else bias.shape,
                                      stride, padding, dilation, groups)
        n, o = x.shape[0], weight.shape[0]
        cols = im2col(pad_spatial(x, padding), weight.shape[2:], stride, dilation, (oh, ow))
        out = grouped_matmul(weight.reshape(o, -1), cols, groups)  # (O, N*OH*OW)
        if bias is not None:
            out += bias[:, None]
        # dx reads the weight; dW reads the columns, the op's own copy of the input's windows
        self.save_for_backward(weight if self.needs_input_grad[0] else None)
        self.x_shape, self.weight_shape = x.shape, weight.shape
        self.cols = cols if self.needs_input_grad[1] else None
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        return xp.ascontiguousarray(out.reshape(o, n, oh, ow).transpose(1, 0, 2, 3))

    def backward(self, grad):
        needs = self.needs_input_grad
        weight, = self.saved
        n, c, h, w = self.x_shape
        o, _, kh, kw = self.weight_shape
        g = grad.transpose(1, 0, 2, 3).reshape(o, n * grad.shape[2] * grad.shape[3])  # (O, N*OH*OW)
        gx = gw = gb = None
        if needs[0]:
            # dcols = W_g^T G_g per group: (C*KH*KW, N*OH*OW), channel-major like cols
            dcols = grouped_matmul_t(weight.reshape(o, -1), g, self.groups, "a")
            dcols = dcols.reshape(c, kh, kw, n, *grad.shape[2:])
            ph, pw = self.padding
            padded = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=grad.dtype)
            add_windows_back(padded, dcols.transpose(1, 2, 3, 0, 4, 5), self.stride, self.dilation)
            gx = padded[:, :, ph:ph + h, pw:pw + w]
        if needs[1]:
            # dW_g = G_g cols_g^T: (O/groups, C/groups*KH*KW) per group
            gw = grouped_matmul_t(g, self.cols, self.groups, "b").reshape(self.weight_shape)
        if len(needs) > 2 and needs[2]:
            gb = g.sum(axis=1)
        return gx, gw, gb
