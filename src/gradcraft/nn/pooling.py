"""Pooling layers: `nn.MaxPool2d`, `nn.AvgPool2d` (PyTorch's constructors, no parameters), over
`functional.max_pool2d` / `functional.avg_pool2d`. An option the functional does not implement
(`dilation`, `ceil_mode`, `return_indices`, `divisor_override`) is refused by it, with
NotImplementedError, when the layer is called, exactly as `F.max_pool2d(...)` with it would be;
the layer checks its arguments' types and ranges when it is built."""

from __future__ import annotations

from .. import functional as F
from ..validation import check_bool, check_int, check_pair
from .module import Module

__all__ = ["MaxPool2d", "AvgPool2d"]


class MaxPool2d(Module):
    """The maximum of each `kernel_size` window of x (N, C, H, W) or (C, H, W); `stride`
    defaults to `kernel_size`; `padding` is implicit -inf (at most half the kernel)."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False):
        super().__init__()
        # checked here, kept as given (an int or a pair), as PyTorch keeps them
        self.kernel_size = _checked(kernel_size, "kernel_size", 1)
        self.stride = self.kernel_size if stride is None else _checked(stride, "stride", 1)
        self.padding = _checked(padding, "padding", 0)
        self.dilation = _checked(dilation, "dilation", 1)
        self.return_indices = check_bool(return_indices, "return_indices")
        self.ceil_mode = check_bool(ceil_mode, "ceil_mode")

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """The mean of each `kernel_size` window of x (N, C, H, W) or (C, H, W); zero padding counts
    in the divisor unless `count_include_pad=False`, as PyTorch."""

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


def _checked(value, name: str, low: int):
    """`value` (an int or an (h, w) pair) unchanged, once `check_pair` accepts it."""
    check_pair(value, name, low=low)
    return value
