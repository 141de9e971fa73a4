"""Cumulative scans along one axis: cumsum and cumprod (forward and backward), and the running
extremum indices of cummax / cummin (their values are gathered by `indexing.TakeAlongAxis`).

Every op here takes `axis` already normalised to an int; a 0-d input (axis 0 or -1) is its own
scan, as PyTorch's `torch.cumsum(scalar, 0)`."""

from __future__ import annotations

from ..autograd import Function
from ..backend import xp


def reverse_cumsum(a, axis):
    """sum_{i >= k} a_i along `axis`: the adjoint of cumsum."""
    return xp.flip(xp.cumsum(xp.flip(a, axis), axis), axis)


class CumSum(Function):
    def forward(self, a, axis, dtype=None):
        self.axis = axis
        return xp.cumsum(a, axis=axis, dtype=dtype).reshape(a.shape)  # 0-d stays 0-d

    def backward(self, grad):
        # out_i = sum_{k <= i} a_k  =>  dL/da_k = sum_{i >= k} g_i
        return grad if grad.ndim == 0 else reverse_cumsum(grad, self.axis)


class CumProd(Function):
    def forward(self, a, axis, dtype=None):
        self.axis = axis
        out = xp.cumprod(a, axis=axis, dtype=dtype).reshape(a.shape)  # 0-d stays 0-d
        if self.needs_input_grad[0]:
            self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        # out_i = prod_{j <= i} a_j, so dL/da_k = sum_{i >= k} g_i prod_{j <= i, j != k} a_j.
        # Let z be the first zero of the slice. Before it (k < z, or no zero at all) every term
        # with i >= z is 0 on both sides, and prod_{j <= i, j != k} = out_i / a_k:
        #     dL/da_k = reverse_cumsum(g * out)_k / a_k.
        # At k = z: with P the cumprod of a with a_z replaced by 1, P_i (i >= z) is exactly the
        # product of the others, so dL/da_z = reverse_cumsum(g * P)_z. After z, every product
        # still holds a_z = 0: the gradient is 0. (PyTorch's values, without a per-slice loop.)
        a, out = self.saved
        if grad.ndim == 0:
            return grad
        a = a.astype(grad.dtype, copy=False)
        axis = self.axis
        zero = a == 0
        if not zero.any():
            return reverse_cumsum(grad * out, axis) / a
        zeros_so_far = xp.cumsum(zero, axis=axis)
        before_first_zero = zeros_so_far == 0
        first_zero = zero & (zeros_so_far == 1)
        safe = xp.where(zero, 1, a)
        grad_before = reverse_cumsum(grad * out, axis) / safe
        skipping_first_zero = xp.cumprod(xp.where(first_zero, 1, a), axis=axis)
        grad_at_zero = reverse_cumsum(grad * skipping_first_zero, axis)
        return xp.where(before_first_zero, grad_before, xp.where(first_zero, grad_at_zero, 0))


def running_extremum_indices(a, axis: int, largest: bool):
    """The indices torch.cummax / torch.cummin return along `axis` (int64): at each position,
    the index of the running maximum (minimum); a tie moves it to the later element, and a NaN
    is the extremum from where it appears (each later NaN taking over), as PyTorch's kernel."""
    values = (xp.maximum if largest else xp.minimum).accumulate(a, axis=axis)
    # Position k holds the running extremum iff a_k equals it. Between two such positions
    # nothing moves it, so the index at i is the last such k <= i: a running max of positions.
    holds = a == values
    if a.dtype.kind in "fc":
        holds |= xp.isnan(a)
    shape = [1] * a.ndim
    shape[axis] = a.shape[axis]
    positions = xp.arange(a.shape[axis], dtype=xp.int64).reshape(shape)
    return xp.maximum.accumulate(xp.where(holds, positions, 0), axis=axis)
