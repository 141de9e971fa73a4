"""The activations of `torch.nn.functional` beyond relu/sigmoid/tanh: forward and a hand-written
backward side by side, with PyTorch 2.13's formulas, so values, gradients and the conventions at
kinks are PyTorch's (tests/core/test_activation_parity.py checks them against torch).

Every op here reads its input in backward (as PyTorch's kernels do) and saves it (prelu its
weight too, for dL/dx only); softmin saves its output instead. An op's own intermediate arrays (sigmoid(x), tanh(...)) are plain
attributes, kept only when a gradient is wanted. Inputs are floating point (the functional layer
checks); Python-float constants keep float32 float32 (NumPy's weak scalars).

Where a formula has a branch, the branch not taken may overflow (exp(x) for large x in elu's
negative branch): such ops compute on the clamped value or silence the warning, as PyTorch
prints nothing there.
"""

from __future__ import annotations

import math

from ..autograd import Function
from ..backend import xp
from . import special
from .elementwise import _quiet
from .softmax import _shift_by_max

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)   # the normal density at 0
_TANH_GELU_SCALE = math.sqrt(2.0 / math.pi)       # gelu(approximate='tanh'): tanh(k (x + c x^3))
_TANH_GELU_CUBIC = 0.044715

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _sigmoid(a):
    """1 / (1 + exp(-a)), silent where exp(-a) overflows (sigmoid is 0 there)."""
    with xp.errstate(over="ignore"):
        return 1 / (1 + xp.exp(-a))


# ------------------------------------------------------------------------ smooth gates
class GELU(Function):
    """gelu(x) = x Phi(x), Phi the standard normal CDF: 0.5 (1 + erf(x / sqrt 2)) exactly, or
    with approximate='tanh' 0.5 (1 + tanh(k (x + c x^3))), k = sqrt(2/pi), c = 0.044715."""

    def forward(self, a, approximate):
        self.approximate = approximate
        if approximate == "tanh":
            inner = _TANH_GELU_SCALE * (a + _TANH_GELU_CUBIC * a * a * a)
            gate = xp.tanh(inner)
            out = 0.5 * a * (1 + gate)
        else:
            gate = 0.5 * (1 + special.erf(a * _SQRT_HALF))  # Phi(a)
            out = a * gate
        if self.needs_input_grad[0]:
            self.save_for_backward(a)
            self.gate = gate
        return out

    def backward(self, grad):
        a, = self.saved
        if self.approximate == "tanh":
            # d/dx 0.5 x (1 + t) = 0.5 (1 + t) + 0.5 x (1 - t^2) k (1 + 3 c x^2), t = tanh(...)
            t = self.gate
            inner_slope = _TANH_GELU_SCALE * (1 + 3 * _TANH_GELU_CUBIC * a * a)
            return grad * (0.5 * (1 + t) + 0.5 * a * (1 - t * t) * inner_slope)
        # d/dx x Phi(x) = Phi(x) + x phi(x), phi(x) = exp(-x^2/2) / sqrt(2 pi)
        return grad * (self.gate + a * (_INV_SQRT_2PI * xp.exp(-0.5 * a * a)))


class SiLU(Function):
    """silu(x) = x sigmoid(x)."""

    def forward(self, a):
        s = _sigmoid(a)
        if self.needs_input_grad[0]:
            self.save_for_backward(a)
            self.sigmoid = s
        return a * s

    def backward(self, grad):
        # d/dx x s = s + x s (1 - s) = s (1 + x (1 - s))
        a, = self.saved
        s = self.sigmoid
        return grad * (s * (1 + a * (1 - s)))


class Mish(Function):
    """mish(x) = x tanh(softplus(x)), softplus(x) = log(1 + exp(x)) (unthresholded, as torch)."""

    def forward(self, a):
        with xp.errstate(over="ignore"):  # exp(x) = inf for x > 709: tanh(inf) = 1, mish = x
            gate = xp.tanh(xp.log1p(xp.exp(a)))
        if self.needs_input_grad[0]:
            self.save_for_backward(a)
            self.gate = gate
        return a * gate

    def backward(self, grad):
        # d/dx x t = t + x (1 - t^2) softplus'(x), softplus' = sigmoid
        a, = self.saved
        t = self.gate
        return grad * (t + a * _sigmoid(a) * (1 - t * t))


