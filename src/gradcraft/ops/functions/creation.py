"""Making tensors: zeros, ones, empty, full, eye, arange, linspace, the `_like` forms, random
draws (rand, randn, randint, normal) and from_numpy.

NumPy's names and arguments, and PyTorch's forms where they differ: a shape given as
`zeros(2, 3)` or `zeros((2, 3))`, `generator=` beside this library's `rng=`, `steps=` for
linspace, `randint(high, size)`. Floating results default to float32 (`backend.default_float`,
PyTorch's default too; NumPy's is float64), integer ones to int64. A result is a leaf, outside
any graph; `requires_grad=True` makes it a leaf that requires grad (floating dtypes only).
"""

from __future__ import annotations

import numbers

from ... import devices
from ...backend import default_float, xp
from ...random import as_generator
from ...spelling import either
from ...tensor import Tensor
from ...validation import check_bool, check_float_dtype, check_int, check_real, describe
from .arguments import shape_args

__all__ = ["zeros", "ones", "empty", "full", "eye", "arange", "linspace", "zeros_like", "ones_like",
           "empty_like", "full_like", "rand", "randn", "randint", "normal", "from_numpy"]


def _leaf(array, requires_grad, device=None) -> Tensor:
    """The new tensor; `device` (PyTorch's argument) must name the CPU (`gradcraft.device`)."""
    if device is not None:
        devices.device(device)  # refuses 'cuda', 'mps', ... naming the device
    out = Tensor._from_op(array, None)
    if check_bool(requires_grad, "requires_grad"):
        out.requires_grad_(True)  # refuses a non-floating dtype, as PyTorch
    return out


def _dtype(dtype, default=default_float):
    """`dtype` as a NumPy dtype; None is the default (float32)."""
    if dtype is None:
        return xp.dtype(default)
    try:
        return xp.dtype(dtype)
    except (TypeError, ValueError):
        raise TypeError(f"dtype must be a NumPy dtype such as numpy.float32, got {describe(dtype)}") from None


def _shape(size, name, shape=None, size_keyword=None):
    """The shape given positionally (`f(2, 3)` or `f((2, 3))`) or as NumPy's `shape=` or
    PyTorch's `size=` keyword (one of them)."""
    given = [s for s in (size or None, shape, size_keyword) if s is not None]
    if len(given) > 1:
        raise TypeError(f"{name}: give the shape once (positionally, shape= or size=)")
    if shape is not None or size_keyword is not None:
        size = (given[0],)
    shape = shape_args(size, f"{name}: shape")
    for n in shape:
        check_int(n, f"{name}: shape", low=0)
    return shape


# ----------------------------------------------------------------------------- filled
def zeros(*dims, shape=None, size=None, dtype=None, requires_grad=False, device=None) -> Tensor:
    """NumPy's `zeros(shape, dtype)`; `zeros(2, 3)` as PyTorch. float32 unless `dtype=`."""
    return _leaf(xp.zeros(_shape(dims, "zeros", shape, size), dtype=_dtype(dtype)), requires_grad, device)


def ones(*dims, shape=None, size=None, dtype=None, requires_grad=False, device=None) -> Tensor:
    """NumPy's `ones(shape, dtype)`; `ones(2, 3)` as PyTorch. float32 unless `dtype=`."""
    return _leaf(xp.ones(_shape(dims, "ones", shape, size), dtype=_dtype(dtype)), requires_grad, device)


def empty(*dims, shape=None, size=None, dtype=None, requires_grad=False, device=None) -> Tensor:
    """NumPy's `empty(shape, dtype)`: values not set (whatever the memory held)."""
    return _leaf(xp.empty(_shape(dims, "empty", shape, size), dtype=_dtype(dtype)), requires_grad, device)


def _fill_dtype(fill_value, dtype):
    """PyTorch's rule for `full`: a bool fill gives bool, an int int64, a float float32."""
    if dtype is not None:
        return _dtype(dtype)
    if isinstance(fill_value, bool | xp.bool_):
        return xp.dtype(bool)
    if isinstance(fill_value, numbers.Integral):
        return xp.dtype(xp.int64)
    if isinstance(fill_value, numbers.Real):
        return xp.dtype(default_float)
    raise TypeError(f"fill_value must be a number, got {describe(fill_value)}")


