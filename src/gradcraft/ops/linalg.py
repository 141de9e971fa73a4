"""Matrix products: `matmul` with NumPy's rules, and the fused affine map of `Linear`."""

from __future__ import annotations

from ..backend import xp
from .function import Function


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
    saves_output = False

    def forward(self, a, b):
        _check_matmul_shapes(a, b)
        self.a, self.b = a, b
        return a @ b

    def backward(self, grad):
        # C = A B  =>  dA = dC B^T,  dB = A^T dC. A 1-D operand acts as a row (A) or column (B)
        # vector whose unit dimension was dropped from C: put it back, then take it out again.
        a, b = self.a, self.b
        if a.ndim == 1 and b.ndim == 1:
            return (grad * b if self.needs_input_grad[0] else None,
                    grad * a if self.needs_input_grad[1] else None)
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        if a.ndim == 1:
            grad = xp.expand_dims(grad, -2)
        if b.ndim == 1:
            grad = xp.expand_dims(grad, -1)
        ga = gb = None
        if self.needs_input_grad[0]:
            ga = grad @ xp.swapaxes(b2, -1, -2)
            if a.ndim == 1:
                ga = ga[..., 0, :]
        if self.needs_input_grad[1]:
            gb = xp.swapaxes(a2, -1, -2) @ grad
            if b.ndim == 1:
                gb = gb[..., 0]
        return ga, gb


class Linear(Function):
    """y = x W^T + b for x (..., in), W (out, in), b (out,): one GEMM each way."""
    saved_inputs = (0, 1)
    saves_output = False

    def forward(self, x, weight, bias=None):
        if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[1]:
            raise ValueError(
                f"linear: input of shape {x.shape} does not fit weight of shape {weight.shape} "
                f"(expected input (..., {weight.shape[-1] if weight.ndim else '?'}) and weight (out, in))"
            )
        if bias is not None and bias.shape != (weight.shape[0],):
            raise ValueError(f"linear: bias must have shape ({weight.shape[0]},), got {bias.shape}")
        self.x, self.weight = x, weight
        out = x @ weight.T
        if bias is not None:
            if bias.dtype == out.dtype:
                out += bias            # in place: no second (N, out) array
            else:
                out = out + bias       # NumPy's promotion (float32 x, float64 bias -> float64)
        return out

    def backward(self, grad):
        # dx = dy W ; dW = dy^T x (summed over all leading dims) ; db = sum of dy over rows
        x2 = self.x.reshape(-1, self.x.shape[-1])
        grad2 = grad.reshape(-1, grad.shape[-1])
        needs = self.needs_input_grad
        gx = (grad @ self.weight) if needs[0] else None
        gw = (grad2.T @ x2) if needs[1] else None
        gb = grad2.sum(axis=0) if len(needs) > 2 and needs[2] else None
        return gx, gw, gb
