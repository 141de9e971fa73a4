"""Parameter-free layers wrapping `gradcraft.functional` (PyTorch's names and defaults)."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..backend import default_float
from ..validation import check_bool, check_choice, check_int, check_real
from .init import constant_
from .module import Module, check_float_dtype
from .parameter import Parameter


__all__ = ["Identity", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
           "GELU", "SiLU", "Mish", "ELU", "SELU", "CELU", "Softplus", "Softsign", "LogSigmoid",
           "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish", "PReLU", "Softmin"]

class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. to remove a layer)."""

    def forward(self, x):
        return x


class ReLU(Module):
    """max(0, x) elementwise."""

    def forward(self, x):
        return F.relu(x)


class LeakyReLU(Module):
    """x if x > 0 else negative_slope * x."""

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        # Any real slope, NaN and inf included (as torch): only the type is checked.
        self.negative_slope = check_real(negative_slope, "negative_slope", finite=False)

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    """1 / (1 + exp(-x)) elementwise."""

    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    """tanh(x) elementwise."""

    def forward(self, x):
        return F.tanh(x)


class Softmax(Module):
    """softmax along `axis` (PyTorch's `dim=` is accepted as an alias)."""

    def __init__(self, axis: int = -1, *, dim: int | None = None):
        super().__init__()
        # The error names the argument the user wrote: dim (PyTorch's) or axis (NumPy's).
        self.axis = check_int(axis, "axis") if dim is None else check_int(dim, "dim")

    def forward(self, x):
        return F.softmax(x, axis=self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Softmax):
    """log softmax along `axis`, computed stably (pair with NLL loss)."""

    def forward(self, x):
        return F.log_softmax(x, axis=self.axis)


# ---------------------------------------------------------------------------- more activations
# PyTorch's names, constructor arguments, attributes and reprs. `inplace=` is accepted and shown
# in the repr as torch shows it, but ignored: every module here returns a new tensor.


class _MaybeInplace(Module):
    """A parameter-free activation taking torch's `inplace=` flag (checked, then ignored)."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = check_bool(inplace, "inplace")

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class GELU(Module):
    """x Phi(x) (Phi the standard normal CDF); approximate='tanh' uses the tanh approximation."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = check_choice(approximate, "approximate", ("none", "tanh"))

    def forward(self, x):
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(_MaybeInplace):
    """x sigmoid(x). `inplace` is ignored (out-of-place)."""

    def forward(self, x):
        return F.silu(x)


class Mish(_MaybeInplace):
    """x tanh(softplus(x)). `inplace` is ignored (out-of-place)."""

    def forward(self, x):
        return F.mish(x)


class ELU(Module):
    """x for x > 0, alpha (exp(x) - 1) otherwise. `inplace` is ignored (out-of-place)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = check_real(alpha, "alpha", finite=False)  # any real, as torch
        self.inplace = check_bool(inplace, "inplace")

    def forward(self, x):
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{', inplace=True' if self.inplace else ''}"


class SELU(_MaybeInplace):
    """scale * elu(x, alpha) with the self-normalising constants. `inplace` is ignored."""

    def forward(self, x):
        return F.selu(x)


class CELU(ELU):
    """max(0, x) + min(0, alpha (exp(x / alpha) - 1)); alpha != 0. `inplace` is ignored."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__(alpha, inplace)
        if self.alpha == 0:
            raise ValueError("alpha must not be 0 for CELU (x / alpha), got 0.0")

    def forward(self, x):
        return F.celu(x, self.alpha)


class Softplus(Module):
    """log(1 + exp(beta x)) / beta, linear (x) where beta x > threshold."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta = check_real(beta, "beta", finite=False)
        self.threshold = check_real(threshold, "threshold", finite=False)

    def forward(self, x):
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softsign(Module):
    """x / (1 + |x|)."""

    def forward(self, x):
        return F.softsign(x)


class LogSigmoid(Module):
    """log sigmoid(x), stable for large |x|."""

    def forward(self, x):
        return F.logsigmoid(x)


class Hardtanh(Module):
    """clip(x, min_val, max_val); max_val must exceed min_val (torch asserts it).
    `inplace` is ignored (out-of-place)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
        super().__init__()
        self.min_val = check_real(min_val, "min_val", finite=False)
        self.max_val = check_real(max_val, "max_val", finite=False)
        if not self.max_val > self.min_val:
            raise ValueError(f"max_val must be greater than min_val, got min_val={self.min_val!r}, "
                             f"max_val={self.max_val!r}")
        self.inplace = check_bool(inplace, "inplace")

    def forward(self, x):
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{', inplace=True' if self.inplace else ''}"


class ReLU6(Hardtanh):
    """min(max(0, x), 6): Hardtanh(0, 6), as in torch. `inplace` is ignored (out-of-place)."""

    def __init__(self, inplace: bool = False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Hardsigmoid(_MaybeInplace):
    """relu6(x + 3) / 6. `inplace` is ignored (out-of-place)."""

    def forward(self, x):
        return F.hardsigmoid(x)

    def extra_repr(self) -> str:
        return ""  # torch's Hardsigmoid shows no inplace flag


class Hardswish(_MaybeInplace):
    """x relu6(x + 3) / 6. `inplace` is ignored (out-of-place)."""

    def forward(self, x):
        return F.hardswish(x)

    def extra_repr(self) -> str:
        return ""  # torch's Hardswish shows no inplace flag


class Softmin(Module):
    """softmax(-x) along `dim`; dim=None is torch's deprecated implicit choice (with its warning)."""

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = None if dim is None else check_int(dim, "dim")

    def forward(self, x):
        return F.softmin(x, dim=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class PReLU(Module):
    """x for x > 0, weight * x otherwise, with a learnt `weight` of `num_parameters` values (1:
    shared; else one per channel, axis 1 of the input), each starting at `init`. The parameter is
    named `weight` and has shape (num_parameters,), as torch's, so state dicts move both ways."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype=default_float):
        super().__init__()
        # At least 1 (torch allows 0, which no input can use).
        self.num_parameters = check_int(num_parameters, "num_parameters", low=1)
        self.init = check_real(init, "init", finite=False)
        self.weight = Parameter(np.empty(self.num_parameters, dtype=check_float_dtype(dtype)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Set every weight back to `init`."""
        constant_(self.weight, self.init)

    def forward(self, x):
        return F.prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"
