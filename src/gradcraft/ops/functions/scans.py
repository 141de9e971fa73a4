"""Cumulative scans along an axis: cumsum, cumprod, cummax, cummin."""

from __future__ import annotations

__all__ = []
