"""Elementwise ops: arithmetic, unary functions, activations, comparisons-by-value.

Binary ops broadcast like NumPy and return gradients in the broadcast shape; the engine sums
them back to each input's shape.
"""

from __future__ import annotations

from ..backend import xp
from .function import Function


def _broadcasting(symbol, a, b, compute):
    """Run `compute()`, turning NumPy's broadcast failure into an error naming both shapes."""
    try:
        return compute()
    except ValueError as error:
        if "broadcast" not in str(error):
            raise
        raise ValueError(
            f"operands of '{symbol}' have incompatible shapes {a.shape} and {b.shape}"
        ) from None


# ------------------------------------------------------------------------ arithmetic
class Add(Function):
    def forward(self, a, b):
        return _broadcasting("+", a, b, lambda: a + b)

    def backward(self, grad):
        return grad, grad


class Sub(Function):
    def forward(self, a, b):
        return _broadcasting("-", a, b, lambda: a - b)

    def backward(self, grad):
        return grad, (-grad if self.needs_input_grad[1] else None)


class Mul(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return _broadcasting("*", a, b, lambda: a * b)

    def backward(self, grad):
        ga = grad * self.b if self.needs_input_grad[0] else None
        gb = grad * self.a if self.needs_input_grad[1] else None
        return ga, gb


class Div(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return _broadcasting("/", a, b, lambda: a / b)

    def backward(self, grad):
        # d(a/b)/da = 1/b ; d(a/b)/db = -a/b^2
        ga = grad / self.b if self.needs_input_grad[0] else None
        gb = -grad * self.a / (self.b * self.b) if self.needs_input_grad[1] else None
        return ga, gb


class Pow(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        self.out = _broadcasting("**", a, b, lambda: a**b)
        return self.out

    def backward(self, grad):
        a, b = self.a, self.b
        ga = gb = None
        if self.needs_input_grad[0]:
            # d(a^b)/da = b a^(b-1); written as b*a^(b-1) (not b*out/a) so a = 0 is exact,
            # and 0 where b = 0 (PyTorch's convention, avoiding 0 * inf at a = 0).
            with xp.errstate(divide="ignore", invalid="ignore"):
                ga = grad * xp.where(b == 0, 0, b * a ** (b - 1))
        if self.needs_input_grad[1]:
            # d(a^b)/db = a^b ln a; PyTorch's convention: 0 where a = 0 and b >= 0.
            with xp.errstate(divide="ignore", invalid="ignore"):
                log_a = xp.log(a)
            gb = grad * xp.where((a == 0) & (b >= 0), 0, self.out * log_a)
        return ga, gb


class Neg(Function):
    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad


class Cast(Function):
    def forward(self, a, dtype):
        return a.astype(dtype)

    def backward(self, grad):
        return grad  # the engine casts back to the input's dtype


# ------------------------------------------------------------------------ unary functions
class Exp(Function):
    def forward(self, a):
        self.out = xp.exp(a)
        return self.out

    def backward(self, grad):
        return grad * self.out


class Log(Function):
    def forward(self, a):
        self.a = a
        return xp.log(a)

    def backward(self, grad):
        return grad / self.a


class Sqrt(Function):
    def forward(self, a):
        self.out = xp.sqrt(a)
        return self.out

    def backward(self, grad):
        return grad / (2 * self.out)


class Abs(Function):
    def forward(self, a):
        self.a = a
        return xp.abs(a)

    def backward(self, grad):
        return grad * xp.sign(self.a)  # subgradient 0 at 0, as PyTorch


class Tanh(Function):
    def forward(self, a):
        self.out = xp.tanh(a)
        return self.out

    def backward(self, grad):
        return grad * (1 - self.out * self.out)


class Sigmoid(Function):
    def forward(self, a):
        # sigma(a) = (1 + tanh(a/2)) / 2: no overflow for any a, unlike 1 / (1 + exp(-a)).
        self.out = 0.5 * (1 + xp.tanh(0.5 * a))
        return self.out

    def backward(self, grad):
        return grad * self.out * (1 - self.out)


class ReLU(Function):
    def forward(self, a):
        out = xp.maximum(a, 0)
        self.mask = out > 0  # relu'(0) = 0, as PyTorch
        return out

    def backward(self, grad):
        return grad * self.mask


class LeakyReLU(Function):
    def forward(self, a, negative_slope):
        self.slope = xp.where(a > 0, 1, negative_slope).astype(a.dtype)
        return a * self.slope

    def backward(self, grad):
        return grad * self.slope


class Clip(Function):
    def forward(self, a, low, high):
        self.inside = xp.ones(a.shape, dtype=bool)
        if low is not None:
            self.inside &= a >= low
        if high is not None:
            self.inside &= a <= high
        return xp.clip(a, low, high)

    def backward(self, grad):
        return grad * self.inside  # boundaries count as inside, as torch.clamp


# ------------------------------------------------------------------------ selection
class Maximum(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return _broadcasting("maximum", a, b, lambda: xp.maximum(a, b))

    def backward(self, grad):
        return _split_between(grad, self.a > self.b, self.a == self.b)


class Minimum(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return _broadcasting("minimum", a, b, lambda: xp.minimum(a, b))

    def backward(self, grad):
        return _split_between(grad, self.a < self.b, self.a == self.b)


def _split_between(grad, first_wins, tie):
    """Route grad to the winner; a tie sends half to each (PyTorch's maximum/minimum)."""
    share = xp.where(first_wins, 1.0, xp.where(tie, 0.5, 0.0)).astype(grad.dtype)
    return grad * share, grad * (1 - share)


class Where(Function):
    def forward(self, condition, a, b):
        self.condition = condition.astype(bool)
        return _broadcasting("where", a, b, lambda: xp.where(self.condition, a, b))

    def backward(self, grad):
        ga = xp.where(self.condition, grad, 0) if self.needs_input_grad[1] else None
        gb = xp.where(self.condition, 0, grad) if self.needs_input_grad[2] else None
        return None, ga, gb
