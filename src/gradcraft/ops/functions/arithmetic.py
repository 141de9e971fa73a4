"""Arithmetic, the unary functions and the elementwise choices (clip, maximum, where)."""

from __future__ import annotations

from ...backend import default_float, xp
from ...tensor import Tensor, as_tensor
from .. import elementwise as ew
from .. import linalg
from .arguments import tensor_like, tensor_of

__all__ = ['add', 'subtract', 'multiply', 'divide', 'power', 'negative', 'matmul', 'exp', 'log', 'sqrt', 'abs', 'tanh', 'sigmoid', 'relu', 'leaky_relu', 'clip', 'maximum', 'minimum', 'where']

def add(a, b):
    return ew.Add.apply(a, b)


def subtract(a, b):
    return ew.Sub.apply(a, b)


def multiply(a, b):
    return ew.Mul.apply(a, b)


def divide(a, b):
    return ew.Div.apply(a, b)


def power(a, b):
    return ew.Pow.apply(a, b)


def negative(a):
    return ew.Neg.apply(tensor_of(a))


def matmul(a, b):
    return linalg.MatMul.apply(a, b)


# ------------------------------------------------------------------ unary
def exp(x):
    return ew.Exp.apply(_floating(x))


def log(x):
    return ew.Log.apply(_floating(x))


def sqrt(x):
    return ew.Sqrt.apply(_floating(x))


def abs(x):  # noqa: A001 - NumPy's name
    return ew.Abs.apply(tensor_of(x))


def tanh(x):
    return ew.Tanh.apply(_floating(x))


def sigmoid(x):
    return ew.Sigmoid.apply(_floating(x))


def relu(x):
    return ew.ReLU.apply(tensor_of(x))


def leaky_relu(x, negative_slope: float = 0.01):
    return ew.LeakyReLU.apply(tensor_of(x), negative_slope=negative_slope)


def clip(x, a_min=None, a_max=None):
    if a_min is None and a_max is None:
        raise ValueError("clip needs a_min or a_max (or both)")
    return ew.Clip.apply(tensor_of(x), low=a_min, high=a_max)


def maximum(a, b):
    return ew.Maximum.apply(a, b)


def minimum(a, b):
    return ew.Minimum.apply(a, b)


def where(condition, a, b):
    """`a` where `condition` holds, else `b` (broadcast together). The condition is never
    differentiated; as a tensor it is kept, so changing it in place before backward is caught."""
    condition = condition if isinstance(condition, Tensor) else as_tensor(xp.asarray(condition))
    like = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else None
    return ew.Where.apply(condition, tensor_like(a, like), tensor_like(b, like))


def _floating(x) -> Tensor:
    """`x` as a tensor; an integer or bool one as the default float, as PyTorch (torch.exp of an
    int64 tensor is float32, where NumPy's would be float64), like the other float functions."""
    x = tensor_of(x)
    return x if x.data.dtype.kind == "f" else x.astype(default_float)
