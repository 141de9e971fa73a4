"""Unary elementwise ops beyond those of elementwise.py: trigonometric and hyperbolic functions
and their inverses, logarithms and exponentials of other bases, erf, reciprocal, rsqrt, and the
rounding functions.

PyTorch's rules, which NumPy's differ from:
- an integer or bool input gives the default float (float32), not NumPy's float64
  (`_floating`); the rounding functions and sign keep an integer dtype (torch too);
- the rounding functions (floor, ceil, round, trunc) and sign are piecewise constant: their
  gradient is 0 everywhere (the jumps included), as torch's, and their backward reads nothing.

Each op saves what torch's kernel reads (its derivatives.yaml formula), so an in-place change
before backward is refused exactly when torch refuses: sin saves its input, tan its output...
Outside an op's domain (asin(2), log2(-1), rsqrt(0)) the IEEE values nan/inf are torch's too,
computed without NumPy's warnings (`_quiet`).
"""

from __future__ import annotations

import math

from ..autograd import Function
from ..backend import default_float, xp
from . import special
from .elementwise import _quiet

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _floating(a):
    """`a` itself if it is floating, else `a` as the default float (torch.sin(int) is float32)."""
    return a if a.dtype.kind == "f" else a.astype(default_float)


class _OfInput(Function):
    """An op whose gradient reads its input: `derivative(a)` times grad."""

    def forward(self, a):
        a = _floating(a)
        self.save_for_backward(a)
        with _quiet():
            return self.function(a)

    def backward(self, grad):
        a, = self.saved
        with _quiet():
            return grad * self.derivative(a)


class _OfOutput(Function):
    """An op whose gradient reads its output: `derivative_from_output(out)` times grad."""

    def forward(self, a):
        with _quiet():
            out = self.function(_floating(a))
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        out, = self.saved
        with _quiet():
            return grad * self.derivative_from_output(out)


# ------------------------------------------------------------------------ trigonometric
class Sin(_OfInput):
    function = staticmethod(xp.sin)
    derivative = staticmethod(xp.cos)


class Cos(_OfInput):
    function = staticmethod(xp.cos)

    @staticmethod
    def derivative(a):
        return -xp.sin(a)


class Tan(_OfOutput):
    function = staticmethod(xp.tan)

    @staticmethod
    def derivative_from_output(out):
        return 1 + out * out  # tan' = 1 + tan^2


class Asin(_OfInput):
    function = staticmethod(xp.arcsin)

    @staticmethod
    def derivative(a):
        return 1 / xp.sqrt(1 - a * a)


class Acos(_OfInput):
    function = staticmethod(xp.arccos)

    @staticmethod
    def derivative(a):
        return -1 / xp.sqrt(1 - a * a)


class Atan(_OfInput):
    function = staticmethod(xp.arctan)

    @staticmethod
    def derivative(a):
        return 1 / (1 + a * a)


# ------------------------------------------------------------------------ hyperbolic
class Sinh(_OfInput):
    function = staticmethod(xp.sinh)
    derivative = staticmethod(xp.cosh)


class Cosh(_OfInput):
    function = staticmethod(xp.cosh)
    derivative = staticmethod(xp.sinh)


class Asinh(_OfInput):
    function = staticmethod(xp.arcsinh)

    @staticmethod
    def derivative(a):
        return 1 / xp.sqrt(a * a + 1)


class Acosh(_OfInput):
    function = staticmethod(xp.arccosh)

    @staticmethod
    def derivative(a):
        return 1 / xp.sqrt(a * a - 1)


class Atanh(_OfInput):
    function = staticmethod(xp.arctanh)

    @staticmethod
    def derivative(a):
        return 1 / (1 - a * a)


# ------------------------------------------------------------------------ logarithms, exponentials
class Log2(_OfInput):
    function = staticmethod(xp.log2)

    @staticmethod
    def derivative(a):
        return 1 / (a * _LN2)


