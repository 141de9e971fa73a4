"""Moving elements: flip, roll, diag, diagonal, tile, repeat, chunk, unfold, meshgrid, tril, triu."""

from __future__ import annotations

__all__ = []