# ------------------------------------------------------------------------ exponential units
class ELU(Function):
    """PyTorch's one kernel for elu, selu and celu:
    scale * x for x > 0, scale * alpha * (exp(input_scale * x) - 1) for x <= 0.
    elu: (alpha, 1, 1); selu: (SELU_ALPHA, SELU_SCALE, 1); celu: (alpha, 1, 1 / alpha)."""

    def forward(self, a, alpha, scale, input_scale):
        self.alpha, self.scale, self.input_scale = alpha, scale, input_scale
        if self.needs_input_grad[0]:
            self.save_for_backward(a)
        with _quiet():  # celu with alpha < 0 grows exponentially on the left: inf, as torch
            negative = (self.scale * alpha) * xp.expm1(input_scale * xp.minimum(a, 0))
        return xp.where(a > 0, scale * a, negative)

    def backward(self, grad):
        # d/dx = scale for x > 0; scale alpha input_scale exp(input_scale x) for x <= 0 (x = 0
        # takes the left branch: elu's gradient at 0 is alpha, as torch's)
        a, = self.saved
        with _quiet():
            left = (self.scale * self.alpha * self.input_scale) * xp.exp(self.input_scale * xp.minimum(a, 0))
        return grad * xp.where(a > 0, self.scale, left)


class Softplus(Function):
    """softplus(x) = log(1 + exp(beta x)) / beta, and x itself where beta x > threshold."""

    def forward(self, a, beta, threshold):
        self.beta, self.threshold = beta, threshold
        if self.needs_input_grad[0]:
            self.save_for_backward(a)
        scaled = a * beta
        with _quiet():  # exp overflows only where the linear branch is taken (or beta = 0: inf)
            smooth = xp.log1p(xp.exp(scaled)) / beta
        return xp.where(scaled > threshold, a, smooth)

    def backward(self, grad):
        # d/dx log(1 + e^(bx)) / b = e^(bx) / (1 + e^(bx)); 1 on the linear branch
        a, = self.saved
        scaled = a * self.beta
        with _quiet():
            z = xp.exp(scaled)
            return grad * xp.where(scaled > self.threshold, 1, z / (z + 1))


class LogSigmoid(Function):
    """log sigmoid(x) = min(x, 0) - log(1 + exp(-|x|)): finite for every finite x."""

    def forward(self, a):
        z = xp.exp(-xp.abs(a))
        if self.needs_input_grad[0]:
            self.save_for_backward(a)
            self.z = z
        return xp.minimum(a, 0) - xp.log1p(z)

    def backward(self, grad):
        # d/dx log sigmoid(x) = 1 - sigmoid(x) = sigmoid(-x); with z = exp(-|x|):
        # 1 / (1 + z) for x < 0, z / (1 + z) for x >= 0 (torch's split)
        a, = self.saved
        z = self.z
        return grad * xp.where(a < 0, 1, z) / (1 + z)


class Softsign(Function):
    """softsign(x) = x / (1 + |x|)."""

    def forward(self, a):
        if self.needs_input_grad[0]:
            self.save_for_backward(a)
        return a / (1 + xp.abs(a))

    def backward(self, grad):
        # d/dx x / (1 + |x|) = 1 / (1 + |x|)^2 (1 at 0, as torch's composed gradient)
        a, = self.saved
        denominator = 1 + xp.abs(a)
        return grad / (denominator * denominator)


# ------------------------------------------------------------------------ piecewise linear
class Hardtanh(Function):
    """clip(x, min_val, max_val); the gradient is 0 at both bounds (torch's hardtanh_backward:
    0 where x <= min_val or x >= max_val, so NaN passes its gradient through)."""

    def forward(self, a, min_val, max_val):
        self.min_val, self.max_val = min_val, max_val
        if self.needs_input_grad[0]:
            self.save_for_backward(a)
        return xp.clip(a, min_val, max_val)

    def backward(self, grad):
        a, = self.saved
        return grad * ~((a <= self.min_val) | (a >= self.max_val))


# torch's hardsigmoid_backward multiplies by the float32 constant 1.0f / 6.0f in every dtype, so
# its float64 gradient is 0.16666667163..., 3e-8 above 1/6: the same constant here, for parity.
_TORCH_ONE_SIXTH = float(xp.float32(1.0) / xp.float32(6.0))


class Hardsigmoid(Function):
    """relu6(x + 3) / 6; the gradient is 1/6 (torch's float32 1/6) strictly inside (-3, 3), 0
    elsewhere (at +-3 too)."""

    def forward(self, a):
        if self.needs_input_grad[0]:
            self.save_for_backward(a)
        return xp.clip(a + 3, 0, 6) / 6

    def backward(self, grad):
        a, = self.saved
        return grad * ((a > -3) & (a < 3)) * _TORCH_ONE_SIXTH


class Hardswish(Function):
    """x relu6(x + 3) / 6; the gradient is x/3 + 1/2 inside (-3, 3), 0 for x <= -3 and 1 for
    x >= 3 (torch 2.13's kernel: at exactly -3 it is 0, at exactly 3 it is 1)."""

    def forward(self, a):
        if self.needs_input_grad[0]:
            self.save_for_backward(a)
        return a * xp.clip(a + 3, 0, 6) / 6

    def backward(self, grad):
        a, = self.saved
        slope = xp.where(a <= -3, 0, xp.where(a >= 3, 1, a / 3 + 0.5))
        return grad * slope.astype(a.dtype, copy=False)


