"""Pooling over images (N, C, H, W) and signals (N, C, L), PyTorch's `torch.nn.functional`
forms: max_pool2d, max_unpool2d, avg_pool2d, adaptive_avg_pool2d, adaptive_max_pool2d,
lp_pool2d, their 1-d forms (the 2-d code with H = 1), and stochastic_pool2d (Zeiler & Fergus,
2013; PyTorch has none).

Global average pooling is `adaptive_avg_pool2d(x, 1)` (or `nn.AdaptiveAvgPool2d(1)`): one mean
per channel, (N, C, H, W) -> (N, C, 1, 1), whatever H and W are.
"""

from __future__ import annotations

from ..ops.pool import AvgPool2d, MaxPool2d
from ..ops.pool_adaptive import AdaptiveAvgPool2d, AdaptiveMaxPool2d, adaptive_output_size
from ..ops.pool_stochastic import StochasticPool2d
from ..ops.pool_unpool import MaxUnpool2d, unpool_output_size
from ..random import as_generator
from ..tensor import Tensor, as_tensor
from ..validation import check_bool, check_int, check_pair, check_real
from .activations import relu
from .conv import _check_image_batch

__all__ = ["max_pool2d", "max_pool1d", "max_unpool2d", "avg_pool2d", "avg_pool1d", "adaptive_avg_pool2d",
           "adaptive_avg_pool1d", "adaptive_max_pool2d", "lp_pool2d", "stochastic_pool2d"]


def _batched(name, x, run):
    """Run `run` on a batch (N, C, H, W): an unbatched image (C, H, W) becomes a batch of one
    and comes back unbatched. `run` returns a Tensor or a (Tensor, indices) pair."""
    x = as_tensor(x)
    unbatched = _check_image_batch(name, x)
    result = run(x.reshape(1, *x.shape) if unbatched else x)
    if not unbatched:
        return result
    if isinstance(result, tuple):
        return tuple(r.reshape(*r.shape[1:]) for r in result)
    return result.reshape(*result.shape[1:])


def _as_1d(name, x, run):
    """A 1-d pool through the 2-d one: (N, C, L) or (C, L) as (N, C, 1, L)."""
    x = as_tensor(x)
    if x.ndim not in (2, 3):
        raise ValueError(f"{name}: input must have shape (N, C, L) or (C, L), got {x.shape}")
    result = run(x.reshape(*x.shape[:-1], 1, x.shape[-1]))
    squeeze = lambda r: r.reshape(*r.shape[:-2], r.shape[-1])  # noqa: E731
    return tuple(squeeze(r) for r in result) if isinstance(result, tuple) else squeeze(result)


def _single(value, name, low):
    """A 1-d pool's size: an int or a 1-tuple (PyTorch's _single), as the (1, k) pair."""
    if isinstance(value, tuple | list) and len(value) == 1:
        value = value[0]
    return 1, check_int(value, name, low=low)


