"""Predicates, logical and bitwise functions (not differentiable): isnan, logical_and, bitwise_and..."""

from __future__ import annotations

__all__ = []
