"""Attention layers: `nn.MultiheadAttention`, PyTorch's parameters, initialisation and forward
(`torch.nn.functional.multi_head_attention_forward`, its math path), so a torch state_dict loads
and gives torch's outputs and gradients."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..backend import xp
from ..ops.functions import matmul, reshape, transpose
from ..tensor import Tensor, as_tensor
from ..validation import check_bool, check_int, check_real
from . import init
from .linear import Linear
from .module import Module, check_float_dtype
from .parameter import Parameter

__all__ = ["MultiheadAttention"]


def _additive_mask(mask, name: str, dtype):
    """PyTorch's `_canonical_mask`: a bool mask (True = not allowed to attend) becomes a float
    mask with -inf there and 0 elsewhere; a float mask is kept (a Tensor, which may require
    grad)."""
    if mask is None:
        return None
    data = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if data.dtype == bool:
        return as_tensor(xp.where(data, xp.asarray(-xp.inf, dtype=dtype), xp.asarray(0, dtype=dtype)))
    if data.dtype.kind != "f":
        raise TypeError(f"{name} must be a bool or float tensor, got dtype {data.dtype}")
    return as_tensor(mask)


class MultiheadAttention(Module):
    """Attention over `num_heads` heads of size embed_dim / num_heads (PyTorch's layer).

    Parameters (PyTorch's names): `in_proj_weight` (3E, E) when key and value have the query's
    size E, else `q_proj_weight` (E, E), `k_proj_weight` (E, kdim), `v_proj_weight` (E, vdim);
    `in_proj_bias` (3E,) and `out_proj` (a Linear E -> E) when `bias`. Initialisation as torch:
    xavier_uniform_ on the projection weights, zero biases, out_proj's weight as a Linear's.
    Inputs (L, N, E) (or (N, L, E) with `batch_first`), or (L, E) unbatched.
    `dropout` (on the attention weights) acts only in training. `add_bias_kv` and
    `add_zero_attn` are not implemented; `device` must be None or 'cpu'. `rng` (gradcraft's): the
    generator of the initial weights and of the dropout masks, as in `Linear` and `Dropout`.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device=None, dtype=None, rng=None):
        super().__init__()
        self.embed_dim = check_int(embed_dim, "embed_dim", low=1)
        self.num_heads = check_int(num_heads, "num_heads", low=1)
        if self.embed_dim % self.num_heads:
            raise ValueError(f"embed_dim must be divisible by num_heads, got embed_dim={embed_dim} "
                             f"and num_heads={num_heads}")
        self.kdim = self.embed_dim if kdim is None else check_int(kdim, "kdim", low=1)
        self.vdim = self.embed_dim if vdim is None else check_int(vdim, "vdim", low=1)
        self.dropout = check_real(dropout, "dropout", low=0.0, high=1.0)
        self.batch_first = check_bool(batch_first, "batch_first")
        bias = check_bool(bias, "bias")
        if check_bool(add_bias_kv, "add_bias_kv") or check_bool(add_zero_attn, "add_zero_attn"):
            raise NotImplementedError("MultiheadAttention: add_bias_kv and add_zero_attn are not supported")
        if device not in (None, "cpu"):
            raise ValueError(f"MultiheadAttention: device must be None or 'cpu', got {device!r}")
        dtype = check_float_dtype(dtype)
        self.head_dim = self.embed_dim // self.num_heads
        self._qkv_same_embed_dim = self.kdim == self.embed_dim and self.vdim == self.embed_dim
        E = self.embed_dim
        # assignment order = state_dict order, PyTorch's
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.empty((3 * E, E), dtype=dtype))
            self.q_proj_weight = self.k_proj_weight = self.v_proj_weight = None
        else:
            self.q_proj_weight = Parameter(np.empty((E, E), dtype=dtype))
            self.k_proj_weight = Parameter(np.empty((E, self.kdim), dtype=dtype))
            self.v_proj_weight = Parameter(np.empty((E, self.vdim), dtype=dtype))
            self.in_proj_weight = None
        self.in_proj_bias = Parameter(np.zeros(3 * E, dtype=dtype)) if bias else None
        self.rng = init.make_rng(rng)
        self.out_proj = Linear(E, E, bias=bias, dtype=dtype, rng=self.rng)
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        for weight in (self.in_proj_weight, self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
            if weight is not None:
                init.xavier_uniform_(weight, rng=self.rng)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, dropout={self.dropout}"

    # ------------------------------------------------------------------ forward
    def _projections(self, query, key, value):
        E = self.embed_dim
        b = self.in_proj_bias
        biases = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            weights = (w[:E], w[E:2 * E], w[2 * E:])
        else:
            weights = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        return tuple(F.linear(x, w, bias) for x, w, bias in zip((query, key, value), weights, biases))

    def forward(self, query, key, value, key_padding_mask=None, need_weights: bool = True,
                attn_mask=None, average_attn_weights: bool = True, is_causal: bool = False):
        """(attn_output, attn_weights): output (L, N, E) ((N, L, E) with batch_first, (L, E)
        unbatched); weights (N, L, S) averaged over heads, (N, num_heads, L, S) with
        `average_attn_weights=False`, None with `need_weights=False`.

        key_padding_mask (N, S): True (or -inf) marks keys to ignore; attn_mask (L, S) or
        (N * num_heads, L, S): True marks positions not allowed (the opposite of
        scaled_dot_product_attention's bool mask), a float mask is added. is_causal is PyTorch's
        hint: it needs attn_mask, which is then taken to be the causal mask.
        """
        need_weights = check_bool(need_weights, "need_weights")
        average_attn_weights = check_bool(average_attn_weights, "average_attn_weights")
        is_causal = check_bool(is_causal, "is_causal")
        query, key, value = as_tensor(query), as_tensor(key), as_tensor(value)
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise ValueError(f"MultiheadAttention: query, key and value must all be (L, N, E) / "
                             f"(N, L, E) or all (L, E), got {query.shape}, {key.shape}, {value.shape}")
        batched = query.ndim == 3
        if batched and self.batch_first:
            query, key, value = (transpose(x, (1, 0, 2)) for x in (query, key, value))
        if not batched:
            query, key, value = (reshape(x, (x.shape[0], 1, x.shape[1])) for x in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = reshape(as_tensor(key_padding_mask), (1, -1))
        tgt_len, bsz, embed_dim = query.shape
        src_len = key.shape[0]
        heads, head_dim = self.num_heads, self.head_dim
        if embed_dim != self.embed_dim:
            raise ValueError(f"MultiheadAttention: query's embedding size must be {self.embed_dim}, got {embed_dim}")
        if key.shape[:2] != value.shape[:2] or key.shape[1] != bsz:
            raise ValueError(f"MultiheadAttention: key {key.shape} and value {value.shape} must have "
                             f"the query's batch and one source length")
        if is_causal and attn_mask is None:
            raise ValueError("MultiheadAttention: is_causal=True needs attn_mask (the causal mask); "
                             "is_causal is only a hint")
        if is_causal and key_padding_mask is None and not need_weights:
            attn_mask = None  # PyTorch lets scaled_dot_product_attention build the causal mask
        else:
            attn_mask = _additive_mask(attn_mask, "attn_mask", query.dtype)
            if key_padding_mask is not None:
                is_causal = False
        if attn_mask is not None:
            if attn_mask.ndim == 2:
                if attn_mask.shape != (tgt_len, src_len):
                    raise ValueError(f"attn_mask must have shape ({tgt_len}, {src_len}), got {attn_mask.shape}")
                attn_mask = reshape(attn_mask, (1, tgt_len, src_len))
            elif attn_mask.shape != (bsz * heads, tgt_len, src_len):
                raise ValueError(f"attn_mask must have shape ({tgt_len}, {src_len}) or "
                                 f"({bsz * heads}, {tgt_len}, {src_len}), got {attn_mask.shape}")
        q, k, v = self._projections(query, key, value)
        # (L, N, E) -> (N * heads, L, head_dim)
        q = transpose(reshape(q, (tgt_len, bsz * heads, head_dim)), (1, 0, 2))
        k = transpose(reshape(k, (src_len, bsz * heads, head_dim)), (1, 0, 2))
        v = transpose(reshape(v, (src_len, bsz * heads, head_dim)), (1, 0, 2))
        if key_padding_mask is not None:
            padding = _additive_mask(key_padding_mask, "key_padding_mask", query.dtype)
            if padding.shape != (bsz, src_len):
                raise ValueError(f"key_padding_mask must have shape ({bsz}, {src_len}), got {padding.shape}")
            padding = reshape(padding.broadcast_to(heads, bsz, src_len).transpose(1, 0, 2),
                              (bsz * heads, 1, src_len))
            attn_mask = padding if attn_mask is None else attn_mask + padding
        dropout_p = self.dropout if self.training else 0.0
        if need_weights:
            scores = matmul(q * (1.0 / head_dim) ** 0.5, transpose(k, (0, 2, 1)))
            if attn_mask is not None:
                scores = scores + attn_mask
            weights = F.softmax(scores, axis=-1)
            if dropout_p > 0:
                weights = F.dropout(weights, dropout_p, training=True, rng=self.rng)
            out = matmul(weights, v)                                   # (N * heads, L, head_dim)
            out = reshape(transpose(out, (1, 0, 2)), (tgt_len * bsz, embed_dim))
        else:
            if attn_mask is not None:
                attn_mask = (reshape(attn_mask, (1, 1, tgt_len, src_len)) if attn_mask.shape[0] == 1
                             else reshape(attn_mask, (bsz, heads, tgt_len, src_len)))
            out = F.scaled_dot_product_attention(
                reshape(q, (bsz, heads, tgt_len, head_dim)), reshape(k, (bsz, heads, src_len, head_dim)),
                reshape(v, (bsz, heads, src_len, head_dim)), attn_mask, dropout_p, is_causal, rng=self.rng)
            out = reshape(transpose(out, (2, 0, 1, 3)), (tgt_len * bsz, embed_dim))
            weights = None
        out = reshape(F.linear(out, self.out_proj.weight, self.out_proj.bias), (tgt_len, bsz, embed_dim))
        if weights is not None:
            weights = reshape(weights, (bsz, heads, tgt_len, src_len))
            if average_attn_weights:
                weights = weights.mean(axis=1)
        if not batched:
            out = reshape(out, (tgt_len, embed_dim))
            if weights is not None:
                weights = reshape(weights, weights.shape[1:])
        elif self.batch_first:
            out = transpose(out, (1, 0, 2))
        return out, weights
