"""NumPy's protocols on Tensor: what `np.asarray(t)`, `np.maximum(t, 0)`, `np.sum(t)` and
`array + t` do (`Tensor.__array__`, `__array_ufunc__` and `__array_function__` call these).

A NumPy function sees only the numbers, so on a tensor that requires grad it would silently cut
the graph: it raises instead, naming the gradcraft function to use (PyTorch refuses `.numpy()` on
such a tensor too). NumPy's arithmetic operators are the exception: NumPy routes
`ndarray <op> tensor` through `__array_ufunc__`, and those build the graph like `tensor <op>
ndarray`. Comparisons give boolean tensors; metadata functions (np.shape, ...) always work.
"""

from __future__ import annotations

import importlib

from . import autograd
from .backend import xp
from .ops import binary as _binary
from .ops import elementwise as _ew
from .ops import linalg as _linalg
from .tensor import Tensor, as_tensor

__all__ = ["array", "array_ufunc", "array_function", "refuse"]

# Boolean or integer results (comparisons, logical and bitwise operators): no gradient to cut.
_NON_DIFFERENTIABLE_UFUNCS = (xp.less, xp.less_equal, xp.greater, xp.greater_equal, xp.equal,
                              xp.not_equal, xp.bitwise_and, xp.bitwise_or, xp.bitwise_xor,
                              xp.logical_and, xp.logical_or, xp.logical_xor)
# NumPy's names that gradcraft spells differently.
_GRADCRAFT_NAMES = {"absolute": "abs", "true_divide": "divide", "amax": "max", "amin": "min"}
# Functions that only read the metadata: fine on a tensor that requires grad.
_METADATA_FUNCTIONS = (xp.shape, xp.ndim, xp.size)


def refuse(what: str, use: str = "gradcraft's functions (gradcraft.maximum, .relu, .exp, .sum, ...)"):
    """Raise for NumPy given a tensor that requires grad (`what`: the call; `use`: the remedy)."""
    raise RuntimeError(
        f"{what} on a tensor that requires grad: NumPy would see only its numbers and silently "
        f"cut the graph (no gradient would arrive). Use {use} to stay differentiable, or "
        "x.detach().numpy() / x.data for the numbers")


def array(tensor: Tensor, dtype=None, copy=None):
    """NumPy's conversion protocol: the data itself unless a copy is asked for or needed."""
    if tensor.requires_grad:
        refuse("np.asarray() / np.array()")
    data = tensor.data
    if dtype is not None and dtype != data.dtype:
        if copy is False:
            raise ValueError(f"converting a {data.dtype} tensor to {dtype} needs a copy")
        return data.astype(dtype)
    return data.copy() if copy else data


def _operator_op(ufunc):
    """The op of the ufuncs NumPy's arithmetic operators call (`ndarray <op> tensor`, or
    np.add(...) called directly, which looks the same): they build the graph."""
    return {xp.add: _ew.Add, xp.subtract: _ew.Sub, xp.multiply: _ew.Mul, xp.true_divide: _ew.Div,
            xp.power: _ew.Pow, xp.matmul: _linalg.MatMul, xp.remainder: _binary.Remainder,
            xp.floor_divide: _binary.FloorDivide}.get(ufunc)


def array_ufunc(ufunc, method, inputs, kwargs):
    if method == "__call__" and not kwargs:
        op = _operator_op(ufunc)
        if op is not None:
            return op.apply(*inputs)
        if ufunc in _NON_DIFFERENTIABLE_UFUNCS:
            return Tensor._from_op(xp.asarray(ufunc(*[as_tensor(x).data for x in inputs])), None)
    found = []
    arrays = _unwrap(inputs, found)
    out = kwargs.get("out", ())  # NumPy hands `out` over as a tuple
    kwargs = _unwrap(kwargs, found)
    if found:
        _refuse_function(ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}")
    result = getattr(ufunc, method)(*arrays, **kwargs)
    written = [t for t in out if isinstance(t, Tensor)]
    if not written:
        return result
    for t in written:  # changed in place: count it, like the in-place operators
        autograd.bump_version(t)
    return out[0] if len(out) == 1 else out


def array_function(func, args, kwargs):
    found = []
    args, kwargs = _unwrap(args, found), _unwrap(kwargs, found)
    if found and func not in _METADATA_FUNCTIONS:
        _refuse_function(func.__name__)
    return func(*args, **kwargs)


def _unwrap(value, found: list):
    """`value` with every Tensor (also inside lists, tuples, dicts) replaced by its data;
    tensors that require grad are appended to `found`."""
    if isinstance(value, Tensor):
        if value.requires_grad:
            found.append(value)
        return value.data
    if isinstance(value, list | tuple):
        return type(value)(_unwrap(v, found) for v in value)
    if isinstance(value, dict):
        return {k: _unwrap(v, found) for k, v in value.items()}
    return value


def _refuse_function(name: str):
    alias = _GRADCRAFT_NAMES.get(name, name)
    # Only on this error path, so NumPy's protocol never depends on the package's namespace.
    if callable(getattr(importlib.import_module("gradcraft"), alias, None)):
        refuse(f"np.{name}()", use=f"gradcraft.{alias}(...)")
    refuse(f"np.{name}()")
