"""The embedding lookup (`Embedding`): rows of a weight table picked by integer indices, the
input layer of the recurrent models."""

from __future__ import annotations

from ..autograd import Function
from ..backend import xp

__all__ = ["Embedding"]


class Embedding(Function):
    """apply(weight (V, D), indices=int array of any shape, padding_idx=None or a row,
    scale_grad_by_freq=False) -> weight[indices], shape indices.shape + (D,).

    out[k] = W[idx[k]], so dL/dW[v] = sum of dL/dout[k] over the k with idx[k] = v (a
    scatter-add). PyTorch's options: the row `padding_idx` gets no gradient, and with
    `scale_grad_by_freq` each picked row's gradient is divided by how often its index occurs
    in the batch. Backward reads the indices only, never the weight, so nothing is saved.
    """

    def forward(self, weight, indices=None, padding_idx=None, scale_grad_by_freq=False):
        self.rows, self.flat = weight.shape[0], indices.reshape(-1)
        self.padding_idx, self.scale_grad_by_freq = padding_idx, scale_grad_by_freq
        return xp.take(weight, indices, axis=0)

    def backward(self, grad):
        flat = self.flat
        rows = grad.reshape(flat.size, -1)
        if self.scale_grad_by_freq:
            counts = xp.bincount(flat, minlength=self.rows)
            rows = rows / counts[flat, None].astype(rows.dtype)
        dweight = xp.zeros((self.rows, rows.shape[1]), dtype=grad.dtype)
        xp.add.at(dweight, flat, rows)
        if self.padding_idx is not None:
            dweight[self.padding_idx] = 0
        return dweight
