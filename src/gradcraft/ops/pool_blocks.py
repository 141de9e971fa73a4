"""Max pooling over non-overlapping blocks (kernel == stride, no padding, dilation 1): the fast
path of `pool.MaxPool2d`, the one every CNN of the benchmark takes.

The input (cut to OH*KH x OW*KW, floor mode) is viewed without a copy as blocks: (N, C, OH, KH,
OW, KW) for C-contiguous NCHW, or, for an NCHW view of channels-last memory, its NHWC array
x.transpose(0, 2, 3, 1) as (N, OH, KH, OW, KW, C). Offset k = i*KW + j of every block is one
strided view; the maxima are a running np.maximum over the K = KH*KW views (NaN propagates), in
the input's layout (channels-last output is returned as an NCHW view).

The winner of a block is PyTorch's: the first offset holding the maximum; where the maximum is
NaN, the last NaN. With ne_k = (view_k != max) as 0/1, the first equal offset is
ne_0 (1 + ne_1 (1 + ... (1 + ne_{K-2}))) (Horner form: it counts the leading "not equal"s),
K - 1 passes of small-integer arithmetic. Backward writes grad * [winner == k] into each
offset's view of dL/dx: every pixel is written once (blocks do not overlap), no scatter.
"""

from __future__ import annotations

from ..backend import xp


def applies(x_shape, kernel, stride, padding, dilation, out_size):
    return (kernel == stride and padding == (0, 0) and dilation == (1, 1)
            and out_size[0] * kernel[0] <= x_shape[2] and out_size[1] * kernel[1] <= x_shape[3])


class _Blocks:
    """The block view of an array of NCHW shape: `views[k]` is offset k of every block, in the
    array's natural order ((N, C, OH, OW) or (N, OH, OW, C)); `to_nchw` maps such an array back."""

    def __init__(self, array, kernel, out_size, channels_last):
        (kh, kw), (oh, ow) = kernel, out_size
        n, c = array.shape[:2]
        if channels_last:
            cut = array.transpose(0, 2, 3, 1)[:, :oh * kh, :ow * kw]
            six = _split(cut, (n, oh, kh, ow, kw, c), (0, 1, 1, 2, 2, 3))
            self.views = [six[:, :, i, :, j] for i in range(kh) for j in range(kw)]
        else:
            cut = array[:, :, :oh * kh, :ow * kw]
            six = _split(cut, (n, c, oh, kh, ow, kw), (0, 1, 2, 2, 3, 3))
            self.views = [six[:, :, :, i, :, j] for i in range(kh) for j in range(kw)]
        self.channels_last = channels_last

    def to_nchw(self, natural):
        return natural.transpose(0, 3, 1, 2) if self.channels_last else natural

    def natural(self, nchw):
        return nchw.transpose(0, 2, 3, 1) if self.channels_last else nchw


def _split(array, shape, source_axes):
    """`array` with axes split into `shape` (each new axis from source_axes[i]) as a strided
    view: never a copy, so writes through it land in `array` (reshape could silently copy)."""
    strides, inner = [], {}
    for size, axis in reversed(list(zip(shape, source_axes))):
        step = inner.get(axis, array.strides[axis])
        strides.append(step)
        inner[axis] = step * size
    return xp.lib.stride_tricks.as_strided(array, shape, tuple(reversed(strides)), writeable=array.flags.writeable)


def _channels_last(x):
    return not x.flags.c_contiguous and x.transpose(0, 2, 3, 1).flags.c_contiguous


def forward(x, kernel, out_size):
    """(maxima as NCHW, state for backward/indices)."""
    if not (x.flags.c_contiguous or _channels_last(x)):
        x = xp.ascontiguousarray(x)
    blocks = _Blocks(x, kernel, out_size, _channels_last(x))
    views = blocks.views
    best = views[0].copy() if len(views) == 1 else xp.maximum(views[0], views[1])
    for view in views[2:]:
        xp.maximum(best, view, out=best)
    count = len(views)
    winner = xp.zeros(best.shape, dtype=xp.uint8 if count <= 255 else xp.int64)
    if count > 1:
        winner[...] = (views[count - 2] != best).view(xp.uint8) if count <= 255 else views[count - 2] != best
        for view in reversed(views[:count - 2]):
            winner += 1
            winner *= view != best
        if best.dtype.kind == "f" and xp.isnan(best).any():
            nan = xp.isnan(best)
            for k, view in enumerate(views):  # the last NaN wins
                xp.copyto(winner, k, where=nan & xp.isnan(view))
    return blocks.to_nchw(best), (winner, blocks.channels_last, out_size)


def indices(state, kernel, x_shape):
    """PyTorch's int64 flat indices (h*W + w) of the winners, NCHW."""
    winner, channels_last, (oh, ow) = state
    winner = winner.transpose(0, 3, 1, 2) if channels_last else winner
    kh, kw = kernel
    rows = xp.arange(oh)[:, None] * kh + winner // kw
    cols = xp.arange(ow)[None, :] * kw + winner % kw
    return rows * x_shape[3] + cols.astype(xp.int64)


def backward(grad, state, kernel, x_shape):
    """dL/dx: grad * [winner == k] written into offset k's view of a fresh array laid out as
    the input was (the cut-off rows/columns of floor mode get 0)."""
    winner, channels_last, (oh, ow) = state
    n, c, h, w = x_shape
    if channels_last:
        dx = xp.empty((n, h, w, c), dtype=grad.dtype).transpose(0, 3, 1, 2)
    else:
        dx = xp.empty(x_shape, dtype=grad.dtype)
    dx[:, :, oh * kernel[0]:] = 0
    dx[:, :, :, ow * kernel[1]:] = 0
    blocks = _Blocks(dx, kernel, (oh, ow), channels_last)
    upstream = blocks.natural(grad)
    for k, view in enumerate(blocks.views):
        xp.multiply(upstream, winner == k, out=view)
    return dx
