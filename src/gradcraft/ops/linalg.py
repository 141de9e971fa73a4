"""Matrix products: `matmul` with NumPy's rules, and the fused affine map of `Linear`."""

from __future__ import annotations

from ..autograd import Function
from ..backend import xp


def _check_matmul_shapes(a, b):
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul needs operands with at least 1 dimension, got shapes {a.shape} and {b.shape}")
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if a.shape[-1] != inner_b:
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape} are incompatible "
            f"(inner dimensions {a.shape[-1]} != {inner_b})"
        )
    try:
        xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(
            f"matmul: batch dimensions of shapes {a.shape} and {b.shape} do not broadcast"
        ) from None


class MatMul(Function):
    def forward(self, a, b):
        _check_matmul_shapes(a, b)
        # dA reads B and dB reads A: keep only what a wanted gradient reads
        need_a, need_b = self.needs_input_grad
        self.save_for_backward(b if need_a else None, a if need_b else None)
        self.ndims = a.ndim, b.ndim
        return a @ b

    def backward(self, grad):
        # C = A B  =>  dA = dC B^T,  dB = A^T dC. A 1-D operand acts as a row (A) or column (B)
        # vector whose unit dimension was dropped from C: put it back, then take it out again.
        b, a = self.saved
        a_ndim, b_ndim = self.ndims
        if a_ndim == 1 and b_ndim == 1:
            return (grad * b if b is not None else None), (grad * a if a is not None else None)
        if a_ndim == 1:
            grad = xp.expand_dims(grad, -2)
        if b_ndim == 1:
            grad = xp.expand_dims(grad, -1)
        ga = gb = None
        if b is not None:
            ga = grad @ xp.swapaxes(b[:, None] if b_ndim == 1 else b, -1, -2)
            if a_ndim == 1:
                ga = ga[..., 0, :]
        if a is not None:
            gb = xp.swapaxes(a[None, :] if a_ndim == 1 else a, -1, -2) @ grad
            if b_ndim == 1:
                gb = gb[..., 0]
        return ga, gb


class Linear(Function):
    """y = x W^T + b for x (..., in), W (out, in), b (out,): one GEMM each way."""

    def forward(self, x, weight, bias=None):
        if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[1]:
            raise ValueError(
                f"linear: input of shape {x.shape} does not fit weight of shape {weight.shape} "
                f"(expected input (..., {weight.shape[-1] if weight.ndim else '?'}) and weight (out, in))"
            )
        if bias is not None and bias.shape != (weight.shape[0],):
            raise ValueError(f"linear: bias must have shape ({weight.shape[0]},), got {bias.shape}")
        # dx = dy W reads the weight, dW = dy^T x the input: keep what a wanted gradient reads
        need_x, need_w = self.needs_input_grad[:2]
        self.save_for_backward(weight if need_x else None, x if need_w else None)
        out = x @ weight.T
        if bias is not None:
            if bias.dtype == out.dtype:
                out += bias            # in place: no second (N, out) array
            else:
                out = out + bias       # NumPy's promotion (float32 x, float64 bias -> float64)
        return out

    def backward(self, grad):
        # dx = dy W ; dW = dy^T x (summed over all leading dims) ; db = sum of dy over rows
        weight, x = self.saved
        needs = self.needs_input_grad
        grad2 = grad.reshape(-1, grad.shape[-1])
        gx = (grad @ weight) if weight is not None else None
        gw = (grad2.T @ x.reshape(-1, x.shape[-1])) if x is not None else None
        gb = grad2.sum(axis=0) if len(needs) > 2 and needs[2] else None
        return gx, gw, gb
