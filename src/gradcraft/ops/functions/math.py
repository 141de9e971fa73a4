"""Elementwise mathematics beyond arithmetic: trigonometric and hyperbolic functions, rounding,
logarithms and exponentials of other bases, erf, reciprocal, the integer-style divisions.

NumPy's names (arcsin, arctan2...) and PyTorch's (asin, atan2...) both, for the same functions.
An integer or bool tensor gives float32 (the default float), as in PyTorch, where NumPy would
give float64; the rounding functions, sign and the divisions keep integers integer.
"""

from __future__ import annotations

from ...backend import xp
from ...tensor import Tensor
from ...validation import check_int, describe
from .. import binary, unary
from .arguments import tensor_of

__all__ = [
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "asin", "acos", "atan",
    "sinh", "cosh", "arcsinh", "arccosh", "arctanh", "asinh", "acosh", "atanh",
    "arctan2", "atan2",
    "log2", "log10", "log1p", "exp2", "expm1", "logaddexp", "logaddexp2",
    "erf", "erfc", "erfinv", "reciprocal", "rsqrt",
    "fmod", "remainder", "mod", "floor_divide",
    "floor", "ceil", "round", "trunc", "sign",
]


def numeric_tensor(x, function: str, name: str = "x") -> Tensor:
    """`x` as a tensor, refused (TypeError naming `name`) unless its dtype is bool or a number."""
    t = tensor_of(x)
    if t.data.dtype.kind not in "biuf":
        raise TypeError(f"{function}: {name} must be a numeric tensor, got {describe(x)} of "
                        f"dtype {t.data.dtype}")
    return t


def _numeric_pair(a, b, function: str):
    """Check the operands of a binary function; a Python number is left for `Function.apply`
    to type next to the tensor (NumPy's weak scalars: float32 % 2.5 stays float32)."""
    for value, name in ((a, "a"), (b, "b")):
        if not isinstance(value, int | float):
            numeric_tensor(value, function, name)
    return a, b


# ------------------------------------------------------------------ trigonometric
def sin(x):
    """The sine, in radians (np.sin, torch.sin)."""
    return unary.Sin.apply(numeric_tensor(x, "sin"))


def cos(x):
    """The cosine, in radians (np.cos, torch.cos)."""
    return unary.Cos.apply(numeric_tensor(x, "cos"))


def tan(x):
    """The tangent, in radians (np.tan, torch.tan)."""
    return unary.Tan.apply(numeric_tensor(x, "tan"))


def arcsin(x):
    """The inverse sine (NumPy's arcsin, torch's asin): nan outside [-1, 1]."""
    return unary.Asin.apply(numeric_tensor(x, "arcsin"))


def arccos(x):
    """The inverse cosine (NumPy's arccos, torch's acos): nan outside [-1, 1]."""
    return unary.Acos.apply(numeric_tensor(x, "arccos"))


def arctan(x):
    """The inverse tangent, in (-pi/2, pi/2) (NumPy's arctan, torch's atan)."""
    return unary.Atan.apply(numeric_tensor(x, "arctan"))


def arctan2(a, b):
    """The angle of the point (b, a) in (-pi, pi] (NumPy's arctan2(x1, x2), torch's atan2)."""
    return binary.Atan2.apply(*_numeric_pair(a, b, "arctan2"))


asin, acos, atan, atan2 = arcsin, arccos, arctan, arctan2


# ------------------------------------------------------------------ hyperbolic
def sinh(x):
    """The hyperbolic sine."""
    return unary.Sinh.apply(numeric_tensor(x, "sinh"))


def cosh(x):
    """The hyperbolic cosine."""
    return unary.Cosh.apply(numeric_tensor(x, "cosh"))


def arcsinh(x):
    """The inverse hyperbolic sine (NumPy's arcsinh, torch's asinh)."""
    return unary.Asinh.apply(numeric_tensor(x, "arcsinh"))


def arccosh(x):
    """The inverse hyperbolic cosine: nan below 1."""
    return unary.Acosh.apply(numeric_tensor(x, "arccosh"))


def arctanh(x):
    """The inverse hyperbolic tangent: +-inf at +-1, nan beyond."""
    return unary.Atanh.apply(numeric_tensor(x, "arctanh"))


asinh, acosh, atanh = arcsinh, arccosh, arctanh


# ------------------------------------------------------------------ logarithms, exponentials
def log2(x):
    """The base-2 logarithm: -inf at 0, nan below."""
    return unary.Log2.apply(numeric_tensor(x, "log2"))


def log10(x):
    """The base-10 logarithm: -inf at 0, nan below."""
    return unary.Log10.apply(numeric_tensor(x, "log10"))


def log1p(x):
    """log(1 + x), accurate for small x."""
    return unary.Log1p.apply(numeric_tensor(x, "log1p"))


