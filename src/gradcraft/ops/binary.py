"""Binary elementwise ops beyond arithmetic: atan2, logaddexp, logaddexp2, and the divisions
fmod, remainder and floor_divide (NumPy's `%` and `//`, which are torch's too).

They broadcast like NumPy and return gradients in the broadcast shape (the engine sums them to
each input's shape). Each saves what torch's kernel reads, and only for the gradients wanted.

Integers: fmod, remainder and floor_divide stay integer, and a zero divisor is a
ZeroDivisionError (torch raises too; NumPy would give 0 with a warning). atan2 and logaddexp of
integers give the default float (float32), as torch.atan2 does.
"""

from __future__ import annotations

import math

from ..autograd import Function
from ..backend import default_float, xp
from .elementwise import _broadcast, _quiet

_LN2 = math.log(2.0)


def _floating_pair(a, b):
    """Both operands as the default float when neither is floating (torch.atan2(int, int) is
    float32); otherwise as they are (NumPy promotes a mixed pair to the float)."""
    if a.dtype.kind != "f" and b.dtype.kind != "f":
        return a.astype(default_float), b.astype(default_float)
    return a, b


def check_integer_divisor(a, b, name: str) -> None:
    """Refuse an integer division by zero (Python's error; NumPy would return 0 silently)."""
    if xp.result_type(a, b).kind in "iub" and not xp.all(b):
        raise ZeroDivisionError(f"{name}: integer division by zero (a zero in the divisor)")


class Atan2(Function):
    """atan2(a, b), the angle of the point (b, a). With r^2 = a^2 + b^2:
    d/da = b / r^2, d/db = -a / r^2 (torch's atan2_backward; both read a and b), and 0 where
    r^2 is 0, as torch."""

    def forward(self, a, b):
        a, b = _floating_pair(a, b)
        self.save_for_backward(a, b)
        return _broadcast(xp.arctan2, "atan2", a, b)

    def backward(self, grad):
        a, b = self.saved
        square = a * a + b * b
        with _quiet():  # inf * 0 where an operand is infinite: nan, as torch
            # at the origin (or where r^2 underflows) torch's gradient is 0, not 0/0
            scaled = xp.where(square == 0, 0.0, grad / square)
            return (scaled * b if self.needs_input_grad[0] else None,
                    -scaled * a if self.needs_input_grad[1] else None)


class LogAddExp(Function):
    """log(e^a + e^b). d/da = 1 / (1 + e^(b - a)) (a sigmoid of a - b), d/db symmetric; torch
    writes them so, reading a and b. A huge e^(b - a) overflows to inf and the gradient to 0:
    right, and silent."""

    base_exp = staticmethod(xp.exp)
    function = staticmethod(xp.logaddexp)
    symbol = "logaddexp"

    def forward(self, a, b):
        a, b = _floating_pair(a, b)
        self.save_for_backward(a, b)
        return _broadcast(self.function, self.symbol, a, b)

    def backward(self, grad):
        a, b = self.saved
        with _quiet():
            ga = grad / (1 + self.base_exp(b - a)) if self.needs_input_grad[0] else None
            gb = grad / (1 + self.base_exp(a - b)) if self.needs_input_grad[1] else None
        return ga, gb


class LogAddExp2(LogAddExp):
    """log2(2^a + 2^b). d/da = 1 / (1 + 2^(b - a)) (the ln 2 of 2^a cancels the 1/ln 2 of log2)."""

    base_exp = staticmethod(xp.exp2)
    function = staticmethod(xp.logaddexp2)
    symbol = "logaddexp2"


class _Division(Function):
    """a - b * q(a / b), with q the rounding of the quotient (trunc for fmod, floor for
    remainder). d/da = 1; d/db = -q(a / b), the quotient rounded as torch rounds it
    (a.div(b, rounding_mode=...)); only that gradient reads a and b."""

    def forward(self, a, b):
        check_integer_divisor(a, b, self.name)
        if self.needs_input_grad[1]:
            self.save_for_backward(a, b)
        with _quiet():  # x % 0.0 = nan, as torch
            return _broadcast(self.function, self.symbol, a, b)

    def backward(self, grad):
        gb = None
        if self.needs_input_grad[1]:
            a, b = self.saved
            with _quiet():
                gb = -grad * self.quotient(a, b)
        return (grad if self.needs_input_grad[0] else None), gb


class Fmod(_Division):
    """C's fmod: the result has the sign of a (torch.fmod, np.fmod)."""

    name = symbol = "fmod"
    function = staticmethod(xp.fmod)

    @staticmethod
    def quotient(a, b):
        return xp.trunc(a / b)  # torch's rounding_mode="trunc": the true quotient truncated


class Remainder(_Division):
    """Python's %: the result has the sign of b (torch.remainder, np.remainder)."""

    name, symbol = "remainder", "%"
    function = staticmethod(xp.remainder)
    quotient = staticmethod(xp.floor_divide)  # torch's rounding_mode="floor" computes the same


class FloorDivide(Function):
    """a // b (NumPy's and torch's floor division). torch records it but has no derivative:
    backward raises, as torch's does (use floor(a / b), whose gradient is 0, to differentiate
    through a floor)."""

    def forward(self, a, b):
        check_integer_divisor(a, b, "floor_divide")
        with _quiet():  # x // 0.0 = +-inf, as torch
            return _broadcast(xp.floor_divide, "//", a, b)

    def backward(self, grad):
        raise RuntimeError("the derivative of floor_divide (//) is not implemented, as in "
                           "PyTorch; use gradcraft.floor(a / b) (gradient 0) to differentiate "
                           "through a floor division")
