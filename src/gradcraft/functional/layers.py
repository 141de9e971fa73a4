"""The functions of the basic layers: linear, one_hot, dropout."""

from __future__ import annotations

import numpy as np

from ..backend import default_float, xp
from ..ops import linalg
from ..random import as_generator
from ..tensor import Tensor, as_tensor
from ..validation import check_real

__all__ = ["linear", "one_hot", "dropout"]


def linear(x, weight, bias=None) -> Tensor:
    """x @ weight.T + bias, with weight of shape (out_features, in_features) as in PyTorch."""
    inputs = (x, weight) if bias is None else (x, weight, bias)
    return linalg.Linear.apply(*inputs)


def one_hot(labels, num_classes: int | None = None, dtype=default_float) -> Tensor:
    """Rows of the identity: labels (N,) -> (N, num_classes). Not differentiable."""
    labels = xp.asarray(labels.data if isinstance(labels, Tensor) else labels)
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integer class indices, got dtype {labels.dtype}")
    labels = labels.astype(np.int64)
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"labels must lie in [0, {num_classes}), got values from {labels.min()} to {labels.max()}"
        )
    return Tensor(xp.eye(num_classes, dtype=dtype)[labels])


def dropout(x, p: float = 0.5, training: bool = True, rng=None) -> Tensor:
    """Inverted dropout: zero each element with probability `p` (the *drop* probability) and
    scale the survivors by 1/(1-p), so evaluation needs no rescaling. `x` must be floating-point
    (any shape); `p` a number in [0, 1].

    `rng`: a `numpy.random.Generator` (consumed, so successive calls draw new masks), an int
    seed (same seed, same mask), or None: draw from the process-wide default generator
    (`gradcraft.random`, re-seeded by `gradcraft.manual_seed`), as PyTorch's dropout does.
    """
    p = check_real(p, "dropout probability p", low=0.0, high=1.0)
    x = as_tensor(x)
    if not np.issubdtype(x.dtype, np.floating):
        # 1/(1-p) has no integer representation (int64(1 - 0.5) is 0: the mask became inf/nan)
        raise TypeError(f"dropout: input must be a floating-point tensor, got dtype {x.dtype}; "
                        "convert it first, e.g. x.astype(np.float32)")
    rng = as_generator(rng)  # checked even when no mask is drawn, so a bad rng fails early
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * xp.zeros(x.shape, dtype=x.dtype)
    keep = rng.random(x.shape) >= p
    return x * (keep.astype(x.dtype) / x.dtype.type(1 - p))
