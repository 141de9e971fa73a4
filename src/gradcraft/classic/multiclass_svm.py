"""The multiclass SVM of Crammer and Singer: MulticlassSVM."""

from __future__ import annotations

__all__ = []
