"""k-nearest-neighbour classification: KNNClassifier."""

from __future__ import annotations

__all__ = []