def full(shape, fill_value, dtype=None, requires_grad=False, device=None) -> Tensor:
    """NumPy's `full(shape, fill_value, dtype)` (PyTorch's `full(size, fill_value)`). The dtype
    follows the fill as in PyTorch: bool, int64 for an int, float32 for a float."""
    shape = _shape((shape,), "full")
    return _leaf(xp.full(shape, fill_value, dtype=_fill_dtype(fill_value, dtype)), requires_grad, device)


def eye(N, M=None, k=0, dtype=None, requires_grad=False, device=None) -> Tensor:
    """NumPy's `eye(N, M=None, k=0, dtype)` (PyTorch's `eye(n, m)`): ones on diagonal `k`."""
    N = check_int(N, "eye: N", low=0)
    M = N if M is None else check_int(M, "eye: M", low=0)
    k = check_int(k, "eye: k")
    return _leaf(xp.eye(N, M, k, dtype=_dtype(dtype)), requires_grad, device)


# ----------------------------------------------------------------------------- ranges
def _number(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {describe(value)}")
    return value


def arange(start, stop=None, step=1, dtype=None, requires_grad=False, device=None, *, end=None) -> Tensor:
    """NumPy's `arange([start,] stop[, step])` (PyTorch's `end=` names stop). int64 when every
    bound is an int, float32 otherwise (as PyTorch), unless `dtype=`."""
    stop = either("arange", "stop", stop, "end", end)
    if stop is None:
        start, stop = 0, start
    values = [_number(v, f"arange: {n}") for v, n in ((start, "start"), (stop, "stop"), (step, "step"))]
    if values[2] == 0:
        raise ValueError("arange: step must not be 0")
    integral = all(isinstance(v, numbers.Integral) for v in values)
    kind = _dtype(dtype, xp.int64 if integral else default_float)
    # computed in float64 (or exact ints), then cast: float32 steps would drift
    array = xp.arange(*values, dtype=xp.int64 if integral else xp.float64)
    return _leaf(array.astype(kind, copy=False), requires_grad, device)


def linspace(start, stop=None, num=50, endpoint=True, dtype=None, requires_grad=False, device=None, *,
             end=None, steps=None) -> Tensor:
    """NumPy's `linspace(start, stop, num=50, endpoint=True)`; PyTorch's `linspace(start, end,
    steps)` too (`steps=`, `end=`). float32 unless `dtype=`."""
    stop = either("linspace", "stop", stop, "end", end)
    if stop is None:
        raise TypeError("linspace: missing the argument stop (or PyTorch's end)")
    num = either("linspace", "num", num, "steps", steps, default=50)
    start = check_real(start, "linspace: start")
    stop = check_real(stop, "linspace: stop")
    num = check_int(num, "linspace: num", low=0)
    endpoint = check_bool(endpoint, "linspace: endpoint")
    array = xp.linspace(start, stop, num, endpoint=endpoint, dtype=xp.float64)
    return _leaf(array.astype(_dtype(dtype), copy=False), requires_grad, device)


# ----------------------------------------------------------------------------- _like
def _like(x):
    data = x.data if isinstance(x, Tensor) else xp.asarray(x)
    return data


def zeros_like(x, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Zeros of `x`'s shape and dtype (or `dtype=`)."""
    data = _like(x)
    return _leaf(xp.zeros(data.shape, dtype=_dtype(dtype, data.dtype)), requires_grad, device)


def ones_like(x, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Ones of `x`'s shape and dtype (or `dtype=`)."""
    data = _like(x)
    return _leaf(xp.ones(data.shape, dtype=_dtype(dtype, data.dtype)), requires_grad, device)


def empty_like(x, dtype=None, requires_grad=False, device=None) -> Tensor:
    """An unset tensor of `x`'s shape and dtype (or `dtype=`)."""
    data = _like(x)
    return _leaf(xp.empty(data.shape, dtype=_dtype(dtype, data.dtype)), requires_grad, device)


def full_like(x, fill_value, dtype=None, requires_grad=False, device=None) -> Tensor:
    """`fill_value` in `x`'s shape and dtype (or `dtype=`), as NumPy and PyTorch (the fill is
    cast: full_like of an int tensor with 2.5 holds 2)."""
    data = _like(x)
    _number(fill_value, "full_like: fill_value")
    return _leaf(xp.full(data.shape, fill_value, dtype=_dtype(dtype, data.dtype)), requires_grad, device)


# ----------------------------------------------------------------------------- random
def _generator(rng, generator, name):
    """The Generator to draw from: `generator=` (PyTorch's name) or `rng=` (a Generator or an
    int seed), else the default generator (`gradcraft.manual_seed` re-seeds it)."""
    return as_generator(either(name, "rng", rng, "generator", generator))


def _float_dtype(dtype, name):
    return xp.dtype(default_float) if dtype is None else check_float_dtype(dtype, f"{name}: dtype")


def rand(*dims, size=None, dtype=None, requires_grad=False, device=None, rng=None, generator=None) -> Tensor:
    """Uniform draws in [0, 1) of the given shape (`rand(2, 3)` or `rand((2, 3))`), float32."""
    shape = _shape(dims, "rand", size_keyword=size)
    kind = _float_dtype(dtype, "rand")
    draws = _generator(rng, generator, "rand").random(shape, dtype=xp.float64)
    return _leaf(draws.astype(kind, copy=False), requires_grad, device)


def randn(*dims, size=None, dtype=None, requires_grad=False, device=None, rng=None, generator=None) -> Tensor:
    """Standard normal draws of the given shape (`randn(2, 3)` or `randn((2, 3))`), float32."""
    shape = _shape(dims, "randn", size_keyword=size)
    kind = _float_dtype(dtype, "randn")
    draws = _generator(rng, generator, "randn").standard_normal(shape)
    return _leaf(draws.astype(kind, copy=False), requires_grad, device)


def randint(low, high=None, size=None, dtype=None, *, rng=None, generator=None,
            device=None) -> Tensor:
    """Integers drawn uniformly from [low, high): NumPy's `randint(low, high=None, size=None)`
    (one bound: [0, low)) and PyTorch's `randint(high, size)` / `randint(low, high, size)`.
    int64 unless `dtype=` (an integer dtype). `size=None` draws one number (shape ())."""
    if size is None and isinstance(high, tuple | list):  # PyTorch's randint(high, size)
        high, size = None, high
    if high is None:
        low, high = 0, low
    low = check_int(low, "randint: low")
    high = check_int(high, "randint: high")
    if high <= low:
        raise ValueError(f"randint: high must be > low, got low={low}, high={high}")
    shape = () if size is None else _shape((size,), "randint")
    kind = _dtype(dtype, xp.int64)
    if kind.kind not in "iu":
        raise ValueError(f"randint: dtype must be an integer dtype such as numpy.int64, got {kind}")
    draws = _generator(rng, generator, "randint").integers(low, high, shape, dtype=xp.int64)
    return _leaf(draws.astype(kind, copy=False), False, device)


def normal(mean=0.0, std=1.0, size=None, dtype=None, requires_grad=False, device=None, *, loc=None,
           scale=None, rng=None, generator=None) -> Tensor:
    """Normal draws: PyTorch's `normal(mean, std, size)` and NumPy's `normal(loc, scale, size)`
    (`loc=`/`scale=` are accepted). `mean` and `std` may be arrays or tensors (broadcast, no
    gradient flows to them); `size=None` takes their broadcast shape. float32 unless `dtype=`,
    or float64 when a mean or std tensor is float64."""
    if loc is not None:
        mean = loc
    if scale is not None:
        std = scale
    mean = mean.data if isinstance(mean, Tensor) else xp.asarray(mean)
    std = std.data if isinstance(std, Tensor) else xp.asarray(std)
    for value, name in ((mean, "mean"), (std, "std")):
        if value.dtype.kind not in "iuf":
            raise TypeError(f"normal: {name} must be a number or a real array, got {value.dtype}")
    if (std < 0).any():
        raise ValueError(f"normal: std must be >= 0, got {std if std.ndim == 0 else 'a negative entry'}")
    shape = xp.broadcast_shapes(mean.shape, std.shape) if size is None else _shape((size,), "normal")
    floats = [v.dtype for v in (mean, std) if v.dtype.kind == "f" and v.ndim]
    default = xp.result_type(*floats) if floats else default_float
    kind = check_float_dtype(dtype, "normal: dtype") if dtype is not None else xp.dtype(default)
    draws = _generator(rng, generator, "normal").normal(mean.astype(xp.float64), std.astype(xp.float64), shape)
    return _leaf(xp.asarray(draws).astype(kind, copy=False), requires_grad, device)


# ----------------------------------------------------------------------------- from_numpy
def from_numpy(array) -> Tensor:
    """PyTorch's `from_numpy`: a tensor sharing `array`'s memory and dtype (writing into one
    changes the other); not a copy, unlike `gradcraft.tensor`."""
    if not isinstance(array, xp.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {describe(array)}")
    return Tensor._from_op(array, None)
