"""Resampling along the spatial axes (PyTorch's `interpolate`, modes nearest and (bi)linear).

Each spatial axis is resampled on its own (both modes are separable), with ATen's source
positions for output index o (in float32 for nearest, in the input's precision for linear):
- nearest: src = min(floor(o * scale), size - 1), scale = 1 / scale_factor when one was given,
  else size / out_size (out == size copies; out == 2 size takes o >> 1), as ATen's nearest_idx.
- linear, align_corners=True: src = o (size - 1) / (out - 1) (0 when out == 1);
  align_corners=False: src = max(scale (o + 0.5) - 0.5, 0); then i0 = min(floor(src), size - 1),
  i1 = min(i0 + 1, size - 1), l1 = clip(src - i0, 0, 1), l0 = 1 - l1 (out == size copies).
Forward gathers (out = l0 x[i0] + l1 x[i1] along the axis, W first, then H: ATen's order of
operations); the map is linear, so backward applies its transpose, the (out, size) matrix M
with M[o, i0] += l0, M[o, i1] += l1: dL/dx = M^T g along each axis.
"""

from __future__ import annotations

import math

from ..autograd import Function
from ..backend import xp


def _nearest(size, out, scale):
    if out == size:
        return xp.arange(out), None
    if out == 2 * size:
        return xp.arange(out) >> 1, None
    ratio = xp.float32(1.0 / scale) if scale is not None and scale > 0 else xp.float32(size) / xp.float32(out)
    src = xp.floor(xp.arange(out, dtype=xp.float32) * ratio).astype(xp.int64)
    return xp.minimum(src, size - 1), None


def _linear(size, out, scale, align_corners, dtype):
    o = xp.arange(out, dtype=dtype)
    if out == size:
        return xp.arange(out), xp.arange(out), xp.ones(out, dtype), xp.zeros(out, dtype)
    if align_corners:
        ratio = dtype.type((size - 1) / (out - 1)) if out > 1 else dtype.type(0)
        src = ratio * o
    else:
        ratio = dtype.type(1.0 / scale) if scale is not None and scale > 0 else dtype.type(size) / dtype.type(out)
        src = xp.maximum(ratio * (o + dtype.type(0.5)) - dtype.type(0.5), dtype.type(0))
    i0 = xp.minimum(xp.floor(src).astype(xp.int64), size - 1)
    l1 = xp.clip(src - i0, 0, 1).astype(dtype)
    return i0, xp.minimum(i0 + 1, size - 1), (1 - l1).astype(dtype), l1


def output_size(shape, size, scale_factors):
    """ATen's output size: `size`, or floor(input size * scale factor)."""
    if size is not None:
        return tuple(size)
    return tuple(int(math.floor(float(n) * s)) for n, s in zip(shape[2:], scale_factors))


class Interpolate(Function):
    """x (N, C, *spatial) resampled to `out_size`; `scales` the scale factors given (or None)."""

    def forward(self, x, out_size=(), scales=None, mode="nearest", align_corners=False):
        self.axes = []
        out = x
        for k in reversed(range(len(out_size))):  # W first, then H
            axis, size = 2 + k, x.shape[2 + k]
            scale = None if scales is None else scales[k]
            if mode == "nearest":
                index, _ = _nearest(size, out_size[k], scale)
                out = xp.take(out, index, axis=axis)
                matrix = xp.zeros((out_size[k], size), dtype=x.dtype)
                matrix[xp.arange(out_size[k]), index] = 1
            else:
                i0, i1, l0, l1 = _linear(size, out_size[k], scale, align_corners, x.dtype)
                shape = [1] * x.ndim
                shape[axis] = -1
                out = xp.take(out, i0, axis=axis) * l0.reshape(shape) + xp.take(out, i1, axis=axis) * l1.reshape(shape)
                matrix = xp.zeros((out_size[k], size), dtype=x.dtype)
                xp.add.at(matrix, (xp.arange(out_size[k]), i0), l0)
                xp.add.at(matrix, (xp.arange(out_size[k]), i1), l1)
            self.axes.append((axis, matrix))
        return out

    def backward(self, grad):
        for axis, matrix in reversed(self.axes):  # H first: the reverse of forward
            grad = xp.moveaxis(xp.tensordot(grad, matrix, axes=([axis], [0])), -1, axis)
        return (grad,)
