"""Ops that move elements without changing them: reshape, transpose, broadcast, join, pad.

Each backward is the inverse movement applied to the gradient (summed where one element was
copied several times: pad's reflect, edge and wrap modes).
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import AxisError, xp
from .reduce import normalize_axis


class Reshape(Function):
    def forward(self, a, shape):
        self.shape = a.shape
        try:
            return a.reshape(shape)
        except ValueError:
            raise ValueError(f"cannot reshape a tensor of shape {a.shape} (size {a.size}) into {shape}") from None

    def backward(self, grad):
        return grad.reshape(self.shape)


class Transpose(Function):
    def forward(self, a, axes):
        if axes is None:
            axes = tuple(reversed(range(a.ndim)))
        in_range = all(-a.ndim <= int(x) < a.ndim for x in axes)
        if not in_range or sorted(int(x) % a.ndim for x in axes) != list(range(a.ndim)):
            raise ValueError(f"axes {tuple(axes)} are not a permutation of the {a.ndim} axes of shape {a.shape}")
        self.axes = axes
        return xp.transpose(a, axes)

    def backward(self, grad):
        # the inverse permutation: output axis k came from input axis axes[k]
        return xp.transpose(grad, xp.argsort([int(x) % grad.ndim for x in self.axes]))


class BroadcastTo(Function):
    def forward(self, a, shape):
        try:
            return xp.broadcast_to(a, shape)
        except ValueError:
            raise ValueError(f"cannot broadcast a tensor of shape {a.shape} to shape {tuple(shape)}") from None

    def backward(self, grad):
        return grad  # the engine sums it back to the input's shape


class Squeeze(Function):
    def forward(self, a, axis):
        self.shape = a.shape
        if axis is None:
            return xp.squeeze(a)
        axes = normalize_axis(axis, a.ndim)
        if any(a.shape[i] != 1 for i in axes):
            raise ValueError(f"cannot squeeze axis {axis} of shape {a.shape}: its size is not 1")
        return xp.squeeze(a, axis=axes)

    def backward(self, grad):
        return grad.reshape(self.shape)


class Unsqueeze(Function):
    def forward(self, a, axis):
        self.shape = a.shape
        try:
            return xp.expand_dims(a, axis)
        except AxisError:
            raise AxisError(f"unsqueeze: axis {axis} is out of range for shape {a.shape}") from None

    def backward(self, grad):
        return grad.reshape(self.shape)


class Concatenate(Function):
    def forward(self, *arrays, axis):
        _check_same_shape_but(arrays, axis, "concatenate")
        self.axis = normalize_axis(axis, arrays[0].ndim)[0]
        self.boundaries = xp.cumsum([a.shape[self.axis] for a in arrays])[:-1]
        return xp.concatenate(arrays, axis=self.axis)

    def backward(self, grad):
        return tuple(xp.split(grad, self.boundaries, axis=self.axis))


class Stack(Function):
    def forward(self, *arrays, axis):
        _check_same_shape_but(arrays, None, "stack")
        self.axis = normalize_axis(axis, arrays[0].ndim + 1)[0]
        return xp.stack(arrays, axis=self.axis)

    def backward(self, grad):
        return tuple(xp.moveaxis(grad, self.axis, 0))


def _check_same_shape_but(arrays, axis, name):
    if not arrays:
        raise ValueError(f"{name} needs at least one tensor")
    first = arrays[0].shape
    skip = None if axis is None else normalize_axis(axis, len(first))[0]
    for i, array in enumerate(arrays):
        shape = array.shape
        if len(shape) != len(first) or any(
            n != m for d, (n, m) in enumerate(zip(shape, first)) if d != skip
        ):
            raise ValueError(f"{name}: tensor {i} has shape {shape}, incompatible with tensor 0 of shape {first}")


def pad_index(n: int, before: int, after: int, mode: str):
    """For each position of a padded axis, the input position it copies (NumPy's np.pad
    values for any width: 'reflect' mirrors without repeating the edge, again and again when
    the pad is wider than the axis; 'edge' repeats the end elements; 'wrap' is periodic)."""
    i = xp.arange(-before, n + after)
    if mode == "edge":
        return xp.clip(i, 0, n - 1)
    if mode == "wrap":
        return i % n
    if n == 1:  # reflect of one element: NumPy repeats it
        return xp.zeros_like(i)
    period = 2 * (n - 1)  # 0 1 .. n-1 n-2 .. 1, then again
    i = i % period
    return xp.where(i < n, i, period - i)


class Pad(Function):
    """NumPy's pad with `widths` ((before, after) per axis, an (ndim, 2) int array).

    'constant' also crops where a width is negative (PyTorch's F.pad; NumPy refuses): the
    forward crops, then pads; the backward takes the padded region, then zero-pads what was
    cropped. 'reflect', 'edge' and 'wrap' copy input elements into the border (one index map
    per axis, `pad_index`); their backward adds each border element's gradient back into the
    element it copies, axis by axis in reverse order.
    """

    def forward(self, a, widths, mode, constant_values):
        self.mode = mode
        if mode == "constant":
            crop = xp.minimum(widths, 0)
            grow = xp.maximum(widths, 0)
            self.crop = -crop
            kept = tuple(slice(-lo, n + hi) for (lo, hi), n in zip(crop, a.shape))
            cropped = a[kept]
            self.region = tuple(slice(lo, lo + n) for (lo, _), n in zip(grow, cropped.shape))
            return xp.pad(cropped, grow, mode="constant", constant_values=constant_values)
        self.maps = []  # (axis, size, before, index map) of each padded axis
        out = a
        for axis, ((before, after), n) in enumerate(zip(widths, a.shape)):
            if before or after:
                index = pad_index(n, int(before), int(after), mode)
                self.maps.append((axis, n, int(before), index))
                out = xp.take(out, index, axis=axis)
        return out if self.maps else a.copy()

    def backward(self, grad):
        if self.mode == "constant":
            return xp.pad(grad[self.region], self.crop, mode="constant")
        for axis, n, before, index in reversed(self.maps):
            moved = xp.moveaxis(grad, axis, 0)
            summed = moved[before:before + n].copy()  # the centre copies itself
            border = xp.r_[0:before, before + n:len(index)]
            xp.add.at(summed, index[border], moved[border])  # repeated indices accumulate
            grad = xp.moveaxis(summed, 0, axis)
        return grad
