"""The functions of the basic layers: linear, one_hot, dropout (elementwise, and of whole
channels: dropout1d, dropout2d)."""

from __future__ import annotations

import numpy as np

from ..backend import default_float, xp
from ..ops import linalg
from ..random import as_generator
from ..tensor import Tensor, as_tensor
from ..validation import check_real

__all__ = ["linear", "one_hot", "dropout", "dropout1d", "dropout2d"]


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
    return _dropout("dropout", x, p, training, rng, lambda shape: shape)


def dropout1d(input, p: float = 0.5, training: bool = True, rng=None) -> Tensor:
    """Channel dropout of sequences (PyTorch's `F.dropout1d`): zero whole channels of x
    (N, C, L) (or one sequence (C, L)) with probability `p` and scale the rest by 1/(1-p);
    `rng` as in `dropout`."""
    x = as_tensor(input)
    if x.ndim not in (2, 3):
        raise ValueError(f"dropout1d: input must have shape (N, C, L) or (C, L), got {x.shape}")
    return _dropout("dropout1d", x, p, training, rng, lambda shape: shape[:-1] + (1,))


def dropout2d(input, p: float = 0.5, training: bool = True, rng=None) -> Tensor:
    """Channel dropout (PyTorch's `F.dropout2d`): zero whole channels of x (N, C, H, W) (or one
    image (C, H, W)) with probability `p` and scale the rest by 1/(1-p). Neighbouring pixels of
    a feature map are strongly correlated, so dropping single pixels hardly regularises a conv
    layer; dropping a whole map does (Tompson et al., 2015). `rng` as in `dropout`."""
    x = as_tensor(input)
    if x.ndim not in (3, 4):
        raise ValueError(f"dropout2d: input must have shape (N, C, H, W) or (C, H, W), got {x.shape}")
    return _dropout("dropout2d", x, p, training, rng, lambda shape: shape[:-2] + (1, 1))


def _dropout(name, x, p, training, rng, mask_shape) -> Tensor:
    """Inverted dropout with one Bernoulli(1-p) draw per element of mask_shape(x.shape),
    broadcast over the rest."""
    p = check_real(p, "dropout probability p", low=0.0, high=1.0)
    x = as_tensor(x)
    if not np.issubdtype(x.dtype, np.floating):
        # 1/(1-p) has no integer representation (int64(1 - 0.5) is 0: the mask became inf/nan)
        raise TypeError(f"{name}: input must be a floating-point tensor, got dtype {x.dtype}; "
                        "convert it first, e.g. x.astype(np.float32)")
    rng = as_generator(rng)  # checked even when no mask is drawn, so a bad rng fails early
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * xp.zeros(x.shape, dtype=x.dtype)
    keep = rng.random(mask_shape(tuple(x.shape))) >= p
    return x * (keep.astype(x.dtype) / x.dtype.type(1 - p))
