"""Proximal gradient for the Lasso: soft_threshold, ISTA, FISTA."""

from __future__ import annotations

__all__ = []
