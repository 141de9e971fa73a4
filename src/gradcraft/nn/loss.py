"""Loss modules with PyTorch's names and arguments (`nn.CrossEntropyLoss`, `nn.MSELoss`, ...)."""

from __future__ import annotations

__all__ = []
