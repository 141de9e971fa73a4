"""Batch normalisation in training mode, one fused op (forward and backward side by side).

For each channel c (axis 1 of x), over the m = x.size / C values of that channel:

    mean = sum(x) / m,   var = sum((x - mean)^2) / m   (biased: this is what normalises),
    xhat = (x - mean) * invstd,   invstd = 1 / sqrt(var + eps),   y = weight * xhat + bias.

Backward, with g = dL/dy. dbias = sum(g), dweight = sum(g * xhat). For x, mean and var depend
on every x of the channel, so dL/dx has three terms; collecting them (dxhat = weight * g):

    dx = invstd / m * (m * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat))

which needs only the two per-channel sums of g and g * xhat and the saved xhat.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import xp


class BatchNormTrain(Function):
    """y = weight * (x - batch mean) / sqrt(batch var + eps) + bias per channel (axis 1).

    Inputs: x, or x, weight, bias (both (C,)). `statistics`: a dict the forward fills with the
    batch's "mean" and biased "var" (C,), from which the caller updates running estimates."""

    def forward(self, x, weight=None, bias=None, eps=1e-5, statistics=None):
        axes = (0, *range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)
        mean = x.mean(axis=axes)
        centred = x - mean.reshape(shape)
        var = xp.mean(centred * centred, axis=axes)
        invstd = 1.0 / xp.sqrt(var + eps)
        xhat = centred
        xhat *= invstd.reshape(shape)
        if statistics is not None:
            statistics["mean"], statistics["var"] = mean, var
        self.axes, self.shape, self.invstd, self.xhat = axes, shape, invstd.astype(x.dtype), xhat
        self.weight = weight
        if weight is None:
            return xhat.copy()
        return xhat * weight.reshape(shape) + bias.reshape(shape)

    def backward(self, grad):
        axes, shape, xhat = self.axes, self.shape, self.xhat
        sum_g = grad.sum(axis=axes)
        sum_gx = (grad * xhat).sum(axis=axes)
        gx = gw = gb = None
        if self.needs_input_grad[0]:
            m = xhat.size // xhat.shape[1]
            scale = self.invstd if self.weight is None else self.invstd * self.weight
            gx = grad - (sum_g / m).reshape(shape) - xhat * (sum_gx / m).reshape(shape)
            gx *= scale.reshape(shape)
        if len(self.needs_input_grad) > 1:
            gw, gb = sum_gx, sum_g
        return (gx,) if self.weight is None else (gx, gw, gb)
