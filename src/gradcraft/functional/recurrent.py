"""Embedding lookup and other functions the recurrent layers share: `embedding` (PyTorch's
`F.embedding`) and `sequence_lengths`, the check of the `lengths=` / `mask=` arguments of the
recurrent layers (gradcraft's replacement for PyTorch's packed sequences)."""

from __future__ import annotations

import numpy as np

from ..ops.rnn_embedding import Embedding
from ..tensor import Tensor, as_tensor
from ..validation import check_bool, check_int, describe

__all__ = ["embedding"]


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of `weight` (num_embeddings, embedding_dim) picked by the integer tensor `input`
    (any shape): output shape input.shape + (embedding_dim,).

    `padding_idx` (an int in [-num_embeddings, num_embeddings), negative counted from the end):
    that row gets no gradient (the lookup itself is unchanged, as in PyTorch).
    `scale_grad_by_freq`: divide each row's gradient by its index's count in `input`.
    `max_norm` (renormalising rows in place) and `sparse` gradients are not supported.
    """
    weight = as_tensor(weight)
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got shape {weight.shape}")
    rows = weight.shape[0]
    indices = input.data if isinstance(input, Tensor) else np.asarray(input)
    if not np.issubdtype(indices.dtype, np.integer):
        raise TypeError(f"embedding: input must hold integer indices, got dtype {indices.dtype}")
    if indices.size and (indices.min() < 0 or indices.max() >= rows):
        raise IndexError(f"embedding: indices must lie in [0, {rows}) (num_embeddings={rows}), got values "
                         f"from {indices.min()} to {indices.max()}")
    padding_idx = padding_row(padding_idx, rows, "embedding")
    if max_norm is not None:
        raise ValueError(f"embedding: max_norm is not supported, got {max_norm!r}; pass None")
    if check_bool(sparse, "sparse"):
        raise ValueError("embedding: sparse=True is not supported (gradcraft has no sparse gradients)")
    return Embedding.apply(weight, indices=indices, padding_idx=padding_idx,
                           scale_grad_by_freq=check_bool(scale_grad_by_freq, "scale_grad_by_freq"))


def padding_row(padding_idx, rows: int, where: str):
    """`padding_idx` as a row in [0, rows) (None stays None), PyTorch's range check."""
    if padding_idx is None:
        return None
    value = check_int(padding_idx, "padding_idx")
    if not -rows <= value < rows:
        raise ValueError(f"{where}: padding_idx must be within num_embeddings ([{-rows}, {rows})), got {value}")
    return value % rows


def sequence_lengths(lengths, mask, batch: int, steps: int, layer: str):
    """The length of each sequence of a padded batch (N,) from `lengths=` (ints in [1, T]) or
    `mask=` (bool (N, T), True on the real steps, which must come first), or None when neither
    is given or every sequence has all T steps (nothing to mask)."""
    if lengths is not None and mask is not None:
        raise ValueError(f"{layer}: pass lengths= or mask=, not both")
    if mask is not None:
        mask = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
        if mask.dtype != np.bool_:
            raise TypeError(f"{layer}: mask must be a boolean array (batch, time), got dtype {mask.dtype}")
        if mask.shape != (batch, steps):
            raise ValueError(f"{layer}: mask must have shape (batch, time) = {(batch, steps)}, got {mask.shape}")
        lengths = mask.sum(axis=1)
        if not (mask == (np.arange(steps) < lengths[:, None])).all():
            raise ValueError(f"{layer}: mask must mark a prefix of each sequence (True on its real steps, "
                             f"then False), got {mask.astype(int).tolist()}")
    elif lengths is None:
        return None
    else:
        if isinstance(lengths, Tensor):
            lengths = lengths.data
        if isinstance(lengths, (int, float, str)) or not hasattr(lengths, "__len__"):
            raise TypeError(f"{layer}: lengths must be a 1-D sequence of ints, got {describe(lengths)}")
        lengths = np.asarray(lengths)
        if lengths.size and not np.issubdtype(lengths.dtype, np.integer):
            raise TypeError(f"{layer}: lengths must be ints, got dtype {lengths.dtype}")
        if lengths.shape != (batch,):
            raise ValueError(f"{layer}: lengths must have one entry per sequence, shape ({batch},), "
                             f"got {lengths.shape}")
    lengths = lengths.astype(np.int64)
    if lengths.size and (lengths.min() < 1 or lengths.max() > steps):
        raise ValueError(f"{layer}: every length must lie in [1, {steps}] (the padded length), got "
                         f"{lengths.tolist()}")
    return None if (lengths == steps).all() else lengths
