"""Activation functions (PyTorch's `F.relu`, `F.softmax`, ...): elementwise nonlinearities and
the normalising maps over an axis."""

from __future__ import annotations

import math
import numbers
import warnings

from ..backend import is_float_dtype
from ..ops import activations as act
from ..ops.functions import leaky_relu, relu, sigmoid, tanh
from ..ops.reduce import normalize_axis
from ..ops.softmax import LogSoftmax, Softmax
from ..spelling import accepts_dim
from ..tensor import Tensor, as_tensor
from ..validation import check_bool, check_choice, check_int, check_real, describe

__all__ = ["relu", "leaky_relu", "sigmoid", "tanh", "softmax", "log_softmax",
           "gelu", "silu", "mish", "elu", "selu", "celu", "softplus", "softsign", "logsigmoid",
           "hardtanh", "relu6", "hardsigmoid", "hardswish", "prelu", "softmin", "normalize"]


@accepts_dim
def softmax(x, axis: int = -1) -> Tensor:
    """exp(x) / sum exp(x) along `axis`; stable for logits of any size."""
    return Softmax.apply(as_tensor(x), axis=axis)


@accepts_dim
def log_softmax(x, axis: int = -1) -> Tensor:
    """log softmax along `axis`, computed without forming softmax (no log(0))."""
    return LogSoftmax.apply(as_tensor(x), axis=axis)


# ---------------------------------------------------------------------------- more activations
# PyTorch's F.gelu ... F.normalize, with PyTorch's arguments and defaults. An `inplace=` argument
# is accepted where PyTorch has one and checked, but ignored: the result is always a new tensor
# (the input keeps its value and its gradient history). Inputs must be floating point (torch
# refuses integer tensors too).


def _floating(x, function: str) -> Tensor:
    x = as_tensor(x)
    if not is_float_dtype(x.dtype):
        raise TypeError(f"{function}: input must be a floating-point tensor, got dtype {x.dtype}; "
                        "convert it first, e.g. x.astype(np.float32)")
    return x


def gelu(x, approximate: str = "none") -> Tensor:
    """x Phi(x), Phi the standard normal CDF (torch's `F.gelu`): exact through erf with
    approximate='none', or 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) with 'tanh'."""
    approximate = check_choice(approximate, "approximate", ("none", "tanh"))
    return act.GELU.apply(_floating(x, "gelu"), approximate=approximate)


def silu(x, inplace: bool = False) -> Tensor:
    """x sigmoid(x) (also called swish). `inplace` is accepted and ignored (out-of-place)."""
    check_bool(inplace, "inplace")
    return act.SiLU.apply(_floating(x, "silu"))


def mish(x, inplace: bool = False) -> Tensor:
    """x tanh(softplus(x)). `inplace` is accepted and ignored (out-of-place)."""
    check_bool(inplace, "inplace")
    return act.Mish.apply(_floating(x, "mish"))


