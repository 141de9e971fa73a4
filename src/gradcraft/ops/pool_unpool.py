"""Max unpooling (PyTorch's `max_unpool2d`): the partial inverse of max pooling.

Forward puts each input value at its flat index h*W + w of the output plane, zeros elsewhere
(where two inputs name the same index, the later one in row-major order stays, as PyTorch's
CPU kernel). It is a selection, out[idx] = x, so backward is the gather dL/dx = g[idx].
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import xp


def unpool_output_size(x_shape, kernel, stride, padding, output_size):
    """PyTorch's _unpool_output_size: (H - 1) stride - 2 padding + kernel per axis, or
    `output_size` ((H, W) or (N, C, H, W)) strictly within one stride of it."""
    default = tuple((x_shape[-2 + d] - 1) * stride[d] + kernel[d] - 2 * padding[d] for d in range(2))
    if output_size is None:
        size = default
    else:
        size = tuple(int(s) for s in output_size)
        if len(size) == 4:
            size = size[2:]
        if len(size) != 2:
            raise ValueError(f"max_unpool2d: output_size should be a sequence of 2 or 4 elements, "
                             f"got {tuple(output_size)} ({len(size)} values)")
        for d in range(2):
            low, high = default[d] - stride[d], default[d] + stride[d]
            if not low < size[d] < high:
                raise ValueError(f"max_unpool2d: invalid output_size {tuple(output_size)} (dim {d} must "
                                 f"be between {low} and {high})")
    if min(size) < 1:
        raise ValueError(f"max_unpool2d: output size {size} must be positive (input {x_shape})")
    return size


class MaxUnpool2d(Function):
    def forward(self, x, indices=None, size=(1, 1)):
        n, c = x.shape[:2]
        plane = size[0] * size[1]
        flat = indices.reshape(n * c, -1)
        if flat.size and (flat.min() < 0 or flat.max() >= plane):
            bad = flat.min() if flat.min() < 0 else flat.max()
            raise ValueError(f"max_unpool2d: found an invalid max index {int(bad)} for an output plane "
                             f"of {size[0]} x {size[1]} = {plane} elements")
        out = xp.zeros((n * c, plane), dtype=x.dtype)
        self.rows = xp.arange(n * c)[:, None]
        out[self.rows, flat] = x.reshape(n * c, -1)
        self.flat, self.x_shape = flat, x.shape
        return out.reshape(n, c, *size)

    def backward(self, grad):
        n, c = self.x_shape[:2]
        return (grad.reshape(n * c, -1)[self.rows, self.flat].reshape(self.x_shape),)
