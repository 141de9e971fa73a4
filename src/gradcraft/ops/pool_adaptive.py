"""Adaptive pooling over NCHW input (PyTorch's `adaptive_avg_pool2d` / `adaptive_max_pool2d`).

Output cell i of an axis of size H reads rows start(i) = floor(i H / out) to end(i) =
ceil((i + 1) H / out) (exclusive), ATen's start_index / end_index: windows of two sizes that may
overlap when out does not divide H.

- avg is separable: out = A_h x A_w^T with A (out, H) holding 1 / (end - start) on each window,
  so backward is dL/dx = A_h^T g A_w (the transpose of a linear map).
- max loops over the offsets of the longest window (an offset beyond a shorter window is masked
  off) and keeps PyTorch's winner (`value > max or isnan(value)`: first maximum, last NaN) as a
  flat index h*W + w, which backward scatters to (`pool.scatter_to_indices`).
"""

from __future__ import annotations

import numbers

from ..autograd import Function
from ..backend import xp
from ..validation import describe
from .pool import lowest, scatter_to_indices


def adaptive_output_size(name, x_shape, output_size):
    """(OH, OW) from an int, or a pair whose entries may be None (that axis keeps its size)."""
    if isinstance(output_size, numbers.Integral) and not isinstance(output_size, bool):
        output_size = (output_size, output_size)
    if isinstance(output_size, str) or not hasattr(output_size, "__len__") or len(output_size) != 2:
        raise TypeError(f"{name}: output_size must be an int or a pair of ints (or None), got "
                        f"{describe(output_size)}")
    sizes = []
    for a, size in enumerate(output_size):
        if size is None:
            size = x_shape[-2 + a]
        if isinstance(size, bool) or not isinstance(size, numbers.Integral):
            raise TypeError(f"{name}: output_size entries must be ints or None, got {describe(size)}")
        if size < 1:
            raise ValueError(f"{name}: output_size must be positive, got {tuple(output_size)}")
        sizes.append(int(size))
    if len(x_shape) in (3, 4) and min(x_shape[-2:]) < 1:
        raise ValueError(f"{name}: input of spatial size {tuple(x_shape[-2:])} has no pixels to pool")
    return sizes[0], sizes[1]


def windows(size, out):
    """ATen's (start, end) per output cell of one axis."""
    i = xp.arange(out)
    return (i * size) // out, ((i + 1) * size + out - 1) // out


def _averaging(size, out, dtype):
    start, end = windows(size, out)
    cells = xp.arange(size)
    inside = (cells[None, :] >= start[:, None]) & (cells[None, :] < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


class AdaptiveAvgPool2d(Function):
    def forward(self, x, out_size=(1, 1)):
        self.rows = _averaging(x.shape[2], out_size[0], x.dtype)
        self.cols = _averaging(x.shape[3], out_size[1], x.dtype)
        out = xp.empty_like(x, shape=x.shape[:2] + tuple(out_size))  # in x's memory layout
        out[...] = self.rows @ (x @ self.cols.T)
        return out

    def backward(self, grad):
        return (self.rows.T @ (grad @ self.cols),)


class AdaptiveMaxPool2d(Function):
    def forward(self, x, out_size=(1, 1), sink=None):
        n, c, h, w = x.shape
        (r0, r1), (c0, c1) = windows(h, out_size[0]), windows(w, out_size[1])
        best = xp.empty_like(x, shape=(n, c) + tuple(out_size))  # in x's memory layout
        best[...] = lowest(x.dtype)
        index = xp.empty_like(best, dtype=xp.int64)
        index[...] = r0[:, None] * w + c0[None, :]
        floating = x.dtype.kind in "fc"
        for i in range(int((r1 - r0).max())):
            rows = r0 + i
            row_ok = rows < r1
            rows = xp.minimum(rows, h - 1)
            for j in range(int((c1 - c0).max())):
                cols = c0 + j
                valid = row_ok[:, None] & (cols < c1)[None, :]
                cols = xp.minimum(cols, w - 1)
                values = x[:, :, rows[:, None], cols[None, :]]
                take = values > best
                if floating:
                    take |= xp.isnan(values)
                take &= valid
                xp.copyto(best, values, where=take)
                xp.copyto(index, rows[:, None] * w + cols[None, :], where=take)
        self.index, self.x_shape = index, x.shape
        if sink is not None:
            sink.append(index.copy())
        return best

    def backward(self, grad):
        return (scatter_to_indices(grad, self.index, self.x_shape),)
