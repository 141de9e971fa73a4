"""Out-of-place writes: a copy of `a` with some elements replaced or added to. PyTorch's
scatter / scatter_add and NumPy's put_along_axis (`Scatter`), and masked_fill (`MaskedFill`).
Tensors are values in the graph, so none of them changes its input: each returns a new array.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import xp


class Scatter(Function):
    """out = a, then out[fancy] = src (or += src with `accumulate`, duplicates adding up).

    `fancy` is an `indexing.along_axis` index (non-negative, checked by the caller); `src_part`
    says which part of `src` is written: a tuple of slices (PyTorch: the leading index-shaped
    block of a src that may be larger) or None (NumPy: src broadcast to the picked shape).
    """

    def forward(self, a, src, fancy, src_part, accumulate):
        self.fancy, self.src_part, self.accumulate = fancy, src_part, accumulate
        self.src_shape = src.shape
        picked = a[fancy].shape
        values = src[src_part] if src_part is not None else xp.broadcast_to(src, picked)
        out = a.copy()
        if accumulate:
            # exact in every dtype, duplicates adding up; src cast to a's dtype, as assignment does
            xp.add.at(out, fancy, values.astype(a.dtype, copy=False))
        else:
            # A position written twice keeps one of the writes (NumPy's fancy assignment: the
            # last one); PyTorch calls the choice undefined.
            out[fancy] = values
        return out

    def backward(self, grad):
        # out = a except at the written positions, where it is src: dL/da is grad there zeroed
        # (unchanged by an add); dL/dsrc is grad read back at the positions each src element was
        # written to (every duplicate reads it, as PyTorch's gather of grad).
        grad_a = grad_src = None
        if self.needs_input_grad[0]:
            if self.accumulate:
                grad_a = grad
            else:
                grad_a = xp.array(grad)
                grad_a[self.fancy] = 0
        if self.needs_input_grad[1]:
            grad_src = grad[self.fancy]
            if self.src_part is not None and grad_src.shape != self.src_shape:
                full = xp.zeros(self.src_shape, dtype=grad.dtype)  # src beyond the index: unused
                full[self.src_part] = grad_src
                grad_src = full
        return grad_a, grad_src


class MaskedFill(Function):
    """out = value where `mask`, else a (broadcast together; `value` a 0-d array, cast to a's
    dtype as PyTorch's masked_fill does)."""

    def forward(self, a, value, mask):
        self.mask = mask
        return xp.where(mask, value.astype(a.dtype, copy=False), a)

    def backward(self, grad):
        # Each output element is a's or value's: its gradient goes to that one. The engine sums
        # value's share (and a broadcast a's) down to the input's shape.
        grad_a = xp.where(self.mask, 0, grad) if self.needs_input_grad[0] else None
        grad_value = xp.where(self.mask, grad, 0) if self.needs_input_grad[1] else None
        return grad_a, grad_value