class Log10(_OfInput):
    function = staticmethod(xp.log10)

    @staticmethod
    def derivative(a):
        return 1 / (a * _LN10)


class Log1p(_OfInput):
    function = staticmethod(xp.log1p)

    @staticmethod
    def derivative(a):
        return 1 / (a + 1)


class Exp2(_OfOutput):
    function = staticmethod(xp.exp2)

    @staticmethod
    def derivative_from_output(out):
        return out * _LN2  # d 2^a = 2^a ln 2


class Expm1(_OfOutput):
    function = staticmethod(xp.expm1)

    @staticmethod
    def derivative_from_output(out):
        return out + 1  # d (e^a - 1) = e^a


class Reciprocal(_OfOutput):
    function = staticmethod(xp.reciprocal)

    @staticmethod
    def derivative_from_output(out):
        return -out * out  # d (1/a) = -1/a^2


class Rsqrt(_OfOutput):
    @staticmethod
    def function(a):
        return 1 / xp.sqrt(a)

    @staticmethod
    def derivative_from_output(out):
        return -0.5 * out * out * out  # d a^(-1/2) = -a^(-3/2) / 2


# ------------------------------------------------------------------------ error function
class Erf(_OfInput):
    function = staticmethod(special.erf)

    @staticmethod
    def derivative(a):
        return special.TWO_OVER_SQRT_PI * xp.exp(-a * a)


class Erfc(_OfInput):
    function = staticmethod(special.erfc)

    @staticmethod
    def derivative(a):
        return -special.TWO_OVER_SQRT_PI * xp.exp(-a * a)


class Erfinv(_OfInput):
    """d erfinv(y) = sqrt(pi)/2 e^(erfinv(y)^2). torch's kernel keeps the input and recomputes
    erfinv in backward; so does this op, so that its in-place verdicts are torch's."""

    function = staticmethod(special.erfinv)

    @staticmethod
    def derivative(a):
        x = special.erfinv(a)
        return xp.exp(x * x) / special.TWO_OVER_SQRT_PI


# ------------------------------------------------------------------------ piecewise constant
class _Flat(Function):
    """An op whose gradient is 0 everywhere (torch's too, even at the jumps); it reads nothing."""

    def forward(self, a, **options):
        if a.dtype == bool and not self.accepts_bool:
            raise TypeError(f"{self.name}: x must be a numeric tensor, got dtype bool "
                            "(torch refuses it too)")
        if a.dtype.kind != "f" and self.integers_unchanged:
            return a.copy()  # an integer is already whole: torch returns it as it is
        return self.function(a, **options)

    def backward(self, grad):
        return xp.zeros_like(grad)

    accepts_bool = False
    integers_unchanged = True


class Floor(_Flat):
    name = "floor"
    function = staticmethod(xp.floor)


class Ceil(_Flat):
    name = "ceil"
    function = staticmethod(xp.ceil)


class Trunc(_Flat):
    name = "trunc"
    function = staticmethod(xp.trunc)


class Round(_Flat):
    """Half to even, as NumPy and torch; with decimals, rint(a * 10^d) / 10^d (rint(a / 10^-d)
    * 10^-d for d < 0), the same arithmetic in both. On integers a negative `decimals` rounds
    to tens, hundreds... (NumPy's rule; torch refuses decimals on integers)."""

    name = "round"
    integers_unchanged = False

    @staticmethod
    def function(a, decimals=0):
        return xp.round(a, decimals)


class Sign(_Flat):
    name = "sign"
    accepts_bool = True
    integers_unchanged = False

    @staticmethod
    def function(a):
        if a.dtype == bool:
            return a.copy()  # torch.sign(bool) is the bool
        if a.dtype.kind == "f":
            return xp.where(xp.isnan(a), 0, xp.sign(a))  # torch.sign(nan) is 0, NumPy's nan
        return xp.sign(a)
