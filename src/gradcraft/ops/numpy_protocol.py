"""NumPy's protocols on Tensor: what `np.maximum(t, 0)`, `np.sum(t)` and `array + t` do.

A NumPy function sees only the numbers, so on a tensor that requires grad it would silently cut
the graph: it raises instead, naming the gradcraft function to use (PyTorch refuses `.numpy()` on
such a tensor too). NumPy's arithmetic operators are the exception: NumPy routes
`ndarray <op> tensor` through `__array_ufunc__`, and those build the graph like `tensor <op>
ndarray`. Comparisons give boolean tensors; metadata functions (np.shape, ...) always work.
"""

from __future__ import annotations

from .. import tensor as _engine
from ..backend import xp
from ..tensor import Tensor
from . import api

# NumPy routes `ndarray <op> tensor` through `__array_ufunc__` once a class defines it: those
# operators (and np.add(...) called directly, which looks the same) build the graph.
_OPERATOR_UFUNCS = {xp.add: api.add, xp.subtract: api.subtract, xp.multiply: api.multiply,
                    xp.true_divide: api.divide, xp.power: api.power, xp.matmul: api.matmul}
_COMPARISON_UFUNCS = (xp.less, xp.less_equal, xp.greater, xp.greater_equal, xp.equal,
                      xp.not_equal)
_GRADCRAFT_NAMES = {"absolute": "abs", "true_divide": "divide", "amax": "max", "amin": "min"}
# Functions that only read the metadata: fine on a tensor that requires grad.
_METADATA_FUNCTIONS = (xp.shape, xp.ndim, xp.size)


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


def _refuse_numpy_function(name: str):
    alias = _GRADCRAFT_NAMES.get(name, name)
    if callable(getattr(api, alias, None)):
        _engine.refuse_numpy(f"np.{name}()", use=f"gradcraft.{alias}(...)")
    _engine.refuse_numpy(f"np.{name}()")


def array_ufunc(self, ufunc, method, *inputs, **kwargs):
    if method == "__call__" and not kwargs:
        if ufunc in _OPERATOR_UFUNCS:
            return _OPERATOR_UFUNCS[ufunc](*inputs)
        if ufunc in _COMPARISON_UFUNCS:  # a boolean result: no gradient to cut
            return Tensor._from_op(ufunc(*[api._tensor(x).data for x in inputs]), None)
    found = []
    arrays = _unwrap(inputs, found)
    out = kwargs.get("out", ())  # NumPy hands `out` over as a tuple
    kwargs = _unwrap(kwargs, found)
    if found:
        _refuse_numpy_function(ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}")
    result = getattr(ufunc, method)(*arrays, **kwargs)
    written = [t for t in out if isinstance(t, Tensor)]
    if not written:
        return result
    for t in written:  # changed in place: count it, like the in-place operators
        _engine.bump_version(t)
    return out[0] if len(out) == 1 else out


def array_function(self, func, types, args, kwargs):
    found = []
    args, kwargs = _unwrap(args, found), _unwrap(kwargs, found)
    if found and func not in _METADATA_FUNCTIONS:
        _refuse_numpy_function(func.__name__)
    return func(*args, **kwargs)
