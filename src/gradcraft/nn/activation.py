"""Parameter-free layers wrapping `gradcraft.functional` (PyTorch's names and defaults)."""

from __future__ import annotations

from .. import functional as F
from ..validation import check_int, check_real
from .module import Module


__all__ = ["Identity", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax"]

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
