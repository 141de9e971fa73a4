"""Convolution layers: `nn.Conv1d`, `nn.Conv2d`, `nn.ConvTranspose1d`, `nn.ConvTranspose2d`.

One base class holds what PyTorch's `_ConvNd` holds: the checked hyper-parameters (ints or
per-axis tuples, stored as tuples as PyTorch does), the weight and bias (`state_dict` names
`weight`, `bias`, so weights move both ways), PyTorch's initialisation and `extra_repr`.
"""

from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from ..backend import default_float
from ..devices import device as check_device
from ..functional.conv import check_conv_padding, check_ntuple
from ..ops.conv import check_conv_ranks, same_padding
from ..ops.conv_transpose import conv_transpose_output_size
from ..tensor import as_tensor
from ..validation import check_bool, check_choice, check_int
from . import init
from .module import Module, check_float_dtype
from .parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """The layers' shared state. Subclasses set `_spatial` (1 or 2) and `_transposed`.

    Initialisation as PyTorch's: weight kaiming_uniform_(a=sqrt(5)), i.e. U[-1/sqrt(fan_in),
    1/sqrt(fan_in)] with fan_in = weight.shape[1] * prod(kernel_size) (in_channels/groups * K
    for a convolution, out_channels/groups * K for a transposed one), and the bias from the same
    interval. `rng`: a Generator, an int seed, or None for the default generator
    (`gradcraft.manual_seed`).
    """

    _spatial = 2
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                 bias, padding_mode, device, dtype, rng, output_padding=0):
        super().__init__()
        name, n = type(self).__name__, self._spatial
        self.in_channels = check_int(in_channels, "in_channels", low=1)
        self.out_channels = check_int(out_channels, "out_channels", low=1)
        self.kernel_size = check_ntuple(kernel_size, "kernel_size", n, low=1)
        self.stride = check_ntuple(stride, "stride", n, low=1)
        self.dilation = check_ntuple(dilation, "dilation", n, low=1)
        self.groups = check_int(groups, "groups", low=1)
        self.padding_mode = check_choice(padding_mode, "padding_mode", _PADDING_MODES)
        for what, count in (("in_channels", self.in_channels), ("out_channels", self.out_channels)):
            if count % self.groups:
                raise ValueError(f"{name}: {what}={count} must be divisible by groups={self.groups}")
        if self._transposed:
            self.padding = check_ntuple(padding, "padding", n, low=0)
            self.output_padding = check_ntuple(output_padding, "output_padding", n, low=0)
            _check_output_padding(name, self.output_padding, self.stride, self.dilation)
            if self.padding_mode != "zeros":
                raise ValueError(f"{name}: padding_mode={padding_mode!r} is not supported; only "
                                 "'zeros' (as PyTorch)")
            shape = (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
        else:
            self.padding = _check_padding(name, padding, self.stride, n)
            shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        bias = check_bool(bias, "bias")
        if device is not None:
            check_device(device)  # the CPU only
        dtype = check_float_dtype(dtype)
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

    def _checked_input(self, x):
        """x as a tensor of rank spatial+1 or spatial+2 with in_channels channels, or an error
        naming the layer, in_channels and the input's shape."""
        x = as_tensor(x)
        name, n = type(self).__name__, self._spatial
        check_conv_ranks(name, x.shape, self.weight.shape, n, "")
        channels = x.shape[-n - 1]
        if channels != self.in_channels:
            raise ValueError(f"{name}: input has {channels} channels but in_channels="
                             f"{self.in_channels} (input shape {x.shape})")
        return x

    def extra_repr(self) -> str:
        n = self._spatial
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * n:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            text += f", dilation={self.dilation}"
        if self._transposed and self.output_padding != (0,) * n:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class _Conv(_ConvNd):
    """A convolution layer; `padding_mode` other than 'zeros' pads the input first with
    `F.pad`'s mode of that name (PyTorch's order: pad, then convolve without padding)."""

    def forward(self, x):
        x = self._checked_input(x)
        function = F.conv2d if self._spatial == 2 else F.conv1d
        padding = self.padding
        if self.padding_mode != "zeros":
            x = F.pad(x, self._reversed_padding_repeated_twice(), mode=self.padding_mode)
            padding = 0
        return function(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)

    def _reversed_padding_repeated_twice(self) -> list:
        """PyTorch's F.pad list: (before, after) per spatial axis, the last axis first."""
        if self.padding == "same":
            pairs = same_padding(self.kernel_size, self.dilation)
        elif self.padding == "valid":
            pairs = [(0, 0)] * self._spatial
        else:
            pairs = [(p, p) for p in self.padding]
        return [width for pair in reversed(pairs) for width in pair]


class Conv2d(_Conv):
    """2-D convolution (cross-correlation) over images (N, C, H, W) or one image (C, H, W):
    `F.conv2d(x, weight, bias, stride, padding, dilation, groups)`, PyTorch's constructor.

    weight: (out_channels, in_channels/groups, KH, KW); bias: (out_channels,) or None.
    `kernel_size`, `stride`, `padding`, `dilation`: an int or an (h, w) pair (stored as pairs);
    `padding` may also be 'valid' (none) or 'same' (the output keeps the input's size; stride 1
    only, as PyTorch; an even dilated kernel pads one more pixel at the bottom/right, as
    PyTorch). `groups` divides both channel counts; `padding_mode`: 'zeros', 'reflect',
    'replicate' or 'circular'. Initialisation: see `_ConvNd`.
    """

    _spatial = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=default_float, rng=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, device, dtype, rng)


