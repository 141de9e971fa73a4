"""2-D max and average pooling over NCHW input, PyTorch's semantics (its CPU kernels).

Geometry (per axis, as ATen's `pooling_output_shape`): out = floor((size + 2 padding -
dilation (kernel - 1) - 1 + (stride - 1 if ceil_mode)) / stride) + 1, and in ceil mode one window
less when the last one would start at or after size + padding (every window starts inside the
input or its left padding). Window o covers o*stride - padding + t*dilation, t < kernel.

Both passes loop over the KH*KW kernel offsets only: for offset (i, j) the elements every window
holds there form one strided view of the padded input, xp[:, :, i*dh::sh, j*dw::sw] cut to
(OH, OW). Max pooling with kernel == stride, no padding, dilation 1 takes the block path of
`pool_blocks` (no padding copy, memory layout kept). Padded copies keep the input's layout
(`empty_like`), so an NCHW view of channels-last memory stays channels-last.

Backward:
- max: d max / d x_k = 1[k = argmax]: each output gradient goes to the one input pixel whose
  flat index (h*W + w, PyTorch's `indices`) won the window: the first maximum in row-major
  order (PyTorch's test is `value > max or isnan(value)`, so padding never wins and, in a window
  holding NaN, the last NaN does). Overlapping windows add up (a bincount of the indices).
- avg: out = sum(window) / divisor, so every pixel of a window gets grad / divisor; the divisor
  is ATen's: the window clipped to the padded input (count_include_pad), or to the real input,
  or divisor_override.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import xp
from . import pool_blocks


def pool_output_size(size, kernel, stride, padding, dilation, ceil_mode):
    """ATen's pooling_output_shape for one axis (may be < 1)."""
    out = (size + 2 * padding - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1  # the last window would start in the right padding
    return out


def check_pool_arguments(name, x_shape, kernel, stride, padding, dilation=(1, 1), ceil_mode=False):
    """Validate; return the output spatial size (OH, OW)."""
    if len(x_shape) != 4:
        raise ValueError(f"{name}: input must have shape (N, C, H, W), got {x_shape}")
    if min(kernel) < 1 or min(stride) < 1 or min(padding) < 0 or min(dilation) < 1:
        raise ValueError(
            f"{name}: need kernel_size >= 1, stride >= 1, padding >= 0, dilation >= 1, got "
            f"kernel_size={kernel}, stride={stride}, padding={padding}, dilation={dilation}")
    if padding[0] * 2 > kernel[0] or padding[1] * 2 > kernel[1]:
        raise ValueError(f"{name}: padding {padding} must be at most half the kernel size {kernel}")
    out = tuple(pool_output_size(x_shape[2 + a], kernel[a], stride[a], padding[a], dilation[a], ceil_mode)
                for a in range(2))
    if min(out) < 1:
        raise ValueError(
            f"{name}: input of spatial size {tuple(x_shape[2:])} with padding {padding} is smaller than "
            f"the kernel {kernel} (dilation {dilation})")
    return out


def lowest(dtype):
    """A padding value no element can beat: -inf, or the integer type's minimum."""
    return xp.iinfo(dtype).min if dtype.kind in "iu" else False if dtype.kind == "b" else -xp.inf


def pad_spatial(x, pads, value):
    """x padded by (top, bottom, left, right) with `value`, in x's memory layout."""
    top, bottom, left, right = pads
    if not any(pads):
        return x
    n, c, h, w = x.shape
    out = xp.empty_like(x, shape=(n, c, h + top + bottom, w + left + right))
    out[:, :, :top] = value
    out[:, :, top + h:] = value
    out[:, :, top:top + h, :left] = value
    out[:, :, top:top + h, left + w:] = value
    out[:, :, top:top + h, left:left + w] = x
    return out


def window_pads(x_shape, kernel, stride, padding, dilation, out_size):
    """(top, bottom, left, right): the padding plus what ceil-mode windows hang over."""
    pads = []
    for a in range(2):
        needed = (out_size[a] - 1) * stride[a] + dilation[a] * (kernel[a] - 1) + 1
        pads += [padding[a], max(0, needed - padding[a] - x_shape[2 + a])]
    return pads[0], pads[1], pads[2], pads[3]


def offsets(kernel, stride, dilation, out_size):
    """For each kernel offset (i, j), row-major: (i, j) and the (rows, cols) slices that pick,
    from the padded input, the element at that offset of every window."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_size
    for i in range(kh):
        rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
        for j in range(kw):
            yield i, j, rows, slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)


def scatter_to_indices(grad, indices, x_shape, channels_last=False):
    """dL/dx from dL/d(window outputs) and each output's flat input index (h*W + w): a bincount
    per plane, so windows that share a pixel add up."""
    n, c, h, w = x_shape
    plane = (xp.arange(n * c, dtype=xp.int64) * (h * w)).reshape(n, c, 1, 1)
    total = xp.bincount((indices + plane).ravel(), weights=grad.ravel(), minlength=n * c * h * w)
    dense = total.reshape(x_shape).astype(grad.dtype, copy=False)
    if not channels_last:
        return dense
    out = xp.empty((n, h, w, c), dtype=grad.dtype).transpose(0, 3, 1, 2)
    out[...] = dense
    return out


class MaxPool2d(Function):
    """Forward: values; `sink` (a list), when given, receives the int64 indices."""

    def forward(self, x, kernel=(2, 2), stride=(2, 2), padding=(0, 0), dilation=(1, 1), ceil_mode=False,
                sink=None):
        out_size = check_pool_arguments("max_pool2d", x.shape, kernel, stride, padding, dilation, ceil_mode)
        self.x_shape, self.kernel = x.shape, kernel
        # Backward reads only the winners' positions, but PyTorch's kernel saves the input, so
        # changing x in place before backward is refused as in PyTorch (its verdict, kept).
        self.save_for_backward(x)
        if pool_blocks.applies(x.shape, kernel, stride, padding, dilation, out_size):
            best, self.block = pool_blocks.forward(x, kernel, out_size)
            if sink is not None:
                sink.append(pool_blocks.indices(self.block, kernel, x.shape))
            return best
        self.block = None
        pads = window_pads(x.shape, kernel, stride, padding, dilation, out_size)
        padded = pad_spatial(x, pads, lowest(x.dtype))
        best = xp.empty_like(x, shape=x.shape[:2] + out_size)
        best[...] = lowest(x.dtype)
        width = x.shape[3]
        rows0 = xp.arange(out_size[0]) * stride[0] - padding[0]
        cols0 = xp.arange(out_size[1]) * stride[1] - padding[1]
        # the start index of the first real element, as PyTorch (-inf windows point there)
        first_r = xp.where(rows0 < 0, rows0 + dilation[0] * ((-rows0 + dilation[0] - 1) // dilation[0]), rows0)
        first_c = xp.where(cols0 < 0, cols0 + dilation[1] * ((-cols0 + dilation[1] - 1) // dilation[1]), cols0)
        index = xp.empty_like(best, dtype=xp.int64)
        index[...] = first_r[:, None] * width + first_c[None, :]
        floating = x.dtype.kind in "fc"
        for i, j, rows, cols in offsets(kernel, stride, dilation, out_size):
            values = padded[:, :, rows, cols]
            take = values > best
            if floating:
                take |= xp.isnan(values)
            xp.copyto(best, values, where=take)
            flat = (rows0 + i * dilation[0])[:, None] * width + (cols0 + j * dilation[1])[None, :]
            xp.copyto(index, flat, where=take)
        self.index = index
        self.channels_last = not x.flags.c_contiguous and x.transpose(0, 2, 3, 1).flags.c_contiguous
        if sink is not None:
            sink.append(index.copy())
        return best

    def backward(self, grad):
        if self.block is not None:
            return (pool_blocks.backward(grad, self.block, self.kernel, self.x_shape),)
        return (scatter_to_indices(grad, self.index, self.x_shape, self.channels_last),)


def avg_divisor(x_shape, kernel, stride, padding, out_size, count_include_pad, divisor_override, dtype):
    """(OH, OW) divisors of ATen's avg_pool2d: the window clipped to the padded input
    (count_include_pad) or to the input, each a product of per-axis lengths; or the override."""
    if divisor_override is not None:
        return xp.asarray(divisor_override, dtype=dtype)
    lengths = []
    for a in range(2):
        size, pad = x_shape[2 + a], padding[a]
        start = xp.arange(out_size[a]) * stride[a] - pad
        end = xp.minimum(start + kernel[a], size + pad)
        if not count_include_pad:
            start, end = xp.maximum(start, 0), xp.minimum(end, size)
        lengths.append(end - start)
    return (lengths[0][:, None] * lengths[1][None, :]).astype(dtype)


class AvgPool2d(Function):
    def forward(self, x, kernel=(2, 2), stride=(2, 2), padding=(0, 0), ceil_mode=False, count_include_pad=True,
                divisor_override=None):
        out_size = check_pool_arguments("avg_pool2d", x.shape, kernel, stride, padding, (1, 1), ceil_mode)
        pads = window_pads(x.shape, kernel, stride, padding, (1, 1), out_size)
        padded = pad_spatial(x, pads, 0)
        total = xp.zeros_like(x, shape=x.shape[:2] + out_size)
        for _, _, rows, cols in offsets(kernel, stride, (1, 1), out_size):
            total += padded[:, :, rows, cols]
        self.divisor = avg_divisor(x.shape, kernel, stride, padding, out_size, count_include_pad,
                                   divisor_override, x.dtype)
        self.x_shape, self.kernel, self.stride, self.pads = x.shape, kernel, stride, pads
        total /= self.divisor
        return total

    def backward(self, grad):
        n, c, h, w = self.x_shape
        top, bottom, left, right = self.pads
        share = grad / self.divisor  # every pixel of a window gets an equal share
        padded = xp.zeros_like(grad, shape=(n, c, h + top + bottom, w + left + right))
        for _, _, rows, cols in offsets(self.kernel, self.stride, (1, 1), grad.shape[2:]):
            padded[:, :, rows, cols] += share
        return (padded[:, :, top:top + h, left:left + w],)
