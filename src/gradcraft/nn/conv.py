"""Convolution layers: `nn.Conv2d`."""

from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from ..backend import default_float
from ..devices import device as check_device
from ..ops.functions import pad
from ..validation import check_bool, check_choice, check_int, check_pair
from . import init
from .module import Module, check_float_dtype
from .parameter import Parameter

__all__ = ["Conv2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class Conv2d(Module):
    """2-D convolution (cross-correlation) over images (N, C, H, W) or one image (C, H, W):
    `F.conv2d(x, weight, bias, stride, padding, dilation)`, PyTorch's constructor.

    weight: (out_channels, in_channels, KH, KW); bias: (out_channels,) or None; `state_dict`
    names `weight`, `bias`, as PyTorch's, so weights move both ways. `kernel_size`, `stride`,
    `padding`, `dilation`: an int or an (h, w) pair; `padding` may also be 'valid' (none) or
    'same' (the output keeps the input's size; stride 1 only, as PyTorch; an even dilated kernel
    pads one more pixel at the bottom/right, as PyTorch).

    Initialisation as PyTorch's: weight kaiming_uniform_(a=sqrt(5)), i.e. U[-1/sqrt(fan_in),
    1/sqrt(fan_in)] with fan_in = in_channels * KH * KW, and bias from the same interval.
    `rng`: a Generator, an int seed, or None for the default generator (`gradcraft.manual_seed`).

    Not yet: `groups` other than 1 and `padding_mode` other than 'zeros' (NotImplementedError).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=default_float, rng=None):
        super().__init__()
        self.in_channels = check_int(in_channels, "in_channels", low=1)
        self.out_channels = check_int(out_channels, "out_channels", low=1)
        self.kernel_size = check_pair(kernel_size, "kernel_size", low=1)
        self.stride = check_pair(stride, "stride", low=1)
        self.dilation = check_pair(dilation, "dilation", low=1)
        self.padding = _check_padding(padding, self.stride)
        self.groups = check_int(groups, "groups", low=1)
        self.padding_mode = check_choice(padding_mode, "padding_mode", _PADDING_MODES)
        if self.groups != 1:
            raise NotImplementedError(f"Conv2d: groups={groups} is not supported yet; only groups=1")
        if self.padding_mode != "zeros":
            raise NotImplementedError(f"Conv2d: padding_mode={padding_mode!r} is not supported yet; "
                                      "only 'zeros'")
        bias = check_bool(bias, "bias")
        if device is not None:
            check_device(device)  # the CPU only
        dtype = check_float_dtype(dtype)
        shape = (self.out_channels, self.in_channels, *self.kernel_size)
        self.weight = Parameter(np.empty(shape, dtype=dtype))
        self.bias = Parameter(np.empty(self.out_channels, dtype=dtype)) if bias else None
        self.reset_parameters(rng)

    def reset_parameters(self, rng=None) -> None:
        """Draw fresh weights (weight first, then bias, from the same generator), PyTorch's way."""
        rng = init.make_rng(rng)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=rng)
        if self.bias is not None:
            fan_in, _ = init.fans(self.weight.shape)
            bound = 1.0 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound, rng=rng)

    def forward(self, x):
        padding = self.padding
        if isinstance(padding, str):  # 'valid' or 'same'
            padding = self._same_padding() if padding == "same" else (0, 0)
        if isinstance(padding[0], tuple):  # asymmetric 'same': pad first, convolve without
            (top, bottom), (left, right) = padding
            x = pad(x, [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)])
            padding = (0, 0)
        return F.conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation)

    def _same_padding(self):
        """(ph, pw), or ((top, bottom), (left, right)) when a total is odd: PyTorch puts the
        extra pixel at the end."""
        totals = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
        if all(t % 2 == 0 for t in totals):
            return tuple(t // 2 for t in totals)
        return tuple((t // 2, t - t // 2) for t in totals)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.bias is None:
            text += ", bias=False"
        return text


def _check_padding(padding, stride):
    if isinstance(padding, str):
        padding = check_choice(padding, "padding", ("valid", "same"))
        if padding == "same" and stride != (1, 1):
            raise ValueError(f"Conv2d: padding='same' needs stride 1 (as PyTorch), got stride={stride}")
        return padding
    return check_pair(padding, "padding", low=0)
