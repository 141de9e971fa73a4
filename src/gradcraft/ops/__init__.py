"""Differentiable ops, one file per family; each op's forward and backward sit side by side."""

from . import api  # noqa: F401  (attaches the Tensor operators and methods)
