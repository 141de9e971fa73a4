"""Attention layers: `nn.MultiheadAttention`."""

from __future__ import annotations

__all__ = []
