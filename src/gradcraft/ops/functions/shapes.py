"""Shape and joining: reshape, transpose, broadcast, squeeze, flatten, concatenate (cat), stack, split, pad."""

from __future__ import annotations

import itertools

import math

from ...backend import xp
from ...spelling import accepts_dim, either
from ...tensor import Tensor
from ...validation import check_choice, check_int
from .. import reduce
from .. import shape as shape_ops
from .arguments import shape_args, tensor_of


__all__ = ['reshape', 'transpose', 'swapaxes', 'permute', 'broadcast_to', 'expand', 'squeeze', 'unsqueeze', 'flatten', 'concatenate', 'stack', 'split', 'pad', 'expand_dims', 'cat']

def reshape(x, *shape):
    return shape_ops.Reshape.apply(tensor_of(x), shape=shape_args(shape))


def transpose(x, *axes, dim0=None, dim1=None):
    """NumPy's transpose (no axes: all reversed; else a permutation, `x.transpose(2, 0, 1)` or
    `x.transpose((1, 0))`), and PyTorch's `transpose(dim0, dim1)`: two axes given as two
    numbers are swapped. The spellings agree except on a 2-D tensor's `transpose(0, 1)`,
    NumPy's identity permutation, which no one writes to mean nothing: here it swaps, as in
    PyTorch (so ported code cannot silently keep a matrix untransposed). The tuple form
    `transpose((0, 1))` stays NumPy's permutation."""
    if dim0 is not None or dim1 is not None:
        if axes or dim0 is None or dim1 is None:
            raise TypeError(f"transpose: give dim0= and dim1= together and no positional axes, "
                            f"got axes={axes}, dim0={dim0!r}, dim1={dim1!r}")
        axes = (dim0, dim1)
    if len(axes) == 2:
        return swapaxes(x, *axes)
    axes = shape_args(axes, "transpose: axes") if axes else None
    return shape_ops.Transpose.apply(tensor_of(x), axes=axes)


def swapaxes(x, axis1, axis2):
    """NumPy's swapaxes (PyTorch's transpose(dim0, dim1)): axes `axis1` and `axis2` exchanged."""
    x = tensor_of(x)
    axis1, axis2 = check_int(axis1, "axis1"), check_int(axis2, "axis2")
    if x.ndim == 0:  # as torch: the two "axes" of a 0-d tensor name the tensor itself
        reduce.normalize_axis(axis1, 0, "axis1"), reduce.normalize_axis(axis2, 0, "axis2")
        return shape_ops.Transpose.apply(x, axes=())
    first = reduce.normalize_axis(axis1, x.ndim, "axis1")[0]
    second = reduce.normalize_axis(axis2, x.ndim, "axis2")[0]
    order = list(range(x.ndim))
    order[first], order[second] = second, first
    return shape_ops.Transpose.apply(x, axes=tuple(order))


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


def flatten(x, start_axis=0, end_axis=-1, *, start_dim=None, end_dim=None):
    """Axes `start_axis` .. `end_axis` (inclusive) merged into one: PyTorch's flatten
    (`start_dim=`/`end_dim=` are its names). The defaults flatten everything, as NumPy's
    `ndarray.flatten()`; a 0-d tensor becomes shape (1,), as in both."""
    x = tensor_of(x)
    start = either("flatten", "start_axis", start_axis, "start_dim", start_dim, default=0)
    end = either("flatten", "end_axis", end_axis, "end_dim", end_dim, default=-1)
    ndim = max(x.ndim, 1)
    start = reduce.normalize_axis(check_int(start, "flatten: start_axis"), ndim, "start_axis")[0]
    end = reduce.normalize_axis(check_int(end, "flatten: end_axis"), ndim, "end_axis")[0]
    if start > end:
        raise ValueError(f"flatten: start_axis={start_axis if start_dim is None else start_dim} comes "
                         f"after end_axis={end_axis if end_dim is None else end_dim} for shape {x.shape}")
    if x.ndim == 0:
        return reshape(x, (1,))
    merged = math.prod(x.shape[start:end + 1])  # not -1: NumPy cannot infer it for a size-0 shape
    return reshape(x, x.shape[:start] + (merged,) + x.shape[end + 1:])


@accepts_dim
def concatenate(tensors, axis=0):
    tensors = list(tensors)
    return shape_ops.Concatenate.apply(*tensors, axis=axis)


@accepts_dim
def stack(tensors, axis=0):
    tensors = list(tensors)
    return shape_ops.Stack.apply(*tensors, axis=axis)


