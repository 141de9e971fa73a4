"""Elementwise ops: arithmetic, unary functions, activations, comparisons-by-value.

Binary ops broadcast like NumPy and return gradients in the broadcast shape; the engine sums
them back to each input's shape.
"""

from __future__ import annotations

from ..backend import xp
from .function import Function


def _broadcast(ufunc, symbol, a, b):
    """`ufunc(a, b)`; if the shapes do not broadcast, an error naming both (not NumPy's)."""
    try:
        return ufunc(a, b)
    except ValueError:
        _raise_if_incompatible(f"operands of '{symbol}' have", a, b)
        raise


def _raise_if_incompatible(subject, *arrays):
    try:
        xp.broadcast_shapes(*(x.shape for x in arrays))
    except ValueError:
        shapes = [str(x.shape) for x in arrays]
        shapes = ", ".join(shapes[:-1]) + " and " + shapes[-1]
        raise ValueError(f"{subject} incompatible shapes {shapes}") from None


# Outside an op's domain (log 0, sqrt(-1), 0 ** -1) the IEEE values inf/nan are PyTorch's too;
# PyTorch prints nothing there, while NumPy would warn from inside this file. Only the ops whose
# domain has holes use it: entering errstate costs ~2 us.
def _quiet():
    return xp.errstate(divide="ignore", invalid="ignore", over="ignore")


# ------------------------------------------------------------------------ arithmetic
class Add(Function):
    saved_inputs = ()
    saves_output = False

    def forward(self, a, b):
        return _broadcast(xp.add, "+", a, b)

    def backward(self, grad):
        return grad, grad


class Sub(Function):
    saved_inputs = ()
    saves_output = False

    def forward(self, a, b):
        return _broadcast(xp.subtract, "-", a, b)

    def backward(self, grad):
        return grad, (-grad if self.needs_input_grad[1] else None)


class Mul(Function):
    saves_output = False

    def forward(self, a, b):
        self.a, self.b = a, b
        return _broadcast(xp.multiply, "*", a, b)

    def backward(self, grad):
        ga = grad * self.b if self.needs_input_grad[0] else None
        gb = grad * self.a if self.needs_input_grad[1] else None
        return ga, gb


class Div(Function):
    saved_inputs = (1,)

    def forward(self, a, b):
        self.b = b
        self.out = _broadcast(xp.true_divide, "/", a, b)
        return self.out

    def backward(self, grad):
        # d(a/b)/da = 1/b ; d(a/b)/db = -a/b^2 = -(1/b) (a/b): both start from grad / b
        grad_over_b = grad / self.b
        gb = -(grad_over_b * self.out) if self.needs_input_grad[1] else None
        return (grad_over_b if self.needs_input_grad[0] else None), gb