def _indices_tensor(array):
    return Tensor(array) if not isinstance(array, Tensor) else array


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over each kernel_size window of x (N, C, H, W) (or (C, H, W)), PyTorch's `max_pool2d`:
    `stride` defaults to `kernel_size`; `padding` is implicit -inf (at most half the kernel);
    `dilation` spaces the window's taps; `ceil_mode` rounds the output size up (a last window
    may hang over the edge, but starts inside the input or the left padding). Ties go to the
    first maximum (row-major), NaN wins. `return_indices=True` also returns, per output, the
    flat index h*W + w of the winner in its (H, W) plane (int64), what `max_unpool2d` takes."""
    kernel = check_pair(kernel_size, "kernel_size")
    options = dict(kernel=kernel, stride=kernel if stride is None else check_pair(stride, "stride"),
                   padding=check_pair(padding, "padding"), dilation=check_pair(dilation, "dilation"),
                   ceil_mode=check_bool(ceil_mode, "ceil_mode"))
    return_indices = check_bool(return_indices, "return_indices")

    def run(batch):
        if not return_indices:
            return MaxPool2d.apply(batch, **options)
        sink = []
        out = MaxPool2d.apply(batch, sink=sink, **options)
        return out, _indices_tensor(sink[0])

    return _batched("max_pool2d", x, run)


def max_pool1d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """`max_pool2d` over the last axis of x (N, C, L) or (C, L); indices index L."""
    kernel = _single(kernel_size, "kernel_size", 1)
    stride = kernel if stride is None else _single(stride, "stride", 1)
    return _as_1d("max_pool1d", x, lambda x4: max_pool2d(
        x4, kernel, stride, (0, _single(padding, "padding", 0)[1]), (1, _single(dilation, "dilation", 1)[1]),
        ceil_mode, return_indices))


def max_unpool2d(x, indices, kernel_size, stride=None, padding=0, output_size=None):
    """A partial inverse of `max_pool2d` (PyTorch's `max_unpool2d`): zeros of the unpooled size
    with each x value put at its flat index h*W + w of `indices` (what `max_pool2d(...,
    return_indices=True)` returned). The size is (H - 1) stride - 2 padding + kernel per axis, or
    `output_size` ((H, W) or (N, C, H, W)), which must lie strictly within one stride of it."""
    x, indices = as_tensor(x), as_tensor(indices)
    kernel = check_pair(kernel_size, "kernel_size", low=1)
    stride = kernel if stride is None else check_pair(stride, "stride", low=1)
    padding = check_pair(padding, "padding", low=0)
    if indices.shape != x.shape:
        raise ValueError(f"max_unpool2d: indices must have the input's shape {x.shape}, got {indices.shape}")
    if indices.dtype.kind not in "iu":
        raise TypeError(f"max_unpool2d: indices must be an integer tensor (int64), got dtype {indices.dtype}")
    size = unpool_output_size(x.shape, kernel, stride, padding, output_size)

    def run(batch):
        index = indices.data.reshape(batch.shape)
        return MaxUnpool2d.apply(batch, indices=index, size=size)

    return _batched("max_unpool2d", x, run)


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None) -> Tensor:
    """Mean over each kernel_size window of x (N, C, H, W) (or (C, H, W)), PyTorch's
    `avg_pool2d` (so a positional 5th argument is `ceil_mode`). The divisor is ATen's: the
    window clipped to the padded input (zero padding counts, also for a ceil-mode window that
    hangs over the right edge, where only the part inside the padding counts), or the real
    pixels only (`count_include_pad=False`), or `divisor_override`."""
    kernel = check_pair(kernel_size, "kernel_size")
    options = dict(kernel=kernel, stride=kernel if stride is None else check_pair(stride, "stride"),
                   padding=check_pair(padding, "padding"), ceil_mode=check_bool(ceil_mode, "ceil_mode"),
                   count_include_pad=check_bool(count_include_pad, "count_include_pad"),
                   divisor_override=(None if divisor_override is None
                                     else check_int(divisor_override, "divisor_override", low=1)))
    return _batched("avg_pool2d", x, lambda batch: AvgPool2d.apply(batch, **options))


def avg_pool1d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True) -> Tensor:
    """`avg_pool2d` over the last axis of x (N, C, L) or (C, L)."""
    kernel = _single(kernel_size, "kernel_size", 1)
    stride = kernel if stride is None else _single(stride, "stride", 1)
    return _as_1d("avg_pool1d", x, lambda x4: avg_pool2d(
        x4, kernel, stride, (0, _single(padding, "padding", 0)[1]), ceil_mode, count_include_pad))


def adaptive_avg_pool2d(x, output_size) -> Tensor:
    """Mean over adaptive windows, PyTorch's `adaptive_avg_pool2d`: output cell i of an axis of
    size H averages rows floor(i H / out) .. ceil((i + 1) H / out) - 1 (windows may overlap and
    differ in size when out does not divide H). `output_size`: an int, or an (h, w) pair whose
    entries may be None (keep that axis's size). `output_size=1` is global average pooling."""
    def run(batch):
        return AdaptiveAvgPool2d.apply(batch, out_size=adaptive_output_size(
            "adaptive_avg_pool2d", batch.shape, output_size))

    return _batched("adaptive_avg_pool2d", x, run)


def adaptive_avg_pool1d(x, output_size) -> Tensor:
    """`adaptive_avg_pool2d` over the last axis of x (N, C, L) or (C, L)."""
    size = _single(output_size, "output_size", 1)[1]
    return _as_1d("adaptive_avg_pool1d", x, lambda x4: adaptive_avg_pool2d(x4, (1, size)))


def adaptive_max_pool2d(x, output_size, return_indices=False):
    """Max over the adaptive windows of `adaptive_avg_pool2d` (PyTorch's rule for ties and NaN as
    in `max_pool2d`); `return_indices=True` also returns the winners' flat indices h*W + w."""
    return_indices = check_bool(return_indices, "return_indices")

    def run(batch):
        size = adaptive_output_size("adaptive_max_pool2d", batch.shape, output_size)
        sink = [] if return_indices else None
        out = AdaptiveMaxPool2d.apply(batch, out_size=size, sink=sink)
        return (out, _indices_tensor(sink[0])) if return_indices else out

    return _batched("adaptive_max_pool2d", x, run)


def lp_pool2d(x, norm_type, kernel_size, stride=None, ceil_mode=False) -> Tensor:
    """Power-average pooling, PyTorch's `lp_pool2d`: (sum over the window of x^p)^(1/p), computed
    as PyTorch does: avg_pool2d(x^p) * (kernel area), through sign(.) * relu(|.|) before the
    1/p power (so a window whose sum is 0 gets gradient 0); p = inf is max_pool2d(|x|). No
    padding; a ceil-mode window hanging over the edge is averaged over its real part and then
    multiplied by the full kernel area, as in PyTorch."""
    p = check_real(norm_type, "norm_type", finite=False)
    kh, kw = check_pair(kernel_size, "kernel_size", low=1)
    x = as_tensor(x)
    if p == float("inf"):
        return max_pool2d(abs(x), (kh, kw), stride, 0, 1, ceil_mode)
    if p == float("-inf"):
        return -max_pool2d(-abs(x), (kh, kw), stride, 0, 1, ceil_mode)
    out = avg_pool2d(x ** p, (kh, kw), stride, 0, ceil_mode)
    return ((out.sign() * relu(abs(out))) * (kw * kh)) ** (1.0 / p)


def stochastic_pool2d(x, kernel_size, stride=None, training=True, rng=None) -> Tensor:
    """Stochastic pooling (Zeiler & Fergus, 2013) of a non-negative x (N, C, H, W) or (C, H, W),
    e.g. after relu. Training: each window outputs one of its elements, element i drawn with
    probability a_i / sum(a) (an all-zero window outputs 0); the gradient goes to the drawn
    element. Evaluation (`training=False`): the expectation sum(a_i p_i) = sum(a^2) / sum(a),
    with its exact gradient (2 a_i - out) / sum(a). `rng` as in `dropout`."""
    kernel = check_pair(kernel_size, "kernel_size", low=1)
    stride = kernel if stride is None else check_pair(stride, "stride", low=1)
    training = check_bool(training, "training")
    generator = as_generator(rng)
    return _batched("stochastic_pool2d", x, lambda batch: StochasticPool2d.apply(
        batch, kernel=kernel, stride=stride, rng=generator if training else None))

