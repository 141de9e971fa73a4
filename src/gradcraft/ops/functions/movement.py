"""Moving elements: flip, roll, diag, diagonal, tile, repeat, chunk, unfold, meshgrid, tril, triu.

NumPy's names and arguments, and PyTorch's spellings where they differ (`dims=`, `shifts=`,
`dim1=`, `diagonal=`). One trap: NumPy's `repeat` repeats each element (PyTorch's
`repeat_interleave`), while PyTorch's `Tensor.repeat(*sizes)` tiles the whole tensor. Arrays
speak NumPy here: `gradcraft.repeat` and `Tensor.repeat` are NumPy's, `repeat_interleave` is
the same op under PyTorch's name, and PyTorch's tiling is `tile`.
"""

from __future__ import annotations

import numbers

from ...backend import xp
from ...spelling import accepts_dim, either
from ...tensor import Tensor
from ...validation import check_choice, check_int, describe
from .. import movement as moves
from ..reduce import normalize_axis
from .arguments import check_axis, shape_args, tensor_of
from .shapes import broadcast_to, reshape

__all__ = ["flip", "roll", "diag", "diagonal", "tile", "repeat", "repeat_interleave", "chunk",
           "unfold", "meshgrid", "tril", "triu"]


def _axes(axis, ndim, name):
    """A tuple of distinct axes in range (an int or a sequence of ints)."""
    check_axis(axis, name)
    return normalize_axis(axis, ndim, name)


# ----------------------------------------------------------------------------- flip and roll
@accepts_dim
def flip(x, axis=None, *, dims=None):
    """NumPy's `flip(m, axis=None)` (None: every axis); PyTorch's `flip(input, dims)` too."""
    x = tensor_of(x)
    axis = either("flip", "axis", axis, "dims", dims)
    axes = _axes(axis, x.ndim, "flip: axis")
    return moves.Flip.apply(x, axes=axes)


@accepts_dim
def roll(x, shift=None, axis=None, *, shifts=None, dims=None):
    """NumPy's `roll(a, shift, axis=None)` (None: the flattened tensor, shape kept);
    PyTorch's `roll(input, shifts, dims)` too. `shift` and `axis` may be tuples of equal
    length; one shift with several axes rolls each by it (NumPy broadcasts them)."""
    x = tensor_of(x)
    shift = either("roll", "shift", shift, "shifts", shifts)
    axis = either("roll", "axis", axis, "dims", dims)
    if shift is None:
        raise TypeError("roll: missing the argument shift (or PyTorch's shifts)")
    many = isinstance(shift, tuple | list)
    shift_values = tuple(check_int(s, "roll: shift") for s in (shift if many else (shift,)))
    if axis is None:
        if many:
            raise ValueError(f"roll: several shifts {tuple(shift)} need as many axes, got axis=None")
        return moves.Roll.apply(x, shifts=shift_values[0], axes=None)
    check_axis(axis, "roll: axis")
    axes = tuple(axis) if isinstance(axis, tuple | list) else (axis,)
    for a in axes:
        normalize_axis(a, x.ndim, "roll: axis")
    axes = tuple(int(a) % max(x.ndim, 1) for a in axes)
    if len(shift_values) == 1:
        shift_values = shift_values * len(axes)
    if len(shift_values) != len(axes):
        raise ValueError(f"roll: shift {shift} and axis {axis} must have the same length")
    return moves.Roll.apply(x, shifts=shift_values, axes=axes)


# ----------------------------------------------------------------------------- diagonals
def diag(x, k=0, *, diagonal=None):
    """NumPy's `diag(v, k=0)`: a 1-D tensor becomes the square matrix with it on diagonal `k`
    (above the main one for k > 0), a 2-D tensor gives its diagonal `k` (a copy).
    PyTorch's `diag(input, diagonal=0)` is the same function."""
    x = tensor_of(x)
    k = check_int(either("diag", "k", k, "diagonal", diagonal, default=0), "diag: k")
    if x.ndim == 1:
        return moves.DiagMatrix.apply(x, k=k)
    if x.ndim == 2:
        return moves.Diagonal.apply(x, offset=k, axis1=0, axis2=1)
    raise ValueError(f"diag: the input must be 1-D or 2-D, got shape {x.shape}")


