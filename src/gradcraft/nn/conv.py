"""Convolution layers: `nn.Conv2d`."""

from __future__ import annotations

__all__ = []
