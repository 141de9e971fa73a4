"""t-SNE: TSNE (exact and Barnes-Hut)."""

from __future__ import annotations

__all__ = []
