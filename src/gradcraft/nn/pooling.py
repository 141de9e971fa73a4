"""Pooling layers: `nn.MaxPool2d`, `nn.AvgPool2d`."""

from __future__ import annotations

__all__ = []
