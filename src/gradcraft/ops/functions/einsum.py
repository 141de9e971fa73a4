"""einsum: Einstein summation with a hand-written backward."""

from __future__ import annotations

__all__ = []
