"""Normalisation functions: batch_norm (PyTorch's signature and semantics)."""

from __future__ import annotations

from ..backend import xp
from ..ops.norm import BatchNormTrain
from ..tensor import Tensor, as_tensor

__all__ = ["batch_norm"]


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training: bool = False,
               momentum: float | None = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (axis 1) of `input` (N, C, ...), as PyTorch's `F.batch_norm`.

    training: normalise with the batch's mean and biased variance, and (when the running
    arrays are given) update them in place: running = (1 - momentum) * running + momentum *
    batch, with the batch variance *unbiased* (times m / (m - 1)), as PyTorch.
    `momentum=None` is not taken here (the layer turns it into 1 / num_batches_tracked).
    Otherwise: normalise with running_mean and running_var.
    """
    x = as_tensor(input)
    if x.ndim < 2:
        raise ValueError(f"batch_norm: input must have shape (N, C, ...), got {x.shape}")
    channels = x.shape[1]
    for name, value in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                        ("running_var", running_var)):
        if value is not None and tuple(xp.shape(value.data if isinstance(value, Tensor) else value)) != (channels,):
            raise ValueError(f"batch_norm: {name} must have shape ({channels},) for an input with "
                             f"{channels} channels (input shape {x.shape}), got "
                             f"{tuple(xp.shape(value.data if isinstance(value, Tensor) else value))}")
    if (weight is None) != (bias is None):
        raise ValueError("batch_norm: give both weight and bias or neither")
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if training:
        per_channel = x.size // channels if channels else 0
        if per_channel <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                             f"got input of shape {x.shape}")
        statistics = {}
        inputs = (x,) if weight is None else (x, weight, bias)
        out = BatchNormTrain.apply(*inputs, eps=eps, statistics=statistics)
        if running_mean is not None:
            unbiased = statistics["var"] * (per_channel / (per_channel - 1))
            for running, batch in ((running_mean, statistics["mean"]), (running_var, unbiased)):
                array = running.data if isinstance(running, Tensor) else running
                array *= 1 - momentum
                array += momentum * batch
        return out
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are needed when training=False")
    mean = running_mean.data if isinstance(running_mean, Tensor) else xp.asarray(running_mean)
    var = running_var.data if isinstance(running_var, Tensor) else xp.asarray(running_var)
    invstd = (1.0 / xp.sqrt(var + eps)).astype(x.dtype)
    out = (x - mean.astype(x.dtype).reshape(shape)) * invstd.reshape(shape)
    if weight is not None:
        out = out * weight.reshape(shape) + bias.reshape(shape)
    return out
