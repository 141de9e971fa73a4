"""Making tensors: zeros, ones, empty, full, eye, arange, linspace, the `_like` forms, random
draws (rand, randn, randint, normal) and from_numpy."""

from __future__ import annotations

__all__ = []
