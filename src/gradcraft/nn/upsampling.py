"""Upsampling layers: Upsample (PyTorch's constructor and repr), over `functional.interpolate`."""

from __future__ import annotations

from ..functional.upsampling import interpolate
from .module import Module

__all__ = ["Upsample"]


class Upsample(Module):
    """`functional.interpolate` as a layer: resample x (N, C, L) or (N, C, H, W) to `size` or by
    `scale_factor`, mode 'nearest', 'linear' (3-D) or 'bilinear' (4-D)."""

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, x):
        return interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners,
                           recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        info = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return info + f", mode={self.mode!r}"
