"""Elementwise mathematics beyond arithmetic: trigonometric and hyperbolic functions, rounding,
logarithms and exponentials of other bases, erf, reciprocal, the integer-style divisions."""

from __future__ import annotations

__all__ = []