def exp2(x):
    """2 ** x (np.exp2, torch.exp2)."""
    return unary.Exp2.apply(numeric_tensor(x, "exp2"))


def expm1(x):
    """e^x - 1, accurate for small x."""
    return unary.Expm1.apply(numeric_tensor(x, "expm1"))


def logaddexp(a, b):
    """log(e^a + e^b) without overflow."""
    return binary.LogAddExp.apply(*_numeric_pair(a, b, "logaddexp"))


def logaddexp2(a, b):
    """log2(2^a + 2^b) without overflow."""
    return binary.LogAddExp2.apply(*_numeric_pair(a, b, "logaddexp2"))


def erf(x):
    """The error function 2/sqrt(pi) int_0^x e^(-t^2) dt (torch.erf; NumPy has none, SciPy's
    scipy.special.erf). Float64 to a few ulp; see `gradcraft.ops.special`."""
    return unary.Erf.apply(numeric_tensor(x, "erf"))


def erfc(x):
    """1 - erf(x), accurate where erf(x) is close to 1 (torch.erfc)."""
    return unary.Erfc.apply(numeric_tensor(x, "erfc"))


def erfinv(x):
    """The inverse of erf on [-1, 1] (torch.erfinv): +-inf at +-1, nan outside."""
    return unary.Erfinv.apply(numeric_tensor(x, "erfinv"))


def reciprocal(x):
    """1 / x (an integer tensor gives float32, as torch.reciprocal; NumPy's would stay integer)."""
    return unary.Reciprocal.apply(numeric_tensor(x, "reciprocal"))


def rsqrt(x):
    """1 / sqrt(x) (torch.rsqrt): inf at 0, nan below."""
    return unary.Rsqrt.apply(numeric_tensor(x, "rsqrt"))


# ------------------------------------------------------------------ divisions
def fmod(a, b):
    """a - b trunc(a / b): the sign of `a` (C's fmod, np.fmod, torch.fmod). Gradients: 1 for
    `a`, -trunc(a / b) for `b`. Integers stay integers; an integer zero divisor raises
    ZeroDivisionError."""
    return binary.Fmod.apply(*_numeric_pair(a, b, "fmod"))


def remainder(a, b):
    """a - b floor(a / b): the sign of `b` (Python's and NumPy's %, torch.remainder). Gradients:
    1 for `a`, -floor(a / b) for `b`. Integers stay integers; an integer zero divisor raises
    ZeroDivisionError."""
    return binary.Remainder.apply(*_numeric_pair(a, b, "remainder"))


mod = remainder


def floor_divide(a, b):
    """floor(a / b) (Python's and NumPy's //, torch.floor_divide). As in PyTorch, it is
    recorded but not differentiable: backward through it raises; floor(a / b) has gradient 0.
    An integer zero divisor raises ZeroDivisionError."""
    return binary.FloorDivide.apply(*_numeric_pair(a, b, "floor_divide"))


def _into(ufunc, name):
    """`ufunc(a, b, out=, casting=)` refusing an integer zero divisor: what the in-place
    operators `%=` and `//=` update a tensor's data with (`operators.in_place`)."""
    def update(a, b, out=None, casting="same_kind"):
        binary.check_integer_divisor(a, xp.asarray(b), name)
        return ufunc(a, b, out=out, casting=casting)
    return update


#: (op, array update) of the in-place operators, for Tensor.__imod__ / __ifloordiv__
IN_PLACE = {"%": (binary.Remainder, _into(xp.remainder, "remainder")),
            "//": (binary.FloorDivide, _into(xp.floor_divide, "floor_divide"))}


# ------------------------------------------------------------------ rounding (gradient 0)
def floor(x):
    """The largest whole number <= x; integers are returned as they are. Gradient 0 (torch)."""
    return unary.Floor.apply(numeric_tensor(x, "floor"))


def ceil(x):
    """The smallest whole number >= x; integers are returned as they are. Gradient 0 (torch)."""
    return unary.Ceil.apply(numeric_tensor(x, "ceil"))


def trunc(x):
    """x rounded toward zero; integers are returned as they are. Gradient 0 (torch)."""
    return unary.Trunc.apply(numeric_tensor(x, "trunc"))


def round(x, decimals=0):  # noqa: A001 - NumPy's name
    """x rounded to `decimals` places, halves to even (np.round, torch.round). A negative
    `decimals` rounds to tens, hundreds...; on integers too (NumPy's rule; torch refuses
    decimals on integers). Gradient 0 (torch)."""
    decimals = check_int(decimals, "decimals")
    return unary.Round.apply(numeric_tensor(x, "round"), decimals=decimals)


def sign(x):
    """-1, 0 or 1 in x's dtype (0 at 0 and at nan, as torch; NumPy gives nan); a bool tensor
    is returned as it is (torch.sign). Gradient 0, as torch's."""
    return unary.Sign.apply(numeric_tensor(x, "sign"))