class Conv1d(_Conv):
    """1-D convolution over signals (N, C, L) or one signal (C, L): `F.conv1d`, PyTorch's
    constructor; weight (out_channels, in_channels/groups, K). The options as `Conv2d`'s, each an
    int (stored as a 1-tuple, as PyTorch)."""

    _spatial = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=default_float, rng=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, device, dtype, rng)


class _ConvTranspose(_ConvNd):
    """A transposed convolution layer; `forward(x, output_size=None)` as PyTorch's: an
    `output_size` (the spatial sizes, optionally with the leading N, C) picks the output_padding
    that gives it, within [minimum, minimum + stride - 1]."""

    _transposed = True

    def forward(self, x, output_size=None):
        x = self._checked_input(x)
        function = F.conv_transpose2d if self._spatial == 2 else F.conv_transpose1d
        output_padding = self.output_padding if output_size is None else self._output_padding(x, output_size)
        return function(x, self.weight, self.bias, self.stride, self.padding, output_padding,
                        self.groups, self.dilation)

    def _output_padding(self, x, output_size) -> tuple:
        name, n = type(self).__name__, self._spatial
        sizes = [check_int(s, f"{name}: output_size") for s in output_size]
        leading = x.ndim - n
        if len(sizes) == n + leading:
            sizes = sizes[leading:]
        if len(sizes) != n:
            raise ValueError(f"{name}: for an input of shape {x.shape}, output_size must have {n} "
                             f"or {n + leading} elements, got {tuple(output_size)}")
        smallest = [conv_transpose_output_size(x.shape[leading + a], self.kernel_size[a], self.stride[a],
                                               self.padding[a], self.dilation[a], 0) for a in range(n)]
        largest = [low + s - 1 for low, s in zip(smallest, self.stride)]
        if any(not low <= size <= high for size, low, high in zip(sizes, smallest, largest)):
            raise ValueError(f"{name}: requested an output size of {tuple(sizes)}, but valid sizes "
                             f"range from {tuple(smallest)} to {tuple(largest)} (for an input of "
                             f"shape {x.shape})")
        return tuple(size - low for size, low in zip(sizes, smallest))


class ConvTranspose2d(_ConvTranspose):
    """2-D transposed convolution over (N, C_in, H, W) or (C_in, H, W):
    `F.conv_transpose2d(x, weight, bias, stride, padding, output_padding, groups, dilation)`,
    PyTorch's constructor; weight (in_channels, out_channels/groups, KH, KW), bias
    (out_channels,). Output size (H - 1) stride - 2 padding + dilation (KH - 1) +
    output_padding + 1; output_padding must be smaller than the stride or the dilation;
    padding_mode 'zeros' only (as PyTorch). Initialisation: see `_ConvNd`.
    """

    _spatial = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=default_float, rng=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, device, dtype, rng, output_padding)


class ConvTranspose1d(_ConvTranspose):
    """1-D transposed convolution over (N, C_in, L) or (C_in, L): `F.conv_transpose1d`,
    PyTorch's constructor; weight (in_channels, out_channels/groups, K). As `ConvTranspose2d`
    with ints (stored as 1-tuples)."""

    _spatial = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=default_float, rng=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, device, dtype, rng, output_padding)


def _check_padding(name: str, padding, stride, n: int):
    padding = check_conv_padding(padding, "padding", n, low=0)
    if padding == "same" and any(s != 1 for s in stride):
        raise ValueError(f"{name}: padding='same' needs stride 1 (as PyTorch), got stride={stride}")
    return padding


def _check_output_padding(name: str, output_padding, stride, dilation) -> None:
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        raise ValueError(f"{name}: output_padding must be smaller than either stride or dilation, "
                         f"got output_padding={output_padding}, stride={stride}, dilation={dilation}")
