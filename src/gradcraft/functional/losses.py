"""The losses in PyTorch's functional form (`F.cross_entropy`, `F.nll_loss`, `F.mse_loss`, ...)."""

from __future__ import annotations

__all__ = []
