"""Normalisation functions, PyTorch's signatures and semantics: batch_norm, layer_norm,
group_norm. Each is one fused op (`ops.norm.Normalize`) over the axes its statistics span."""

from __future__ import annotations

from math import prod

import numpy as np

from ..backend import xp
from ..ops.norm import Normalize
from ..tensor import Tensor, as_tensor
from ..validation import check_int, check_real, describe

__all__ = ["batch_norm", "layer_norm", "group_norm"]


def _array(value):
    return value.data if isinstance(value, Tensor) else xp.asarray(value)


def _floating(name, x) -> Tensor:
    x = as_tensor(x)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{name}: input must be a floating-point tensor, got dtype {x.dtype}")
    return x


def _check_shape(name, argument, value, shape, input_shape) -> None:
    if value is not None and tuple(xp.shape(_array(value))) != tuple(shape):
        raise ValueError(f"{name}: {argument} must have shape {tuple(shape)} for an input of shape "
                         f"{tuple(input_shape)}, got {tuple(xp.shape(_array(value)))}")


def _check_batch_size(name, shape, size) -> None:
    """PyTorch's `_verify_batch_size`: statistics of one value cannot normalise."""
    if size == 1:
        raise ValueError(f"{name}: Expected more than 1 value per channel when training, got input "
                         f"size {tuple(shape)}")


def _normalize(x, weight, bias, axes, param_shape, eps, **options) -> Tensor:
    inputs = (x,) + tuple(p for p in (weight, bias) if p is not None)
    return Normalize.apply(*inputs, axes=tuple(axes), param_shape=param_shape, eps=eps,
                           has_weight=weight is not None, has_bias=bias is not None, **options)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (axis 1) of `input` (N, C, ...) over every other axis, as
    PyTorch's `F.batch_norm`.

    training: with the batch's mean and biased variance; running_mean and running_var (if
    given: (C,) arrays or tensors) are updated in place, running = (1 - momentum) * running +
    momentum * batch, with the *unbiased* batch variance (times m / (m - 1), m values a
    channel). A batch with one value per channel is refused (ValueError), as PyTorch.
    Otherwise: the affine map with running_mean and running_var, which must be given.
    The output keeps the input's memory layout (an NCHW view of channels-last memory stays so).
    """
    x = _floating("batch_norm", input)
    if x.ndim < 2:
        raise ValueError(f"batch_norm: input must have shape (N, C, ...), got {tuple(x.shape)}")
    channels = x.shape[1]
    for argument, value in (("running_mean", running_mean), ("running_var", running_var),
                            ("weight", weight), ("bias", bias)):
        _check_shape("batch_norm", argument, value, (channels,), x.shape)
    eps = check_real(eps, "batch_norm: eps", low=0.0)
    axes = (0, *range(2, x.ndim))
    param_shape = (1, channels) + (1,) * (x.ndim - 2)
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var must be given when "
                             "training=False (evaluation normalises with them)")
        stats = (_array(running_mean), _array(running_var))
        return _normalize(x, weight, bias, axes, param_shape, eps, stats=stats)
    update = running_mean is not None or running_var is not None
    if update:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: give both running_mean and running_var or neither")
        if momentum is None or isinstance(momentum, bool):
            raise TypeError(f"batch_norm: momentum must be a number, got {describe(momentum)} "
                            "(the layers turn momentum=None into 1 / num_batches_tracked)")
        momentum = check_real(momentum, "batch_norm: momentum")
    m = x.size // channels if channels else 0
    _check_batch_size("batch_norm", x.shape, x.shape[0] * prod(x.shape[2:]))
    if m == 0:   # an empty batch: nothing to normalise, the running estimates stay (PyTorch)
        return x * 1
    statistics = {} if update else None
    out = _normalize(x, weight, bias, axes, param_shape, eps, statistics=statistics)
    if update:
        unbiased = statistics["var"] * (m / (m - 1))
        for running, batch in ((running_mean, statistics["mean"]), (running_var, unbiased)):
            array = _array(running)
            array *= 1 - momentum
            array += momentum * batch
    return out


def _normalized_shape(value) -> tuple[int, ...]:
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        value = (value,)
    try:
        shape = tuple(check_int(n, "layer_norm: normalized_shape", low=0) for n in value)
    except TypeError:
        raise TypeError(f"layer_norm: normalized_shape must be an int or a sequence of ints, got "
                        f"{describe(value)}") from None
    return shape


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalise each sample over its last len(normalized_shape) axes (which must equal
    normalized_shape), then `weight * xhat + bias` elementwise (weight and bias of shape
    normalized_shape), as PyTorch's `F.layer_norm`. The statistics are each sample's own, the
    same in training and evaluation."""
    x = _floating("layer_norm", input)
    shape = _normalized_shape(normalized_shape)
    k = len(shape)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != shape:
        raise ValueError(f"layer_norm: given normalized_shape={list(shape)}, expected an input of "
                         f"shape (*, {', '.join(map(str, shape))}), got {tuple(x.shape)}")
    for argument, value in (("weight", weight), ("bias", bias)):
        _check_shape("layer_norm", argument, value, shape, x.shape)
    eps = check_real(eps, "layer_norm: eps", low=0.0)
    axes = tuple(range(x.ndim - k, x.ndim))
    return _normalize(x, weight, bias, axes, (1,) * (x.ndim - k) + shape, eps)


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Split the channels (axis 1) of `input` (N, C, ...) into `num_groups` groups of C / G
    consecutive channels and normalise each sample's group over its channels and positions;
    then `weight * xhat + bias` per channel ((C,) each), as PyTorch's `F.group_norm`."""
    x = _floating("group_norm", input)
    if x.ndim < 2:
        raise ValueError(f"group_norm: input must have shape (N, C, ...), got {tuple(x.shape)}")
    groups = check_int(num_groups, "group_norm: num_groups", low=1)
    n, channels = x.shape[0], x.shape[1]
    if channels % groups:
        raise ValueError(f"group_norm: the number of channels must be divisible by num_groups, got "
                         f"input of shape {tuple(x.shape)} and num_groups={groups}")
    for argument, value in (("weight", weight), ("bias", bias)):
        _check_shape("group_norm", argument, value, (channels,), x.shape)
    eps = check_real(eps, "group_norm: eps", low=0.0)
    per_group = channels // groups
    _check_batch_size("group_norm", x.shape, n * per_group * prod(x.shape[2:]))
    grouped = x.reshape(n, groups, per_group, prod(x.shape[2:]))
    out = _normalize(grouped, weight, bias, (2, 3), (1, groups, per_group, 1), eps)
    return out.reshape(x.shape)