def diagonal(x, offset=0, axis1=0, axis2=1, *, dim1=None, dim2=None):
    """NumPy's `diagonal(a, offset=0, axis1=0, axis2=1)` (PyTorch's `dim1=`/`dim2=` too): the
    diagonal of the (axis1, axis2) planes, as the last axis. A copy, not a view (NumPy's is a
    read-only view, PyTorch's a view)."""
    x = tensor_of(x)
    offset = check_int(offset, "diagonal: offset")
    axis1 = check_int(either("diagonal", "axis1", axis1, "dim1", dim1, default=0), "diagonal: axis1")
    axis2 = check_int(either("diagonal", "axis2", axis2, "dim2", dim2, default=1), "diagonal: axis2")
    if x.ndim < 2:
        raise ValueError(f"diagonal: the input needs at least 2 dimensions, got shape {x.shape}")
    a1 = normalize_axis(axis1, x.ndim, "diagonal: axis1")[0]
    a2 = normalize_axis(axis2, x.ndim, "diagonal: axis2")[0]
    if a1 == a2:
        raise ValueError(f"diagonal: axis1={axis1} and axis2={axis2} are the same axis")
    return moves.Diagonal.apply(x, offset=offset, axis1=a1, axis2=a2)


# ----------------------------------------------------------------------------- tile and repeat
def tile(x, reps, *more):
    """NumPy's `tile(A, reps)` (= PyTorch's `tile(dims)` and `Tensor.repeat(*sizes)`): the whole
    tensor copied `reps[d]` times along axis d. `tile(x, 2, 3)` is `tile(x, (2, 3))`."""
    x = tensor_of(x)
    reps = shape_args((reps, *more), "tile: reps")
    for r in reps:
        check_int(r, "tile: reps", low=0)
    return moves.Tile.apply(x, reps=reps)


@accepts_dim
def repeat(x, repeats, axis=None):
    """NumPy's `repeat(a, repeats, axis=None)` = PyTorch's `repeat_interleave`: each element
    `repeats` times in a row (an int, or one count per element along the axis); axis=None
    repeats the flattened tensor. Not PyTorch's `Tensor.repeat`, which tiles: see `tile`."""
    x = tensor_of(x)
    if axis is not None:
        check_axis(axis, "repeat: axis")
        if not isinstance(axis, int | xp.integer):
            raise TypeError(f"repeat: axis must be None or an int, got {describe(axis)}")
        axis = normalize_axis(axis, max(x.ndim, 1), "repeat: axis")[0]
        if x.ndim == 0:
            axis = None
    n = x.size if axis is None else x.shape[axis]
    if isinstance(repeats, Tensor):
        repeats = repeats.data
    if isinstance(repeats, xp.ndarray) and repeats.ndim == 0:
        repeats = repeats[()]  # a NumPy scalar: check_int takes NumPy integers
    if isinstance(repeats, numbers.Number):
        counts = check_int(repeats, "repeat: repeats", low=0)
    else:
        counts = xp.asarray(repeats)
        if counts.dtype.kind not in "iu" or counts.ndim != 1:
            raise TypeError(f"repeat: repeats must be an int or a 1-D sequence of ints, got {repeats!r}")
        if (counts < 0).any():
            raise ValueError(f"repeat: repeats must be non-negative, got {repeats!r}")
        if len(counts) == 1:
            counts = int(counts[0])
        elif len(counts) != n:
            raise ValueError(f"repeat: repeats has {len(counts)} counts for the {n} elements along "
                             f"{'the flattened tensor' if axis is None else f'axis {axis}'}")
    return moves.Repeat.apply(x, repeats=counts, axis=axis)


@accepts_dim
def repeat_interleave(x, repeats, axis=None):
    """PyTorch's `repeat_interleave(input, repeats, dim=None)`: NumPy's `repeat`."""
    return repeat(x, repeats, axis)


