"""Weight initialisation, in place, with PyTorch's formulas (`torch.nn.init`).

Every random initialiser takes `rng`: a `numpy.random.Generator` (consumed, so layers built
from one generator differ), an int seed (private: same int, same values), or None: draw from
the process-wide default generator (`gradcraft.random`), so two tensors filled without `rng`
get different values, as in PyTorch. It is seeded with `DEFAULT_SEED` (0) at import and
re-seeded by `gradcraft.manual_seed(n)`, so a program is reproducible run to run either way.

Values are drawn in float64 and then cast to the tensor's dtype, so a float32 and a float64
model built from the same seed hold the same weights up to rounding.

fan_in = shape[1] * receptive field, fan_out = shape[0] * receptive field (weights are
(out, in, *kernel) as in PyTorch).
"""

from __future__ import annotations

import math

import numpy as np

from ..random import DEFAULT_SEED, as_generator
from ..autograd import bump_version
from ..tensor import Tensor
from ..validation import check_choice, check_real

__all__ = ["DEFAULT_SEED", "make_rng", "calculate_gain", "uniform_", "normal_", "constant_",
           "zeros_", "ones_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
           "kaiming_normal_"]


def make_rng(rng=None) -> np.random.Generator:
    """A Generator from `rng`: None -> the default generator (`gradcraft.random`, consumed);
    a Generator -> itself; an int -> a new Generator seeded with it. Anything else: TypeError."""
    return as_generator(rng)


def _array(tensor) -> np.ndarray:
    array = tensor.data if isinstance(tensor, Tensor) else tensor
    if not isinstance(array, np.ndarray):
        raise TypeError(f"init functions fill a Tensor or NumPy array in place, got {type(tensor).__name__}")
    return array


def _fill(tensor, values):
    np.copyto(_array(tensor), values, casting="unsafe")
    if isinstance(tensor, Tensor):
        bump_version(tensor)  # as torch.nn.init: a graph that saved the old value refuses backward
    return tensor


_UNIT_GAIN = ("linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
              "conv_transpose2d", "conv_transpose3d")
NONLINEARITIES = (*_UNIT_GAIN, "tanh", "relu", "leaky_relu", "selu")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The gain PyTorch recommends for `nonlinearity` (std of the activation's effect); `param`
    is leaky_relu's negative slope (default 0.01)."""
    nonlinearity = check_choice(nonlinearity, "nonlinearity", NONLINEARITIES)
    if nonlinearity in _UNIT_GAIN:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else check_real(param, "param")
        return math.sqrt(2.0 / (1 + slope**2))
    return 3.0 / 4  # selu


def fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of `shape` = (out, in, *kernel)."""
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out need a weight with at least 2 dimensions, got shape {tuple(shape)}")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fan(shape, mode: str) -> int:
    mode = check_choice(mode, "mode", ("fan_in", "fan_out"))
    fan_in, fan_out = fans(shape)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a: float = 0.0, b: float = 1.0, rng=None):
    """Fill with U[a, b) (a <= b)."""
    a, b = check_real(a, "a"), check_real(b, "b")
    if a > b:  # NumPy would silently draw from [b, a); torch refuses
        raise ValueError(f"uniform_ needs a <= b, got a={a}, b={b}")
    shape = _array(tensor).shape
    return _fill(tensor, make_rng(rng).uniform(a, b, size=shape))


def normal_(tensor, mean: float = 0.0, std: float = 1.0, rng=None):
    """Fill with N(mean, std^2) (std >= 0)."""
    mean, std = check_real(mean, "mean"), check_real(std, "std", low=0.0)
    shape = _array(tensor).shape
    return _fill(tensor, make_rng(rng).normal(mean, std, size=shape))


def constant_(tensor, val: float):
    """Fill with `val` (e.g. the exam's 0.1 bias for ReLU units; NaN and inf allowed, as torch)."""
    return _fill(tensor, check_real(val, "val", finite=False))


def zeros_(tensor):
    return _fill(tensor, 0.0)


def ones_(tensor):
    return _fill(tensor, 1.0)


def xavier_uniform_(tensor, gain: float = 1.0, rng=None):
    """U[-a, a] with a = gain * sqrt(6 / (fan_in + fan_out))  (Glorot & Bengio, 2010)."""
    gain = check_real(gain, "gain", low=0.0)
    fan_in, fan_out = fans(_array(tensor).shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, rng)


def xavier_normal_(tensor, gain: float = 1.0, rng=None):
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    gain = check_real(gain, "gain", low=0.0)
    fan_in, fan_out = fans(_array(tensor).shape)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng)


def kaiming_uniform_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", rng=None):
    """U[-bound, bound] with bound = gain * sqrt(3 / fan)  (He et al., 2015).

    `a` is the leaky-ReLU slope used in the gain. PyTorch's Linear/Conv default is
    a = sqrt(5): gain = sqrt(2 / 6), so bound = 1 / sqrt(fan_in).
    """
    gain = calculate_gain(nonlinearity, check_real(a, "a"))
    bound = gain * math.sqrt(3.0 / _fan(_array(tensor).shape, mode))
    return uniform_(tensor, -bound, bound, rng)


def kaiming_normal_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", rng=None):
    """N(0, std^2) with std = gain / sqrt(fan)."""
    gain = calculate_gain(nonlinearity, check_real(a, "a"))
    return normal_(tensor, 0.0, gain / math.sqrt(_fan(_array(tensor).shape, mode)), rng)
