"""The binary soft-margin SVM with squared slacks, solved in its dual: SoftSVM."""

from __future__ import annotations

__all__ = []