class Pow(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        with _quiet():  # 0 ** -1 = inf, (-8) ** (1/3) = nan: PyTorch's values, and no warning
            self.out = _broadcast(xp.power, "**", a, b)
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
                gb = grad * xp.where((a == 0) & (b >= 0), 0, self.out * xp.log(a))
        return ga, gb


class Neg(Function):
    saved_inputs = ()
    saves_output = False

    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad


class Cast(Function):
    saved_inputs = ()
    saves_output = False

    def forward(self, a, dtype):
        return a.astype(dtype)

    def backward(self, grad):
        return grad  # the engine casts back to the input's dtype


# ------------------------------------------------------------------------ unary functions
class Exp(Function):
    saved_inputs = ()

    def forward(self, a):
        self.out = xp.exp(a)
        return self.out

    def backward(self, grad):
        return grad * self.out


class Log(Function):
    saves_output = False

    def forward(self, a):
        self.a = a
        with _quiet():  # log 0 = -inf, log(-1) = nan, as PyTorch (which prints nothing)
            return xp.log(a)

    def backward(self, grad):
        with _quiet():  # 1/0 = inf at a = 0
            return grad / self.a


class Sqrt(Function):
    saved_inputs = ()

    def forward(self, a):
        with _quiet():  # sqrt(-1) = nan, as PyTorch
            self.out = xp.sqrt(a)
        return self.out

    def backward(self, grad):
        with _quiet():  # 1/(2 sqrt(0)) = inf; nan outside the domain
            return grad / (2 * self.out)


class Abs(Function):
    saves_output = False

    def forward(self, a):
        self.a = a
        return xp.abs(a)

    def backward(self, grad):
        return grad * xp.sign(self.a)  # subgradient 0 at 0, as PyTorch


class Tanh(Function):
    saved_inputs = ()

    def forward(self, a):
        self.out = xp.tanh(a)
        return self.out

    def backward(self, grad):
        return grad * (1 - self.out * self.out)


class Sigmoid(Function):
    saved_inputs = ()

    def forward(self, a):
        # 1 / (1 + exp(-a)), as PyTorch: relative accuracy to the smallest normal number (the
        # negative tail keeps sigma(-40) = 4e-18, which (1 + tanh(a/2)) / 2 would round to 0).
        # Below a = -log(max float) exp(-a) overflows to inf and sigma to 0: right, and silent.
        with xp.errstate(over="ignore"):
            self.out = 1 / (1 + xp.exp(-a))
        return self.out

    def backward(self, grad):
        return grad * self.out * (1 - self.out)


class ReLU(Function):
    saved_inputs = ()
    saves_output = False

    def forward(self, a):
        out = xp.maximum(a, 0)
        self.mask = out > 0  # relu'(0) = 0, as PyTorch
        return out

    def backward(self, grad):
        return grad * self.mask


class LeakyReLU(Function):
    saved_inputs = ()
    saves_output = False

    def forward(self, a, negative_slope):
        # slope 1 where a > 0, negative_slope elsewhere (at 0 too, as PyTorch), by arithmetic
        # on the mask: np.where with an unpredictable mask is several times slower.
        slope = (a > 0).astype(a.dtype)
        slope *= 1 - negative_slope
        slope += negative_slope
        self.slope = slope
        return a * slope

    def backward(self, grad):
        return grad * self.slope


class Clip(Function):
    """clip(a, low, high) = min(max(a, low), high), as np.clip and torch.clamp.

    The bounds may be None, numbers, arrays or Tensors broadcasting with `a`. They are inputs of
    the op (not options), so a bound that requires grad gets one, with torch.clamp's rule:
    d/da = 1 where low <= a <= high (ties count as inside: `a` keeps the gradient);
    d/dlow = 1 where a < low < high (a < low without high); d/dhigh = 1 where a > high, and
    wherever high < low (there the output is `high` whatever `a` is).
    """

    @classmethod
    def apply(cls, a, low=None, high=None):
        bounds = tuple(b for b in (low, high) if b is not None)
        return super().apply(a, *bounds, has_low=low is not None, has_high=high is not None)

    def forward(self, a, *bounds, has_low, has_high):
        low = bounds[0] if has_low else None
        high = bounds[-1] if has_high else None
        self.a, self.low, self.high = a, low, high
        try:
            return xp.clip(a, low, high)
        except ValueError:
            raise ValueError(
                f"clip: bounds of shapes {xp.shape(low)} and {xp.shape(high)} do not broadcast "
                f"with the tensor's shape {a.shape}"
            ) from None

    def backward(self, grad):
        a, low, high = self.a, self.low, self.high
        needs = self.needs_input_grad
        grads = []
        if needs[0]:
            inside = (True if low is None else a >= low) & (True if high is None else a <= high)
            grads.append(grad * inside)
        else:
            grads.append(None)
        if low is not None:
            below = a < low if high is None else (a < low) & (low < high)
            grads.append(grad * below if needs[1] else None)
        if high is not None:
            above = a > high if low is None else (a > high) | (high < low)
            grads.append(grad * above if needs[-1] else None)
        return tuple(grads)


# ------------------------------------------------------------------------ selection
class Maximum(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return _broadcast(xp.maximum, "maximum", a, b)

    def backward(self, grad):
        return _split_between(grad, self.a > self.b, self.a == self.b)


class Minimum(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return _broadcast(xp.minimum, "minimum", a, b)

    def backward(self, grad):
        return _split_between(grad, self.a < self.b, self.a == self.b)


def _split_between(grad, first_wins, tie):
    """Route grad to the winner; a tie sends half to each (PyTorch's maximum/minimum)."""
    share = first_wins.astype(grad.dtype)     # 1 where the first operand wins, else 0
    share += 0.5 * tie                        # ... and 1/2 on a tie
    return grad * share, grad * (1 - share)


class Where(Function):
    def forward(self, condition, a, b):
        self.condition = condition = condition.astype(bool)
        try:
            return xp.where(condition, a, b)
        except ValueError:
            _raise_if_incompatible("where: condition and operands have", condition, a, b)
            raise

    def backward(self, grad):
        ga = xp.where(self.condition, grad, 0) if self.needs_input_grad[1] else None
        gb = xp.where(self.condition, 0, grad) if self.needs_input_grad[2] else None
        return None, ga, gb
