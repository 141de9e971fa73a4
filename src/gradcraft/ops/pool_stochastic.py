"""Stochastic pooling (Zeiler & Fergus, 2013) over a non-negative NCHW input, no padding.

Each window's elements a_i >= 0 define p_i = a_i / sum(a).
- Training: the window outputs a_s for one s drawn from p. With u = U * sum(a), U ~ U[0, 1),
  s is the first offset whose running sum a_0 + ... + a_s exceeds u (inverse-CDF sampling over
  the kernel offsets, in float64: the last running sum is sum(a) itself and u < sum(a), so a
  window with sum(a) > 0 always draws). An all-zero window outputs 0. The draw is piecewise
  constant in a, so d out / d a_i = 1[i = s]: the gradient goes to the drawn element.
- Evaluation: the expectation out = sum(a_i p_i) = S2 / S1 with S1 = sum(a), S2 = sum(a^2);
  d out / d a_i = (2 a_i S1 - S2) / S1^2 = (2 a_i - out) / S1. An all-zero window outputs 0
  with gradient 0 (out is not differentiable there: out(t e_i) = t).
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import xp
from .pool import check_pool_arguments, offsets


def _check_non_negative(x):
    if x.size and not (x >= 0).all():
        seen = "NaN" if xp.isnan(x).any() else f"a minimum of {x.min()!r}"
        raise ValueError(f"stochastic_pool2d: input must be non-negative (e.g. after relu), got {seen}")


class StochasticPool2d(Function):
    def forward(self, x, kernel=(2, 2), stride=(2, 2), rng=None):
        out_size = check_pool_arguments("stochastic_pool2d", x.shape, kernel, stride, (0, 0))
        _check_non_negative(x)
        self.geometry = (kernel, stride, (1, 1), out_size)
        self.x_shape = x.shape
        views = [x[:, :, rows, cols] for _, _, rows, cols in offsets(*self.geometry)]
        shape = x.shape[:2] + out_size
        if rng is not None:
            total = sum(view.astype(xp.float64) for view in views)
            threshold = rng.random(shape) * total
            running = xp.zeros(shape)
            chosen = xp.full(shape, -1, dtype=xp.int64)
            for k, view in enumerate(views):
                running += view
                xp.copyto(chosen, k, where=(chosen < 0) & (running > threshold))
            out = xp.zeros(shape, dtype=x.dtype)
            for k, view in enumerate(views):
                xp.copyto(out, view, where=chosen == k)
            self.chosen = chosen
            return out
        self.chosen = None
        s1 = sum(views)
        s2 = sum(view * view for view in views)
        out = xp.divide(s2, s1, out=xp.zeros(shape, dtype=x.dtype), where=s1 > 0)
        self.save_for_backward(x)
        self.s1, self.expectation = s1, out.copy()
        return out

    def backward(self, grad):
        dx = xp.zeros(self.x_shape, dtype=grad.dtype)
        if self.chosen is not None:
            for k, (_, _, rows, cols) in enumerate(offsets(*self.geometry)):
                dx[:, :, rows, cols] += xp.where(self.chosen == k, grad, 0)
            return (dx,)
        x, = self.saved
        scale = xp.divide(grad, self.s1, out=xp.zeros(grad.shape, dtype=grad.dtype), where=self.s1 > 0)
        for _, _, rows, cols in offsets(*self.geometry):
            dx[:, :, rows, cols] += scale * (2 * x[:, :, rows, cols] - self.expectation)
        return (dx,)
