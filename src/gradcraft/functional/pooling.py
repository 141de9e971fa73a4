"""Pooling over images (N, C, H, W): max_pool2d, avg_pool2d."""

from __future__ import annotations

from ..ops.pool import AvgPool2d, MaxPool2d
from ..tensor import Tensor, as_tensor
from ..validation import check_pair
from .conv import _check_image_batch, _unsupported

__all__ = ["max_pool2d", "avg_pool2d"]


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
