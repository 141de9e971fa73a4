"""Ops that move elements without changing them: reshape, transpose, broadcast, join, pad.

Each backward is the inverse movement applied to the gradient.
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


class Pad(Function):
    """Constant padding with NumPy's `pad_width` convention ((before, after) per axis)."""

    def forward(self, a, pad_width, constant_values):
        try:
            widths = xp.broadcast_to(xp.asarray(pad_width, dtype=int), (a.ndim, 2))
        except ValueError:
            raise ValueError(
                f"pad_width must be an int, a (before, after) pair, or one pair per axis of the "
                f"shape {a.shape}; got {pad_width}"
            ) from None
        if (widths < 0).any():
            raise ValueError(f"pad_width must be non-negative, got {pad_width}")
        self.region = tuple(slice(before, before + n) for (before, _), n in zip(widths, a.shape))
        return xp.pad(a, widths, mode="constant", constant_values=constant_values)

    def backward(self, grad):
        return grad[self.region]