def split(x, indices_or_sections, axis=None, *, dim=None):
    """NumPy's split along `axis` (default 0): `n` equal sections, or the indices where to cut.
    With PyTorch's spelling `dim=`, PyTorch's split: `n` is the size of each piece (the last
    may be smaller), a list is the sizes of the pieces (summing to the axis' length)."""
    x = tensor_of(x)
    if dim is not None:
        dim = either("split", "axis", axis, "dim", dim)
        return _split_sizes(x, indices_or_sections, reduce.normalize_axis(dim, x.ndim, "dim")[0])
    axis = reduce.normalize_axis(0 if axis is None else axis, x.ndim)[0]
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
    return _pieces(x, axis, cuts)


def _split_sizes(x, split_size_or_sections, axis):
    """torch.split: pieces of `split_size_or_sections` elements, or of the sizes listed."""
    n = x.shape[axis]
    if isinstance(split_size_or_sections, int | xp.integer) and not isinstance(split_size_or_sections, bool):
        size = check_int(split_size_or_sections, "split_size", low=1 if n else 0)
        sizes = [size] * (n // size) + ([n % size] if n % size else []) if size else [0]
    else:
        sizes = [check_int(s, "split sizes", low=0) for s in split_size_or_sections]
        if sum(sizes) != n:
            raise ValueError(f"split: sizes {sizes} must sum to the length {n} of dim {axis}")
    cuts = list(itertools.accumulate(sizes))[:-1]
    return _pieces(x, axis, cuts)


def _pieces(x, axis, cuts):
    bounds = [0, *cuts, x.shape[axis]]
    lead = (slice(None),) * axis
    return [x[lead + (slice(lo, hi),)] for lo, hi in zip(bounds[:-1], bounds[1:])]


#: pad modes: NumPy's names, and PyTorch's names for the same thing
_PAD_MODES = {"constant": "constant", "reflect": "reflect", "edge": "edge",
              "replicate": "edge", "wrap": "wrap", "circular": "wrap"}


def pad(x, pad_width, mode="constant", constant_values=0):
    """NumPy's `np.pad(x, pad_width, mode, constant_values)`, differentiable.

    `pad_width`: an int, a (before, after) pair, or one pair per axis (NumPy's format; PyTorch's
    flat last-axis-first list is `gradcraft.functional.pad`). Modes: 'constant', 'reflect'
    (mirror without the edge), 'edge' (PyTorch's 'replicate' is accepted as a name for it) and
    'wrap' (also 'circular'). 'reflect' and 'wrap' wider than the axis repeat the pattern, as
    NumPy's do (PyTorch's F.pad refuses). Negative widths crop (PyTorch's F.pad allows it,
    NumPy refuses), for 'constant' only.
    """
    mode = _PAD_MODES[check_choice(mode, "pad: mode", tuple(_PAD_MODES))]
    x = tensor_of(x)
    if x.ndim == 0:
        raise ValueError("pad: a 0-d tensor (shape ()) has no axis to pad; reshape it first, "
                         "e.g. x.reshape(1)")
    try:
        widths = xp.asarray(pad_width.data if isinstance(pad_width, Tensor) else pad_width)
    except ValueError:  # ragged nesting
        widths = xp.asarray(None)
    if widths.dtype.kind not in "iu":
        raise TypeError(f"pad: pad_width must be integers (an int, a (before, after) pair, or one "
                        f"pair per axis), got {pad_width!r}")
    try:
        widths = xp.broadcast_to(widths.astype(int), (x.ndim, 2))
    except ValueError:
        raise ValueError(
            f"pad_width must be an int, a (before, after) pair, or one pair per axis of the "
            f"shape {x.shape}; got {pad_width}"
        ) from None
    if (widths < 0).any():
        if mode != "constant":
            raise ValueError(f"pad: negative pad_width (cropping) is allowed with mode='constant' "
                             f"only, got pad_width={pad_width} with mode={mode!r}")
        if any(n + lo + hi < 0 for n, (lo, hi) in zip(x.shape, widths)):
            raise ValueError(f"pad: pad_width={pad_width} crops more than the shape {x.shape} holds")
    elif mode != "constant":
        for axis, (n, (lo, hi)) in enumerate(zip(x.shape, widths)):
            if n == 0 and lo + hi > 0:
                raise ValueError(f"pad: cannot pad the empty axis {axis} of shape {x.shape} with "
                                 f"mode={mode!r}: there is nothing to copy")
    return shape_ops.Pad.apply(x, widths=widths, mode=mode, constant_values=constant_values)


@accepts_dim
def cat(tensors, axis=0):
    """PyTorch's name for `concatenate` (`dim=` or `axis=`)."""
    return concatenate(tensors, axis)
