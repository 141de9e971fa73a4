"""The stateless functions layers are built from (PyTorch's `torch.nn.functional`, NumPy names)."""

from __future__ import annotations

import numpy as np

from .backend import default_float, xp
from .ops import linalg
from .ops.conv import Conv2d
from .ops.functions import leaky_relu, relu, sigmoid, tanh
from .ops.pool import AvgPool2d, MaxPool2d
from .ops.softmax import LogSoftmax, Softmax
from .random import as_generator
from .tensor import Tensor, as_tensor
from .validation import check_pair, check_real

__all__ = ["relu", "leaky_relu", "sigmoid", "tanh", "softmax", "log_softmax", "linear",
           "one_hot", "dropout", "conv2d", "max_pool2d", "avg_pool2d"]


def softmax(x, axis: int = -1) -> Tensor:
    """exp(x) / sum exp(x) along `axis`; stable for logits of any size."""
    return Softmax.apply(as_tensor(x), axis=axis)


def log_softmax(x, axis: int = -1) -> Tensor:
    """log softmax along `axis`, computed without forming softmax (no log(0))."""
    return LogSoftmax.apply(as_tensor(x), axis=axis)


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


# ---------------------------------------------------------------- convolution and pooling


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """2-D cross-correlation, PyTorch's `conv2d`: x (N, C, H, W), weight (O, C, KH, KW),
    bias (O,) -> (N, O, OH, OW), OH = floor((H + 2 padding - dilation (KH - 1) - 1) / stride) + 1.

    `stride`, `padding`, `dilation`: an int or an (h, w) pair. A 3-D input (C, H, W) is treated
    as a batch of one and returned as (O, OH, OW). Only `groups=1` (PyTorch's argument order is
    kept so PyTorch calls port unchanged; other values raise).
    """
    if groups != 1:
        _unsupported("conv2d", "groups", groups, 1)
    x = as_tensor(x)
    options = dict(stride=check_pair(stride, "stride"), padding=check_pair(padding, "padding"),
                   dilation=check_pair(dilation, "dilation"))
    unbatched = _check_image_batch("conv2d", x)
    if unbatched:
        x = x.reshape(1, *x.shape)
    inputs = (x, weight) if bias is None else (x, weight, bias)
    out = Conv2d.apply(*inputs, **options)
    return out.reshape(*out.shape[1:]) if unbatched else out


def _check_image_batch(function: str, x: Tensor) -> bool:
    """True for one unbatched image (C, H, W); an error naming the shape unless (N, C, H, W)."""
    if x.ndim not in (3, 4):
        hint = "; for one single-channel image (H, W) use x[None, None]" if x.ndim == 2 else ""
        raise ValueError(f"{function}: input must have shape (N, C, H, W) or (C, H, W), got "
                         f"{x.shape}{hint}")
    return x.ndim == 3


def _pool(op, name: str, x, kernel_size, stride, padding, **extra) -> Tensor:
    x = as_tensor(x)
    kernel = check_pair(kernel_size, "kernel_size")
    options = dict(kernel=kernel, stride=kernel if stride is None else check_pair(stride, "stride"),
                   padding=check_pair(padding, "padding"), **extra)
    unbatched = _check_image_batch(name, x)
    if unbatched:
        x = x.reshape(1, *x.shape)
    out = op.apply(x, **options)
    return out.reshape(*out.shape[1:]) if unbatched else out


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False) -> Tensor:
    """Max over each kernel_size window of x (N, C, H, W) (or (C, H, W)); `stride` defaults to
    `kernel_size`, padding is implicit -inf (at most half the kernel), floor mode, as PyTorch.
    PyTorch's signature; `dilation`, `ceil_mode` and `return_indices` only at their defaults."""
    if check_pair(dilation, "dilation") != (1, 1):
        _unsupported("max_pool2d", "dilation", dilation, 1)
    if ceil_mode:
        _unsupported("max_pool2d", "ceil_mode", ceil_mode, False)
    if return_indices:
        _unsupported("max_pool2d", "return_indices", return_indices, False)
    return _pool(MaxPool2d, "max_pool2d", x, kernel_size, stride, padding)


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None) -> Tensor:
    """Mean over each kernel_size window of x (N, C, H, W) (or (C, H, W)); zero padding counted in
    the divisor unless `count_include_pad=False`, as PyTorch's `avg_pool2d`. PyTorch's signature
    (so a positional 5th argument is `ceil_mode`); `ceil_mode` and `divisor_override` only at
    their defaults."""
    if ceil_mode:
        _unsupported("avg_pool2d", "ceil_mode", ceil_mode, False)
    if divisor_override is not None:
        _unsupported("avg_pool2d", "divisor_override", divisor_override, None)
    return _pool(AvgPool2d, "avg_pool2d", x, kernel_size, stride, padding,
                 count_include_pad=count_include_pad)


def _unsupported(function: str, name: str, value, supported) -> None:
    """A PyTorch argument with a value not implemented here: say so rather than ignore it."""
    raise NotImplementedError(f"{function}: {name}={value!r} is not supported; only {name}={supported!r}")
