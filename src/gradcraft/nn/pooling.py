"""Pooling layers with PyTorch's constructors and reprs (no parameters), over `functional`:
MaxPool2d/1d, MaxUnpool2d, AvgPool2d/1d, AdaptiveAvgPool2d/1d, AdaptiveMaxPool2d, LPPool2d, and
StochasticPool2d (Zeiler & Fergus, 2013; PyTorch has none). Arguments are checked when the layer
is built and kept as given (an int or a pair), as PyTorch keeps them; MaxUnpool2d keeps pairs
and AvgPool1d 1-tuples, as PyTorch.

Global average pooling is `AdaptiveAvgPool2d(1)`: (N, C, H, W) -> (N, C, 1, 1) for any H, W.
"""

from __future__ import annotations

from .. import functional as F
from ..validation import check_bool, check_int, check_pair, check_real
from . import init
from .module import Module

__all__ = ["MaxPool2d", "MaxPool1d", "MaxUnpool2d", "AvgPool2d", "AvgPool1d", "AdaptiveAvgPool2d",
           "AdaptiveAvgPool1d", "AdaptiveMaxPool2d", "LPPool2d", "StochasticPool2d"]


def _checked(value, name: str, low: int):
    """`value` (an int or an (h, w) pair) unchanged, once `check_pair` accepts it."""
    check_pair(value, name, low=low)
    return value


def _checked1(value, name: str, low: int):
    if isinstance(value, tuple | list) and len(value) == 1:
        check_int(value[0], name, low=low)
    else:
        check_int(value, name, low=low)
    return value


class _MaxPool(Module):
    _check = staticmethod(_checked)

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False):
        super().__init__()
        self.kernel_size = self._check(kernel_size, "kernel_size", 1)
        self.stride = self.kernel_size if stride is None else self._check(stride, "stride", 1)
        self.padding = self._check(padding, "padding", 0)
        self.dilation = self._check(dilation, "dilation", 1)
        self.return_indices = check_bool(return_indices, "return_indices")
        self.ceil_mode = check_bool(ceil_mode, "ceil_mode")

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool2d(_MaxPool):
    """`functional.max_pool2d` as a layer: the maximum of each window of x (N, C, H, W) or
    (C, H, W); with `return_indices=True` it returns (values, indices)."""

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class MaxPool1d(_MaxPool):
    """`functional.max_pool1d` as a layer, over x (N, C, L) or (C, L)."""
    _check = staticmethod(_checked1)

    def forward(self, x):
        return F.max_pool1d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class MaxUnpool2d(Module):
    """`functional.max_unpool2d` as a layer: `layer(x, indices, output_size=None)`."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = check_pair(kernel_size, "kernel_size", low=1)
        self.stride = self.kernel_size if stride is None else check_pair(stride, "stride", low=1)
        self.padding = check_pair(padding, "padding", low=0)

    def forward(self, x, indices, output_size=None):
        return F.max_unpool2d(x, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """`functional.avg_pool2d` as a layer: the mean of each window of x (N, C, H, W) or
    (C, H, W) (divisor as PyTorch: `count_include_pad`, `divisor_override`, ceil-mode edges)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override=None):
        super().__init__()
        self.kernel_size = _checked(kernel_size, "kernel_size", 1)
        self.stride = self.kernel_size if stride is None else _checked(stride, "stride", 1)
        self.padding = _checked(padding, "padding", 0)
        self.ceil_mode = check_bool(ceil_mode, "ceil_mode")
        self.count_include_pad = check_bool(count_include_pad, "count_include_pad")
        self.divisor_override = (None if divisor_override is None
                                 else check_int(divisor_override, "divisor_override", low=1))

    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(Module):
    """`functional.avg_pool1d` as a layer, over x (N, C, L) or (C, L)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True):
        super().__init__()
        self.kernel_size = (check_int(_single(kernel_size), "kernel_size", low=1),)
        self.stride = self.kernel_size if stride is None else (check_int(_single(stride), "stride", low=1),)
        self.padding = (check_int(_single(padding), "padding", low=0),)
        self.ceil_mode = check_bool(ceil_mode, "ceil_mode")
        self.count_include_pad = check_bool(count_include_pad, "count_include_pad")

    def forward(self, x):
        return F.avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


def _single(value):
    return value[0] if isinstance(value, tuple | list) and len(value) == 1 else value


class AdaptiveAvgPool2d(Module):
    """`functional.adaptive_avg_pool2d` as a layer; `AdaptiveAvgPool2d(1)` is global average
    pooling."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, x):
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(AdaptiveAvgPool2d):
    """`functional.adaptive_avg_pool1d` as a layer, over x (N, C, L) or (C, L)."""

    def forward(self, x):
        return F.adaptive_avg_pool1d(x, self.output_size)


class AdaptiveMaxPool2d(Module):
    """`functional.adaptive_max_pool2d` as a layer."""

    def __init__(self, output_size, return_indices: bool = False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = check_bool(return_indices, "return_indices")

    def forward(self, x):
        return F.adaptive_max_pool2d(x, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class LPPool2d(Module):
    """`functional.lp_pool2d` as a layer: (sum of x^p over each window)^(1/p)."""

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode: bool = False):
        super().__init__()
        check_real(norm_type, "norm_type", finite=False)
        self.norm_type = norm_type
        self.kernel_size = _checked(kernel_size, "kernel_size", 1)
        self.stride = None if stride is None else _checked(stride, "stride", 1)
        self.ceil_mode = check_bool(ceil_mode, "ceil_mode")

    def forward(self, x):
        return F.lp_pool2d(x, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"ceil_mode={self.ceil_mode}")


class StochasticPool2d(Module):
    """Stochastic pooling (`functional.stochastic_pool2d`) of a non-negative input: a draw per
    window while training, the expectation sum(a^2) / sum(a) after `eval()`. `rng` as in
    `nn.Dropout`: a Generator or int seed kept by the layer, or None for the default generator."""

    def __init__(self, kernel_size, stride=None, rng=None):
        super().__init__()
        self.kernel_size = _checked(kernel_size, "kernel_size", 1)
        self.stride = self.kernel_size if stride is None else _checked(stride, "stride", 1)
        self.rng = init.make_rng(rng)

    def forward(self, x):
        return F.stochastic_pool2d(x, self.kernel_size, self.stride, self.training, self.rng)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}"