class PReLU(Function):
    """x for x > 0, weight * x elsewhere; weight (1 or C values) broadcast over channel axis 1.

    Inputs are (x, weight) with weight 0-d or 1-D (the functional layer checks the sizes). The
    gradient of weight is x where x <= 0, summed over every axis but the channel axis.
    """

    def forward(self, a, weight):
        need_x, need_w = self.needs_input_grad
        self.weight_shape = weight.shape
        if weight.size == 1:
            self.channel_axis = None
            w = weight.reshape(())
        else:
            self.channel_axis = 1
            w = weight.reshape((1, weight.size) + (1,) * (a.ndim - 2))
        # dL/dx reads the sign of x and the weight; dL/dweight reads x
        self.save_for_backward(a, w if need_x else None)
        return xp.where(a > 0, a, w * a)

    def backward(self, grad):
        a, w = self.saved
        positive = a > 0
        gx = grad * xp.where(positive, 1, w) if w is not None else None
        gw = None
        if self.needs_input_grad[1]:
            per_element = grad * xp.where(positive, 0, a)
            axes = tuple(i for i in range(per_element.ndim) if i != self.channel_axis)
            gw = xp.asarray(per_element.sum(axis=axes)).reshape(self.weight_shape)
        return gx, gw


# ------------------------------------------------------------------------ over an axis
class Softmin(Function):
    """softmax(-x) along `axis` (an axis already checked and normalized)."""

    def forward(self, a, axis):
        self.axis = axis
        shifted = xp.exp(_shift_by_max(-a, axis))
        out = shifted / shifted.sum(axis=axis, keepdims=True)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        # y = softmax(-x): dL/dx = -(y (g - sum_j g_j y_j)), softmax's Jacobian times d(-x)/dx
        y, = self.saved
        return y * ((grad * y).sum(axis=self.axis, keepdims=True) - grad)


class Normalize(Function):
    """x / max(||x||_p, eps) along `axes` (a tuple), torch.nn.functional.normalize.

    The norm: (sum |x|^p)^(1/p); p = inf the largest |x|, p = -inf the smallest, p = 0 the count
    of non-zeros (gradient 0). With d = max(n, eps):
    dL/dx = g / d - (sum_j g_j x_j) / d^2 * [n >= eps] * dn/dx, where
    dn/dx_i = sign(x_i) |x_i|^(p-1) / n^(p-1) (0 where x_i = 0 or n = 0, torch's convention);
    for p = +-inf, sign(x_i) shared evenly among the elements whose |x_i| is the norm (as torch).
    clamp_min passes its gradient where n >= eps (ties included), so a vector of norm < eps is
    just scaled by 1/eps.
    """

    def forward(self, a, p, axes, eps):
        self.p, self.axes = p, axes
        magnitude = xp.abs(a)
        with _quiet():
            if p == math.inf:
                norm = magnitude.max(axis=axes, keepdims=True, initial=0)
            elif p == -math.inf:
                norm = magnitude.min(axis=axes, keepdims=True, initial=math.inf)
            elif p == 0:
                norm = (a != 0).sum(axis=axes, keepdims=True).astype(a.dtype)
            elif p == 2:
                norm = xp.sqrt((a * a).sum(axis=axes, keepdims=True))
            else:
                norm = ((magnitude ** p).sum(axis=axes, keepdims=True)) ** (1 / p)
            denominator = xp.maximum(norm, eps)
            out = a / denominator
        self.denominator = denominator
        if self.needs_input_grad[0]:
            self.save_for_backward(a)
            self.norm, self.eps = norm, eps
        return out

    def backward(self, grad):
        a, = self.saved
        p, axes, d, norm = self.p, self.axes, self.denominator, self.norm
        with _quiet():
            g_over_d = grad / d
            # dL/dn, 0 where clamp_min held the denominator at eps
            grad_norm = (g_over_d * a).sum(axis=axes, keepdims=True) / d
            grad_norm = xp.where(norm >= self.eps, -grad_norm, 0)
            if p == 0:
                return g_over_d
            norm_slope = self._norm_slope(a, norm)
        return g_over_d + grad_norm * norm_slope

    def _norm_slope(self, a, norm):
        """dn/dx, with torch's zeros where x = 0 or n = 0 (never 0 * inf)."""
        p, axes = self.p, self.axes
        nonzero_norm = norm != 0
        safe_norm = xp.where(nonzero_norm, norm, 1)
        if p == 2:
            return xp.where(nonzero_norm, a / safe_norm, 0)
        if p == 1:
            return xp.sign(a)
        if math.isinf(p):
            at_norm = xp.abs(a) == norm
            count = at_norm.sum(axis=axes, keepdims=True)
            return xp.sign(a) * at_norm / xp.maximum(count, 1)
        magnitude = xp.abs(a)
        powered = xp.where(a != 0, magnitude ** (p - 1), 0)
        return xp.where(nonzero_norm, xp.sign(a) * powered / safe_norm ** (p - 1), 0)
