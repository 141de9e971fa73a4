"""Gradient clipping, in place, as `torch.nn.utils.clip_grad_norm_` / `clip_grad_value_`."""

from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor
from ..validation import check_bool, check_real


def _grads(parameters) -> list[np.ndarray]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = []
    for p in parameters:
        if not isinstance(p, Tensor):
            raise TypeError(f"parameters must be Tensors/Parameters, got {type(p).__name__}")
        if p.grad is not None:
            grads.append(p.grad)
    return grads


def _norm_type(value) -> float:
    """A p > 0 as a float; like torch, the string 'inf' (any case, or 'infinity') means inf.
    Another string is a wrong value (a string is a valid type here), anything else not a real
    number a wrong type."""
    if isinstance(value, str):
        if value.strip().lower() not in ("inf", "infinity"):
            raise ValueError(f"norm_type must be a real number > 0 or 'inf', got {value!r}")
        return math.inf
    return check_real(value, "norm_type", low=0.0, low_open=True, finite=False)


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> float:
    """Scale all gradients together so their joint `norm_type`-norm is at most `max_norm`.

    The total norm is the norm of the vector of per-parameter norms (= the norm of all gradients
    concatenated); each gradient is multiplied by min(1, max_norm / (total + 1e-6)).
    Returns the total norm *before* clipping (a float). Parameters without a gradient are skipped.
    `norm_type` is p (a real > 0), or inf / 'inf' for the largest absolute value.
    """
    # max_norm = inf is allowed (it never scales), NaN is not
    max_norm = check_real(max_norm, "max_norm", low=0.0, finite=False)
    norm_type = _norm_type(norm_type)
    error_if_nonfinite = check_bool(error_if_nonfinite, "error_if_nonfinite")
    grads = _grads(parameters)
    if not grads:
        return 0.0
    if norm_type == math.inf:
        norms = [np.abs(g).max() if g.size else 0.0 for g in grads]
        total = float(max(norms))
    else:
        norms = [np.linalg.norm(g.ravel(), ord=norm_type) if g.size else 0.0 for g in grads]
        total = float(np.linalg.norm(np.array(norms, dtype=np.float64), ord=norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"the total norm of order {norm_type} of the gradients is {total}; "
                           "pass error_if_nonfinite=False to clip anyway")
    scale = min(max_norm / (total + 1e-6), 1.0)
    if scale < 1.0 or not math.isfinite(total):
        for g in grads:
            g *= scale
    return total


def clip_grad_value_(parameters, clip_value: float) -> None:
    """Clip every gradient element into [-clip_value, clip_value], in place."""
    clip_value = check_real(clip_value, "clip_value", low=0.0, finite=False)
    for g in _grads(parameters):
        np.clip(g, -clip_value, clip_value, out=g)
