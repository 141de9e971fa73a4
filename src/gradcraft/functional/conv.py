"""Convolution over images (N, C, H, W): conv2d."""

from __future__ import annotations

from ..ops.conv import Conv2d
from ..tensor import Tensor, as_tensor
from ..validation import check_pair

__all__ = ["conv2d"]


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


def _unsupported(function: str, name: str, value, supported) -> None:
    """A PyTorch argument with a value not implemented here: say so rather than ignore it."""
    raise NotImplementedError(f"{function}: {name}={value!r} is not supported; only {name}={supported!r}")
