"""Linear classifiers s = Wx + b trained by minibatch SGD on gradcraft.losses' gradients: LinearClassifier."""

from __future__ import annotations

__all__ = []
