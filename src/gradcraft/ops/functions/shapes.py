"""Shape and joining: reshape, transpose, broadcast, squeeze, flatten, concatenate, stack, split, pad."""

from __future__ import annotations

from ...backend import xp
from ...spelling import accepts_dim
from ...tensor import Tensor
from .. import reduce
from .. import shape as shape_ops
from .arguments import shape_args, tensor_of


__all__ = ['reshape', 'transpose', 'permute', 'broadcast_to', 'expand', 'squeeze', 'unsqueeze', 'flatten', 'concatenate', 'stack', 'split', 'pad', 'expand_dims']

def reshape(x, *shape):
    return shape_ops.Reshape.apply(tensor_of(x), shape=shape_args(shape))


def transpose(x, *axes):
    axes = shape_args(axes, "transpose: axes") if axes else None
    return shape_ops.Transpose.apply(tensor_of(x), axes=axes)


def permute(x, *dims):
    return transpose(x, *dims)


def broadcast_to(x, *shape):
    return shape_ops.BroadcastTo.apply(tensor_of(x), shape=shape_args(shape))


def expand(x, *sizes):
    """PyTorch's expand: like broadcast_to, and -1 keeps a dimension's size."""
    x = tensor_of(x)
    sizes = shape_args(sizes)
    offset = len(sizes) - x.ndim
    target = tuple(x.shape[i - offset] if n == -1 and i >= offset else n for i, n in enumerate(sizes))
    return broadcast_to(x, target)


@accepts_dim
def squeeze(x, axis=None):
    return shape_ops.Squeeze.apply(tensor_of(x), axis=axis)


@accepts_dim
def unsqueeze(x, axis):
    return shape_ops.Unsqueeze.apply(tensor_of(x), axis=axis)


expand_dims = unsqueeze


def flatten(x, start_axis=0):
    x = tensor_of(x)
    return reshape(x, x.shape[:start_axis] + (-1,))


@accepts_dim
def concatenate(tensors, axis=0):
    tensors = list(tensors)
    return shape_ops.Concatenate.apply(*tensors, axis=axis)


@accepts_dim
def stack(tensors, axis=0):
    tensors = list(tensors)
    return shape_ops.Stack.apply(*tensors, axis=axis)


@accepts_dim
def split(x, indices_or_sections, axis=0):
    """NumPy's split: a number of equal sections, or the indices where to cut."""
    x = tensor_of(x)
    axis = reduce.normalize_axis(axis, x.ndim)[0]
    n = x.shape[axis]
    if isinstance(indices_or_sections, int | xp.integer) and not isinstance(indices_or_sections, bool):
        indices_or_sections = int(indices_or_sections)
        if indices_or_sections <= 0 or n % indices_or_sections:
            raise ValueError(
                f"split: axis {axis} of size {n} cannot be split into {indices_or_sections} equal sections"
            )
        step = n // indices_or_sections
        cuts = list(range(step, n, step))[: indices_or_sections - 1]
    else:
        cuts = list(indices_or_sections)
    bounds = [0, *cuts, n]
    lead = (slice(None),) * axis
    return [x[lead + (slice(lo, hi),)] for lo, hi in zip(bounds[:-1], bounds[1:])]


def pad(x, pad_width, mode="constant", constant_values=0):
    if mode != "constant":
        raise ValueError(f"pad: only mode='constant' is differentiable here, got mode={mode!r}")
    x = tensor_of(x)
    if x.ndim == 0:
        raise ValueError("pad: a 0-d tensor (shape ()) has no axis to pad; reshape it first, "
                         "e.g. x.reshape(1)")
    try:
        kind = xp.asarray(pad_width.data if isinstance(pad_width, Tensor) else pad_width).dtype.kind
    except ValueError:  # ragged nesting
        kind = "O"
    if kind not in "iu":
        raise TypeError(f"pad: pad_width must be integers (an int, a (before, after) pair, or one "
                        f"pair per axis), got {pad_width!r}")
    return shape_ops.Pad.apply(x, pad_width=pad_width, constant_values=constant_values)
