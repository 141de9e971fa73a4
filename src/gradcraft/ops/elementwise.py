"""Elementwise ops: arithmetic, unary functions, activations, comparisons-by-value.

Binary ops broadcast like NumPy and return gradients in the broadcast shape; the engine sums
them back to each input's shape. Each op saves (`save_for_backward`) exactly the values its
backward reads, and only when the gradient that reads them is wanted: `x * w` with a constant
`x` keeps `x` for dL/dw and never reads `w`, so `w` may change in place afterwards (PyTorch's
rule too).
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import xp


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
    def forward(self, a, b):
        return _broadcast(xp.add, "+", a, b)

    def backward(self, grad):
        return grad, grad


class Sub(Function):
    def forward(self, a, b):
        return _broadcast(xp.subtract, "-", a, b)

    def backward(self, grad):
        return grad, (-grad if self.needs_input_grad[1] else None)


class Mul(Function):
    def forward(self, a, b):
        # d(ab)/da = b and d(ab)/db = a: each gradient reads the other operand only
        need_a, need_b = self.needs_input_grad
        self.save_for_backward(b if need_a else None, a if need_b else None)
        return _broadcast(xp.multiply, "*", a, b)

    def backward(self, grad):
        b, a = self.saved
        return (grad * b if b is not None else None), (grad * a if a is not None else None)


class Div(Function):
    def forward(self, a, b):
        # d(a/b)/da = 1/b ; d(a/b)/db = -a/b^2: dL/db reads a too
        self.save_for_backward(b, a if self.needs_input_grad[1] else None)
        return _broadcast(xp.true_divide, "/", a, b)

    def backward(self, grad):
        b, a = self.saved
        grad_over_b = grad / b
        gb = None
        if a is not None:  # -(g / b) a / b, in place: one new array (not out = a / b, unsaved)
            gb = xp.asarray(grad_over_b * a)  # an array even for 0-d operands
            xp.divide(gb, b, out=gb, casting="same_kind")
            xp.negative(gb, out=gb)
        return (grad_over_b if self.needs_input_grad[0] else None), gb


class Pow(Function):
    def forward(self, a, b):
        with _quiet():  # 0 ** -1 = inf, (-8) ** (1/3) = nan: PyTorch's values, and no warning
            out = _broadcast(xp.power, "**", a, b)
        self.save_for_backward(a, b, out if self.needs_input_grad[1] else None)
        return out

    def backward(self, grad):
        a, b, out = self.saved
        ga = gb = None
        if self.needs_input_grad[0]:
            # d(a^b)/da = b a^(b-1); written as b*a^(b-1) (not b*out/a) so a = 0 is exact,
            # and 0 where b = 0 (PyTorch's convention, avoiding 0 * inf at a = 0).
            with xp.errstate(divide="ignore", invalid="ignore"):
                ga = grad * xp.where(b == 0, 0, b * a ** (b - 1))
        if out is not None:
            # d(a^b)/db = a^b ln a; PyTorch's convention: 0 where a = 0 and b >= 0.
            with xp.errstate(divide="ignore", invalid="ignore"):
                gb = grad * xp.where((a == 0) & (b >= 0), 0, out * xp.log(a))
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
        out = xp.exp(a)
        self.save_for_backward(out)  # d e^a = e^a
        return out

    def backward(self, grad):
        out, = self.saved
        return grad * out


class Log(Function):
    def forward(self, a):
        self.save_for_backward(a)  # d log a = 1/a
        with _quiet():  # log 0 = -inf, log(-1) = nan, as PyTorch (which prints nothing)
            return xp.log(a)

    def backward(self, grad):
        a, = self.saved
        with _quiet():  # 1/0 = inf at a = 0
            return grad / a


class Sqrt(Function):
    def forward(self, a):
        with _quiet():  # sqrt(-1) = nan, as PyTorch
            out = xp.sqrt(a)
        self.save_for_backward(out)  # d sqrt(a) = 1 / (2 sqrt(a))
        return out

    def backward(self, grad):
        out, = self.saved
        with _quiet():  # 1/(2 sqrt(0)) = inf; nan outside the domain
            return grad / (2 * out)


class Abs(Function):
    def forward(self, a):
        self.save_for_backward(a)
        return xp.abs(a)

    def backward(self, grad):
        a, = self.saved
        return grad * xp.sign(a)  # subgradient 0 at 0, as PyTorch


class Tanh(Function):
    def forward(self, a):
        out = xp.tanh(a)
        self.save_for_backward(out)  # tanh' = 1 - tanh^2
        return out

    def backward(self, grad):
        out, = self.saved
        return grad * (1 - out * out)


class Sigmoid(Function):
    def forward(self, a):
        # 1 / (1 + exp(-a)), as PyTorch: relative accuracy to the smallest normal number (the
        # negative tail keeps sigma(-40) = 4e-18, which (1 + tanh(a/2)) / 2 would round to 0).
        # Below a = -log(max float) exp(-a) overflows to inf and sigma to 0: right, and silent.
        with xp.errstate(over="ignore"):
            out = 1 / (1 + xp.exp(-a))
        self.save_for_backward(out)  # sigma' = sigma (1 - sigma)
        return out

    def backward(self, grad):
        out, = self.saved
        return grad * out * (1 - out)


class ReLU(Function):
    def forward(self, a):
        out = xp.maximum(a, 0)
        self.save_for_backward(out)  # relu'(a) = 1[out > 0]; 0 at a = 0, as PyTorch
        return out

    def backward(self, grad):
        out, = self.saved
        return grad * (out > 0)


class LeakyReLU(Function):
    def forward(self, a, negative_slope):
        self.negative_slope = negative_slope
        self.save_for_backward(a)
        return a * self._slope(a)

    def backward(self, grad):
        a, = self.saved
        return grad * self._slope(a)

    def _slope(self, a):
        """1 where a > 0, negative_slope elsewhere (at 0 too, as PyTorch), by arithmetic on the
        mask: np.where with an unpredictable mask is several times slower."""
        slope = (a > 0).astype(a.dtype)
        slope *= 1 - self.negative_slope
        slope += self.negative_slope
        return slope


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
        self.save_for_backward(a, low, high)
        try:
            return xp.clip(a, low, high)
        except ValueError:
            raise ValueError(
                f"clip: bounds of shapes {xp.shape(low)} and {xp.shape(high)} do not broadcast "
                f"with the tensor's shape {a.shape}"
            ) from None

    def backward(self, grad):
        a, low, high = self.saved
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
        self.save_for_backward(a, b)
        return _broadcast(xp.maximum, "maximum", a, b)

    def backward(self, grad):
        a, b = self.saved
        return _split_between(grad, a > b, a == b)


class Minimum(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return _broadcast(xp.minimum, "minimum", a, b)

    def backward(self, grad):
        a, b = self.saved
        return _split_between(grad, a < b, a == b)


def _split_between(grad, first_wins, tie):
    """Route grad to the winner; a tie sends half to each (PyTorch's maximum/minimum)."""
    share = first_wins.astype(grad.dtype)     # 1 where the first operand wins, else 0
    share += 0.5 * tie                        # ... and 1/2 on a tie
    return grad * share, grad * (1 - share)


class Where(Function):
    """where(condition, a, b): the condition is input 0 (never differentiated), so changing it
    in place after the op ran is caught, as in PyTorch."""

    def forward(self, condition, a, b):
        self.save_for_backward(condition)
        condition = condition.astype(bool, copy=False)
        try:
            return xp.where(condition, a, b)
        except ValueError:
            _raise_if_incompatible("where: condition and operands have", condition, a, b)
            raise

    def backward(self, grad):
        condition = self.saved[0].astype(bool, copy=False)
        ga = xp.where(condition, grad, 0) if self.needs_input_grad[1] else None
        gb = xp.where(condition, 0, grad) if self.needs_input_grad[2] else None
        return None, ga, gb
