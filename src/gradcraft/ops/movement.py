"""Ops that move or copy elements without computing with them: flip, roll, diagonals, tile,
repeat, sliding windows (unfold), triangles (tril/triu).

Each backward sends every output element's gradient back to the input element it was taken
from; where one input element fed several outputs (tile, repeat, overlapping windows) the
contributions are summed. None of them reads a value, so none saves anything: the input may
change in place before backward (PyTorch's verdict too).
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import xp


class Flip(Function):
    def forward(self, a, axes):
        self.axes = axes
        return xp.flip(a, axis=axes)

    def backward(self, grad):
        return xp.flip(grad, axis=self.axes)  # a flip is its own inverse


class Roll(Function):
    def forward(self, a, shifts, axes):
        self.shifts, self.axes = shifts, axes
        return xp.roll(a, shifts, axis=axes)

    def backward(self, grad):
        # rolling back by the same amounts undoes it (a permutation: no sums needed)
        if self.axes is None:
            return xp.roll(grad, -self.shifts)
        return xp.roll(grad, tuple(-s for s in self.shifts), axis=self.axes)


def _diagonal_index(shape1, shape2, offset):
    """The (rows, cols) of the `offset` diagonal of a (shape1, shape2) matrix."""
    rows = xp.arange(max(0, -offset), shape1)
    cols = rows + offset
    keep = cols < shape2
    return rows[keep], cols[keep]


class Diagonal(Function):
    """NumPy's diagonal (the diagonal becomes the last axis), as a copy."""

    def forward(self, a, offset, axis1, axis2):
        self.shape, self.dtype = a.shape, a.dtype
        self.offset, self.axis1, self.axis2 = offset, axis1, axis2
        return xp.diagonal(a, offset, axis1, axis2).copy()

    def backward(self, grad):
        # scatter the diagonal back into a zero array with the two axes moved last
        moved = xp.moveaxis(xp.zeros(self.shape, dtype=grad.dtype), (self.axis1, self.axis2), (-2, -1))
        rows, cols = _diagonal_index(moved.shape[-2], moved.shape[-1], self.offset)
        moved[..., rows, cols] = grad
        return xp.moveaxis(moved, (-2, -1), (self.axis1, self.axis2))


class DiagMatrix(Function):
    """NumPy's diag of a 1-D array: the square matrix with it on the `k` diagonal."""

    def forward(self, a, k):
        self.k = k
        return xp.diag(a, k)

    def backward(self, grad):
        return xp.diagonal(grad, self.k).copy()


class Tile(Function):
    def forward(self, a, reps):
        # NumPy's rule: reps and the shape are padded with leading ones to the same length
        ndim = max(a.ndim, len(reps))
        self.reps = (1,) * (ndim - len(reps)) + tuple(reps)
        self.shape = (1,) * (ndim - a.ndim) + a.shape
        self.input_shape = a.shape
        return xp.tile(a, reps)

    def backward(self, grad):
        # output axis d of size r*n is (r copies) x (n elements): split it and sum the copies
        split = [n for pair in zip(self.reps, self.shape) for n in pair]
        summed = grad.reshape(split).sum(axis=tuple(range(0, 2 * len(self.shape), 2)))
        return summed.reshape(self.input_shape)


class Repeat(Function):
    """NumPy's repeat (PyTorch's repeat_interleave): each element `repeats` times in a row."""

    def forward(self, a, repeats, axis):
        self.shape, self.axis = a.shape, axis
        self.repeats = repeats  # an int, or one count per element along the axis
        source = a.reshape(-1) if axis is None else a
        return xp.repeat(source, repeats, axis=0 if axis is None else axis)

    def backward(self, grad):
        axis = 0 if self.axis is None else self.axis
        n = self.shape[axis] if self.axis is not None else int(xp.prod(self.shape, dtype=int))
        repeats = self.repeats
        if isinstance(repeats, int):
            # output axis of size n*r is (n elements) x (r copies): split it, sum the copies
            split = grad.shape[:axis] + (n, repeats) + grad.shape[axis + 1:]
            summed = grad.reshape(split).sum(axis=axis + 1)
        else:
            # segment sums: element i owns the outputs [start_i, start_i + repeats_i)
            starts = xp.concatenate(([0], xp.cumsum(repeats)[:-1])).astype(xp.intp)
            moved = xp.moveaxis(grad, axis, 0)
            summed = xp.zeros((n,) + moved.shape[1:], dtype=grad.dtype)
            full = repeats > 0  # reduceat would return the next element for an empty segment
            if full.any():
                summed[full] = xp.add.reduceat(moved, starts[full], axis=0)
            summed = xp.moveaxis(summed, 0, axis)
        return summed.reshape(self.shape)


class Unfold(Function):
    """PyTorch's Tensor.unfold: windows of `size` every `step` along `axis`, the window last."""

    def forward(self, a, axis, size, step):
        self.shape, self.axis, self.size, self.step = a.shape, axis, size, step
        windows = xp.lib.stride_tricks.sliding_window_view(a, size, axis=axis)
        index = (slice(None),) * axis + (slice(None, None, step),)
        return xp.ascontiguousarray(windows[index])

    def backward(self, grad):
        # element k of window l is input element l*step + k: for each k one strided slice gets
        # grad[..., l, ..., k] for all l (distinct elements), and overlapping windows add up
        out = xp.zeros(self.shape, dtype=grad.dtype)
        count = grad.shape[self.axis]
        lead = (slice(None),) * self.axis
        for k in range(self.size):
            target = lead + (slice(k, k + self.step * (count - 1) + 1, self.step),)
            out[target] += grad[..., k]
        return out


class Triangle(Function):
    """tril (lower=True) or triu of the last two axes: a fixed 0/1 mask."""

    def forward(self, a, k, lower):
        rows, cols = a.shape[-2:]
        # tril keeps j <= i + k; triu keeps j >= i + k, i.e. the complement of tril(k - 1)
        keep = xp.tri(rows, cols, k, dtype=bool)
        self.keep = keep if lower else ~xp.tri(rows, cols, k - 1, dtype=bool)
        return xp.where(self.keep, a, xp.zeros((), dtype=a.dtype))

    def backward(self, grad):
        return xp.where(self.keep, grad, xp.zeros((), dtype=grad.dtype))
