"""2-D max and average pooling over NCHW input (PyTorch's semantics, floor mode).

Output size per axis is floor((size + 2 padding - kernel) / stride) + 1; the stride defaults to
the kernel size. Both passes loop over the KH*KW kernel offsets only: for offset (i, j) the
elements every window holds there form one strided view of the (padded) input,
x[:, :, i::sh, j::sw] cut to (OH, OW). A running max over those KH*KW views is several times
faster than reducing a (..., KH*KW) window array, and needs no copy of the windows.

Backward routes each output gradient to the input pixels its window read:
- max: only to the first maximal element of the window (row-major), d max / d x_k = 1[k = argmax],
  never to padding (a window of -inf routes to its first real element); in a window holding
  NaN the output is NaN and the last NaN takes the gradient (PyTorch's CPU kernel, whose test
  is `value > max or isnan(value)`);
- avg: to every element, divided by the window's divisor (kernel area, or the count of real,
  non-padding pixels when `count_include_pad=False`).
"""

from __future__ import annotations

from ..backend import xp
from .conv import conv_output_size
from ..autograd import Function


def check_pool_arguments(name, x_shape, kernel, stride, padding):
    """Validate; return the output spatial size (OH, OW)."""
    if len(x_shape) != 4:
        raise ValueError(f"{name}: input must have shape (N, C, H, W), got {x_shape}")
    if min(kernel) < 1 or min(stride) < 1 or min(padding) < 0:
        raise ValueError(
            f"{name}: need kernel_size >= 1, stride >= 1, padding >= 0, got kernel_size={kernel}, "
            f"stride={stride}, padding={padding}"
        )
    if padding[0] * 2 > kernel[0] or padding[1] * 2 > kernel[1]:
        raise ValueError(f"{name}: padding {padding} must be at most half the kernel size {kernel}")
    out = tuple(conv_output_size(x_shape[2 + a], kernel[a], stride[a], padding[a], 1) for a in range(2))
    if min(out) < 1:
        raise ValueError(
            f"{name}: input of spatial size {x_shape[2:]} with padding {padding} is smaller than "
            f"the kernel {kernel}"
        )
    return out


def _pad(x, padding, value):
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    return xp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def _lowest(dtype):
    """A padding value no element can beat: -inf, or the integer type's minimum (-inf has no
    integer representation; PyTorch pools integer tensors too)."""
    return xp.iinfo(dtype).min if dtype.kind in "iu" else False if dtype.kind == "b" else -xp.inf


def _offsets(kernel, stride, out_size):
    """For each kernel offset (i, j): its index i*KW + j and the (rows, cols) slices that pick,
    from the padded input, the element at that offset of every window."""
    (kh, kw), (sh, sw), (oh, ow) = kernel, stride, out_size
    for i in range(kh):
        rows = slice(i, i + sh * (oh - 1) + 1, sh)
        for j in range(kw):
            yield i * kw + j, rows, slice(j, j + sw * (ow - 1) + 1, sw)


def _unpadded(padded, padding, x_shape):
    ph, pw = padding
    return padded[:, :, ph:ph + x_shape[2], pw:pw + x_shape[3]]


class MaxPool2d(Function):
    def forward(self, x, kernel=(2, 2), stride=(2, 2), padding=(0, 0)):
        out_size = check_pool_arguments("max_pool2d", x.shape, kernel, stride, padding)
        padded = _pad(x, padding, _lowest(x.dtype))  # padding never wins (PyTorch's implicit padding)
        offsets = _offsets(kernel, stride, out_size)
        _, rows, cols = next(offsets)
        best = padded[:, :, rows, cols].copy()
        for _, rows, cols in offsets:
            xp.maximum(best, padded[:, :, rows, cols], out=best)  # NaN propagates, as in PyTorch
        # Backward finds the winners by comparing the input with the maxima: it reads the input
        # (saved) and its own copy of the maxima (the output may be changed by its consumers).
        self.save_for_backward(x)
        self.maxima = best.copy() if self.needs_input_grad[0] else None
        self.x_shape, self.kernel, self.stride, self.padding = x.shape, kernel, stride, padding
        return best

    def backward(self, grad):
        # The winner of each window is the first offset (row-major) holding the maximum, as in
        # PyTorch's CPU kernel: found here by comparing each offset's view with the output.
        # That kernel only scans real pixels, so padding (-inf) never wins, even against -inf.
        x, = self.saved
        padded = _pad(x, self.padding, _lowest(x.dtype))
        padded_grad = xp.zeros(padded.shape, dtype=grad.dtype)
        real = self._real_pixels(padded.shape)
        taken = xp.zeros(grad.shape, dtype=bool)
        offsets = list(_offsets(self.kernel, self.stride, grad.shape[2:]))
        for _, rows, cols in offsets:
            wins = (padded[:, :, rows, cols] == self.maxima) & ~taken
            if real is not None:
                wins &= real[rows, cols]
            taken |= wins
            padded_grad[:, :, rows, cols] += xp.where(wins, grad, 0)
        if self.maxima.dtype.kind == "f" and not taken.all():
            # Only NaN windows are left (NaN == NaN is false): the kernel's last NaN wins there,
            # so scan the offsets backwards. Padding is never NaN.
            for _, rows, cols in reversed(offsets):
                wins = xp.isnan(padded[:, :, rows, cols]) & ~taken
                taken |= wins
                padded_grad[:, :, rows, cols] += xp.where(wins, grad, 0)
        return (_unpadded(padded_grad, self.padding, self.x_shape),)

    def _real_pixels(self, padded_shape):
        """(Hp, Wp) mask of the padded input: True on real pixels, False on padding (None
        without padding)."""
        if self.padding == (0, 0):
            return None
        real = xp.zeros(padded_shape[2:], dtype=bool)
        _unpadded(real[None, None], self.padding, self.x_shape)[...] = True  # a view of `real`
        return real


class AvgPool2d(Function):
    def forward(self, x, kernel=(2, 2), stride=(2, 2), padding=(0, 0), count_include_pad=True):
        out_size = check_pool_arguments("avg_pool2d", x.shape, kernel, stride, padding)
        padded = _pad(x, padding, 0)
        total = xp.zeros(x.shape[:2] + out_size, dtype=x.dtype)
        for _, rows, cols in _offsets(kernel, stride, out_size):
            total += padded[:, :, rows, cols]
        if count_include_pad or padding == (0, 0):
            divisor = xp.asarray(kernel[0] * kernel[1], dtype=x.dtype)
        else:
            # How many real pixels each window covers: the same sums over a padded mask of ones.
            ones = _pad(xp.ones((1, 1) + x.shape[2:], dtype=x.dtype), padding, 0)
            divisor = sum(ones[0, 0, rows, cols] for _, rows, cols in _offsets(kernel, stride, out_size))
        self.divisor = divisor
        self.x_shape, self.kernel, self.stride, self.padding = x.shape, kernel, stride, padding
        return total / divisor

    def backward(self, grad):
        n, c, h, w = self.x_shape
        ph, pw = self.padding
        share = grad / self.divisor  # every pixel of a window gets an equal share
        padded = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=grad.dtype)
        for _, rows, cols in _offsets(self.kernel, self.stride, grad.shape[2:]):
            padded[:, :, rows, cols] += share
        return (_unpadded(padded, self.padding, self.x_shape),)