# ----------------------------------------------------------------------------- chunk and unfold
@accepts_dim
def chunk(x, chunks, axis=0):
    """PyTorch's `chunk(input, chunks, dim=0)`: pieces of ceil(n / chunks) along the axis, the
    last one smaller (so there may be fewer than `chunks`). A tuple of views (basic indexing)."""
    x = tensor_of(x)
    chunks = check_int(chunks, "chunk: chunks", low=1)
    if x.ndim == 0:
        raise ValueError("chunk: a 0-d tensor (shape ()) has no axis to cut")
    axis = normalize_axis(check_axis(axis, "chunk: axis"), x.ndim, "chunk: axis")[0]
    n = x.shape[axis]
    size = -(-n // chunks)
    lead = (slice(None),) * axis
    if n == 0:  # PyTorch: `chunks` empty pieces
        return tuple(x[lead + (slice(0, 0),)] for _ in range(chunks))
    return tuple(x[lead + (slice(lo, lo + size),)] for lo in range(0, n, size))


def unfold(x, dimension, size, step):
    """PyTorch's `Tensor.unfold(dimension, size, step)`: every window of `size` elements taken
    `step` apart along `dimension`, the window as a new last axis; (n - size) // step + 1
    windows. The gradient adds up where windows overlap. A copy (PyTorch's is a view)."""
    x = tensor_of(x)
    dimension = check_int(dimension, "unfold: dimension")
    size = check_int(size, "unfold: size", low=0)
    step = check_int(step, "unfold: step", low=1)
    normalize_axis(dimension, x.ndim, "unfold: dimension")  # in range (0 or -1 for 0-d)
    if x.ndim == 0:  # PyTorch: the one element is a window of size 1 (or an empty one)
        if size > 1:
            raise ValueError(f"unfold: size={size} is larger than the one element of a 0-d tensor")
        return reshape(x, (1,))[:size]
    dimension %= x.ndim
    if size > x.shape[dimension]:
        raise ValueError(f"unfold: size={size} is larger than dimension {dimension} of shape "
                         f"{x.shape} (size {x.shape[dimension]})")
    return moves.Unfold.apply(x, axis=dimension, size=size, step=step)


# ----------------------------------------------------------------------------- meshgrid
def meshgrid(*xs, indexing="xy"):
    """NumPy's `meshgrid(*xi, indexing='xy')`: coordinate tensors of the grid spanned by the
    (1-D, or flattened) inputs, a tuple. NumPy's default 'xy' swaps the first two output axes;
    'ij' is matrix indexing, the default of `torch.meshgrid` (which warns when `indexing=` is
    not given): code ported from PyTorch should pass indexing='ij'. A list of tensors as the
    only argument is accepted too (PyTorch)."""
    if len(xs) == 1 and isinstance(xs[0], list | tuple):
        xs = tuple(xs[0])
    indexing = check_choice(indexing, "meshgrid: indexing", ("xy", "ij"))
    flat = [reshape(tensor_of(v), (-1,)) for v in xs]
    count = len(flat)
    sizes = [v.shape[0] for v in flat]
    if indexing == "xy" and count >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    outputs = []
    for i, v in enumerate(flat):
        where = i
        if indexing == "xy" and count >= 2 and i < 2:
            where = 1 - i
        shape = [1] * count
        shape[where] = v.shape[0]
        outputs.append(broadcast_to(reshape(v, tuple(shape)), tuple(sizes)))
    return tuple(outputs)


# ----------------------------------------------------------------------------- triangles
def _triangle(name, x, k, diagonal, lower):
    x = tensor_of(x)
    k = check_int(either(name, "k", k, "diagonal", diagonal, default=0), f"{name}: k")
    if x.ndim < 2:
        raise ValueError(f"{name}: the input needs at least 2 dimensions (it works on the last "
                         f"two), got shape {x.shape}")
    return moves.Triangle.apply(x, k=k, lower=lower)


def tril(x, k=0, *, diagonal=None):
    """NumPy's `tril(m, k=0)` (PyTorch's `diagonal=`): zeros above diagonal `k` of the last two
    axes. NumPy's tril of a 1-D array (a broadcast matrix) is refused, as in PyTorch."""
    return _triangle("tril", x, k, diagonal, True)


def triu(x, k=0, *, diagonal=None):
    """NumPy's `triu(m, k=0)` (PyTorch's `diagonal=`): zeros below diagonal `k` of the last two
    axes."""
    return _triangle("triu", x, k, diagonal, False)
