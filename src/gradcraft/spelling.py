"""PyTorch's spellings of NumPy's arguments: `dim=` for `axis=`, `keepdim=` for `keepdims=`.

Arrays speak NumPy, and course code written for PyTorch should run too, so every function and
Tensor method that takes `axis` / `keepdims` also takes `dim` / `keepdim` (`@accepts_dim`).
Giving both spellings of one argument is an error, not a silent choice. A function whose
*result* differs with PyTorch's spelling (`max(dim=)` / `min(dim=)` return (values, indices),
as `torch.max`) reads `dim` itself instead; see `gradcraft.ops.functions.reductions`.
"""

from __future__ import annotations

import functools

__all__ = ["accepts_dim", "merge", "either"]

_SPELLINGS = (("dim", "axis"), ("keepdim", "keepdims"))


def _both_given(function: str, numpy_name: str, torch_name: str) -> TypeError:
    return TypeError(f"{function}: got both {numpy_name}= and {torch_name}= (PyTorch's spelling "
                     f"of {numpy_name}); give one")


def either(function: str, numpy_name: str, value, torch_name: str, torch_value, default=None,
           missing=None):
    """One argument given under NumPy's name (`value`, `default` when not given) or PyTorch's
    (`torch_value`, `missing` when not given): the one given. For the names `accepts_dim`
    does not cover (`dims=`, `end=`, `steps=`, `generator=`...) and for functions that read
    `dim` themselves. Both given: TypeError naming both."""
    if torch_value is missing:
        return value
    if value is not default and value != default:
        raise _both_given(function, numpy_name, torch_name)
    return torch_value


def merge(kwargs: dict, function: str) -> dict:
    """`kwargs` with `dim`/`keepdim` renamed to `axis`/`keepdims` (in place; also returned)."""
    for torch_name, numpy_name in _SPELLINGS:
        if torch_name in kwargs:
            if numpy_name in kwargs:
                raise _both_given(function, numpy_name, torch_name)
            kwargs[numpy_name] = kwargs.pop(torch_name)
    return kwargs


def accepts_dim(fn):
    """Let `fn(..., axis=, keepdims=)` be called as `fn(..., dim=, keepdim=)` too.

    A positional axis stays positional (`x.sum(1)`); a positional argument and the keyword of
    the same parameter is Python's own TypeError ("multiple values for argument 'axis'")."""
    name = fn.__name__

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if kwargs and ("dim" in kwargs or "keepdim" in kwargs):
            merge(kwargs, name)
        return fn(*args, **kwargs)

    return wrapper