def elu(x, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha (exp(x) - 1) otherwise; the gradient at 0 is alpha, as torch's.
    `inplace` is accepted and ignored (out-of-place)."""
    alpha = check_real(alpha, "alpha", finite=False)  # any real, as torch
    check_bool(inplace, "inplace")
    return act.ELU.apply(_floating(x, "elu"), alpha=alpha, scale=1.0, input_scale=1.0)


def selu(x, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with torch's constants alpha = 1.6732632..., scale = 1.0507009...
    `inplace` is accepted and ignored (out-of-place)."""
    check_bool(inplace, "inplace")
    return act.ELU.apply(_floating(x, "selu"), alpha=act.SELU_ALPHA, scale=act.SELU_SCALE,
                         input_scale=1.0)


def celu(x, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha (exp(x / alpha) - 1)); alpha must not be 0 (as torch).
    `inplace` is accepted and ignored (out-of-place)."""
    alpha = check_real(alpha, "alpha", finite=False)
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0 (x / alpha), got 0.0")
    check_bool(inplace, "inplace")
    return act.ELU.apply(_floating(x, "celu"), alpha=alpha, scale=1.0, input_scale=1.0 / alpha)


def softplus(x, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (torch's rule, exactly:
    the linear branch starts strictly above the threshold)."""
    beta = check_real(beta, "beta", finite=False)
    threshold = check_real(threshold, "threshold", finite=False)
    return act.Softplus.apply(_floating(x, "softplus"), beta=beta, threshold=threshold)


def softsign(x) -> Tensor:
    """x / (1 + |x|)."""
    return act.Softsign.apply(_floating(x, "softsign"))


def logsigmoid(x) -> Tensor:
    """log sigmoid(x), computed as min(x, 0) - log(1 + exp(-|x|)): finite for every finite x."""
    return act.LogSigmoid.apply(_floating(x, "logsigmoid"))


def hardtanh(x, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """clip(x, min_val, max_val); gradient 1 strictly between the bounds, 0 at and beyond them
    (torch's). min_val > max_val is a ValueError (min_val == max_val is allowed, as torch).
    `inplace` is accepted and ignored (out-of-place)."""
    min_val = check_real(min_val, "min_val", finite=False)
    max_val = check_real(max_val, "max_val", finite=False)
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val must be <= max_val, got min_val={min_val!r}, "
                         f"max_val={max_val!r}")
    check_bool(inplace, "inplace")
    return act.Hardtanh.apply(_floating(x, "hardtanh"), min_val=min_val, max_val=max_val)


def relu6(x, inplace: bool = False) -> Tensor:
    """min(max(0, x), 6) = hardtanh(x, 0, 6): gradient 0 at exactly 0 and 6, as torch's.
    `inplace` is accepted and ignored (out-of-place)."""
    check_bool(inplace, "inplace")
    return act.Hardtanh.apply(_floating(x, "relu6"), min_val=0.0, max_val=6.0)


def hardsigmoid(x, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6; gradient 1/6 strictly inside (-3, 3), else 0.
    `inplace` is accepted and ignored (out-of-place)."""
    check_bool(inplace, "inplace")
    return act.Hardsigmoid.apply(_floating(x, "hardsigmoid"))


def hardswish(x, inplace: bool = False) -> Tensor:
    """x relu6(x + 3) / 6; gradient x/3 + 1/2 inside (-3, 3), 0 at and below -3, 1 at and above
    3 (torch 2.13's). `inplace` is accepted and ignored (out-of-place)."""
    check_bool(inplace, "inplace")
    return act.Hardswish.apply(_floating(x, "hardswish"))


def prelu(x, weight) -> Tensor:
    """x for x > 0, weight * x otherwise (torch's `F.prelu`). `weight` is 0-d or 1-D with one
    value (shared) or C values, C = x.shape[1] (the channel axis; a 1-D `x` has one channel).
    Both get gradients. x and weight must have the same dtype (torch does not promote either)."""
    x = _floating(x, "prelu")
    weight = as_tensor(weight)
    if weight.ndim > 1:
        raise ValueError(f"prelu: weight must be 0-d or 1-D, got shape {weight.shape}")
    if weight.dtype != x.dtype:
        raise TypeError(f"prelu: weight has dtype {weight.dtype} and the input {x.dtype}; "
                        "they must be the same")
    if weight.size != 1:
        if x.ndim == 0:
            raise ValueError(f"prelu: a 0-d input takes a single weight, got {weight.size}")
        channels = x.shape[1] if x.ndim > 1 else 1
        if weight.size != channels:
            raise ValueError(f"prelu: weight has {weight.size} values but the input has "
                             f"{channels} channel{'' if channels == 1 else 's'} (axis 1 of shape {x.shape}); "
                             f"give 1 or {channels}")
    return act.PReLU.apply(x, weight)


@accepts_dim
def softmin(x, axis: int | None = None) -> Tensor:
    """softmax(-x) along `axis` (PyTorch's `dim=`). axis=None is torch's deprecated implicit
    choice, with torch's warning: axis 0 for 0-, 1- and 3-dimensional input, else axis 1.
    As `softmax` here, a 0-d input is refused (torch returns 1.0)."""
    x = _floating(x, "softmin")
    if axis is None:
        warnings.warn("Implicit dimension choice for softmin has been deprecated. Change the "
                      "call to include dim=X as an argument.", UserWarning, stacklevel=3)
        axis = 0 if x.ndim in (0, 1, 3) else 1
    axis = check_int(axis, "axis")
    if x.ndim == 0:
        raise ValueError("softmin needs a tensor with at least 1 dimension, got a 0-d tensor")
    axis, = normalize_axis(axis, x.ndim)
    return act.Softmin.apply(x, axis=axis)


@accepts_dim
def normalize(x, p: float = 2.0, axis=1, eps: float = 1e-12) -> Tensor:
    """x / max(||x||_p, eps) along `axis` (an int, a tuple of ints or None for all; PyTorch's
    `dim=`, default 1): torch's `F.normalize`. p is any real or +-inf (inf: the largest |x|,
    0: the count of non-zeros); eps >= 0 keeps a zero vector finite (it becomes x / eps = 0)."""
    p = check_real(p, "p", finite=False)
    if math.isnan(p):
        raise ValueError("p must be a real number or +-inf, got nan")
    eps = check_real(eps, "eps", low=0.0)
    x = _floating(x, "normalize")
    if axis is not None and not isinstance(axis, numbers.Integral):
        if isinstance(axis, str) or not hasattr(axis, "__iter__"):
            raise TypeError(f"axis must be an int, a tuple of ints or None, got {describe(axis)}")
        axis = tuple(check_int(a, "axis") for a in axis)
    elif axis is not None:
        axis = check_int(axis, "axis")
    axes = normalize_axis(axis, x.ndim)
    return act.Normalize.apply(x, p=p, axes=axes, eps=eps)
