"""Attention: `scaled_dot_product_attention` (PyTorch's `F.scaled_dot_product_attention`).

Composed of differentiable ops (matmul, softmax, where, dropout), whose hand-written backwards
give every gradient: query, key, value, and a float `attn_mask` that requires grad.
"""

from __future__ import annotations

import math

import numpy as np

from ..backend import xp
from ..ops.functions import matmul, transpose, where
from ..tensor import Tensor, as_tensor
from ..validation import check_bool, check_real
from .activations import softmax
from .layers import dropout

__all__ = ["scaled_dot_product_attention"]


def swap_last_two(x: Tensor) -> Tensor:
    """x with its last two axes swapped (k^T of a batch of keys)."""
    order = (*range(x.ndim - 2), x.ndim - 1, x.ndim - 2)
    return transpose(x, order)


def safe_softmax(scores: Tensor) -> Tensor:
    """softmax over the last axis, with rows that are -inf everywhere (every key masked) giving
    0 instead of NaN -- PyTorch's `_safe_softmax`, which its math attention uses; such rows get no
    gradient."""
    dead = xp.all(xp.isneginf(scores.data), axis=-1, keepdims=True)
    if not dead.any():
        return softmax(scores, axis=-1)
    zero = xp.zeros((), dtype=scores.dtype)
    return where(dead, zero, softmax(where(dead, zero, scores), axis=-1))


def _float_tensor(x, name: str) -> Tensor:
    x = as_tensor(x)
    if x.dtype.kind != "f":
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {x.dtype}")
    return x


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False, *, rng=None) -> Tensor:
    """softmax(q k^T * scale + bias) v for query (..., L, E), key (..., S, E), value (..., S, Ev)
    -> (..., L, Ev); the batch axes broadcast. scale defaults to 1 / sqrt(E).

    attn_mask broadcasts to (..., L, S): a bool mask says which positions take part (True) -- the
    others get -inf --; a float mask is added to the scores. is_causal masks the future (position
    j > i), and excludes attn_mask (as PyTorch). Rows with every position masked give 0 (PyTorch's
    safe softmax). dropout_p drops attention weights whenever it is > 0 (PyTorch's functional
    rule: pass 0 in evaluation); `rng` (gradcraft's) picks the generator, as in `dropout`.
    Grouped-query attention (`enable_gqa=True`) is not implemented.
    """
    if check_bool(enable_gqa, "enable_gqa"):
        raise NotImplementedError("scaled_dot_product_attention: enable_gqa=True is not supported")
    is_causal = check_bool(is_causal, "is_causal")
    dropout_p = check_real(dropout_p, "dropout_p", low=0.0, high=1.0)
    query, key, value = (_float_tensor(x, name) for x, name in
                         ((query, "query"), (key, "key"), (value, "value")))
    for x, name in ((query, "query"), (key, "key"), (value, "value")):
        if x.ndim < 2:
            raise ValueError(f"scaled_dot_product_attention: {name} must have shape (..., L, E), got {x.shape}")
    if key.shape[-1] != query.shape[-1]:
        raise ValueError(f"scaled_dot_product_attention: key's last axis must be query's embedding "
                         f"size {query.shape[-1]}, got key of shape {key.shape}")
    if value.shape[-2] != key.shape[-2]:
        raise ValueError(f"scaled_dot_product_attention: value must have as many positions as key "
                         f"({key.shape[-2]}), got value of shape {value.shape}")
    length, source = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else check_real(scale, "scale")
    # PyTorch's math attention scales q and k by sqrt(scale) each: the product then keeps those
    # scaled copies, so q and k may change in place before backward (as in PyTorch)
    root = math.sqrt(scale) if scale >= 0 else None
    if root is None:  # a negative scale has no real square root: scale the product instead
        scores = matmul(query, swap_last_two(key)) * scale
    else:
        scores = matmul(query * root, swap_last_two(key * root))
    allowed = None
    if is_causal:
        if attn_mask is not None:
            raise ValueError("scaled_dot_product_attention: give attn_mask or is_causal=True, not both")
        allowed = xp.tril(xp.ones((length, source), dtype=bool))
    if attn_mask is not None:
        mask_data = attn_mask.data if isinstance(attn_mask, Tensor) else np.asarray(attn_mask)
        try:
            np.broadcast_shapes(mask_data.shape, scores.shape)
        except ValueError:
            raise ValueError(f"scaled_dot_product_attention: attn_mask of shape {mask_data.shape} does "
                             f"not broadcast to the scores' shape {scores.shape}") from None
        if mask_data.dtype == bool:
            allowed = mask_data
        else:
            scores = scores + _float_tensor(attn_mask, "attn_mask")
    if allowed is not None:
        scores = where(allowed, scores, xp.asarray(-xp.inf, dtype=scores.dtype))
    weights = safe_softmax(scores)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p, training=True, rng=rng)
    return matmul(weights, value)
