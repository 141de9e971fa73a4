"""Activation functions (PyTorch's `F.relu`, `F.softmax`, ...): elementwise nonlinearities and
the normalising maps over an axis."""

from __future__ import annotations

from ..ops.functions import leaky_relu, relu, sigmoid, tanh
from ..ops.softmax import LogSoftmax, Softmax
from ..spelling import accepts_dim
from ..tensor import Tensor, as_tensor

__all__ = ["relu", "leaky_relu", "sigmoid", "tanh", "softmax", "log_softmax"]


@accepts_dim
def softmax(x, axis: int = -1) -> Tensor:
    """exp(x) / sum exp(x) along `axis`; stable for logits of any size."""
    return Softmax.apply(as_tensor(x), axis=axis)


@accepts_dim
def log_softmax(x, axis: int = -1) -> Tensor:
    """log softmax along `axis`, computed without forming softmax (no log(0))."""
    return LogSoftmax.apply(as_tensor(x), axis=axis)
