"""Normalisation layers: BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm (PyTorch's
constructors, parameters, buffers, state_dict names and modes)."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..devices import device as check_device
from ..functional.normalization import _normalized_shape
from ..validation import check_bool, check_int, check_real
from .module import Module, check_float_dtype
from .parameter import Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm"]


def _affine(module, shape, device, dtype, weight: bool, bias: bool) -> None:
    """weight (ones) and bias (zeros) of `shape`, or None where absent (PyTorch's init).
    `device`: None or the CPU (anything else is refused, naming it)."""
    if device is not None:
        check_device(device)
    module.weight = Parameter(np.ones(shape, dtype=dtype)) if weight else None
    module.bias = Parameter(np.zeros(shape, dtype=dtype)) if bias else None


class _BatchNorm(Module):
    """Per-channel normalisation with learned scale `weight` (ones) and shift `bias` (zeros).

    Training: the batch's mean and biased variance normalise; the running estimates take the
    unbiased variance, running = (1 - momentum) running + momentum batch (`momentum=None`: the
    cumulative average, momentum = 1 / num_batches_tracked). Eval: the running estimates
    normalise (an affine map). `track_running_stats=False`: no buffers, batch statistics in
    both modes. state_dict: weight, bias, running_mean, running_var, num_batches_tracked.
    """

    _ranks: tuple[int, ...] = ()
    _layout = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None, dtype=None,
                 *, bias: bool = True):
        super().__init__()
        name = type(self).__name__
        self.num_features = check_int(num_features, f"{name}: num_features", low=1)
        self.eps = check_real(eps, f"{name}: eps", low=0.0)
        self.momentum = None if momentum is None else check_real(momentum, f"{name}: momentum")
        self.affine = check_bool(affine, f"{name}: affine")
        self.track_running_stats = check_bool(track_running_stats, f"{name}: track_running_stats")
        bias = check_bool(bias, f"{name}: bias")
        dtype = check_float_dtype(dtype)
        _affine(self, num_features, device, dtype, self.affine, self.affine and bias)
        if self.track_running_stats:
            self.register_buffer("running_mean", np.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", np.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", np.zeros((), dtype=np.int64))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean[...] = 0
            self.running_var[...] = 1
            self.num_batches_tracked[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.weight is not None:
            self.weight.data[...] = 1
        if self.bias is not None:
            self.bias.data[...] = 0

    def forward(self, input):
        name = type(self).__name__
        shape = tuple(input.shape)
        if len(shape) not in self._ranks:
            raise ValueError(f"{name}: input must have shape {self._layout}, got {shape}")
        if shape[1] != self.num_features:
            raise ValueError(f"{name}: input has {shape[1]} channels but num_features="
                             f"{self.num_features} (input shape {shape})")
        use_batch = self.training or not self.track_running_stats
        if use_batch and shape[0] * int(np.prod(shape[2:])) == 1:
            # checked before num_batches_tracked counts the batch: a refused batch changes nothing
            raise ValueError(f"{name}: Expected more than 1 value per channel when training, got "
                             f"input size {shape} (one sample without spatial extent has no "
                             "variance; use a larger batch, or eval() for single samples)")
        momentum = 0.0 if self.momentum is None else self.momentum
        update = self.training and self.track_running_stats
        if update:
            self.num_batches_tracked += 1
            if self.momentum is None:   # the cumulative moving average
                momentum = 1.0 / float(self.num_batches_tracked)
        running = update or not use_batch
        return F.batch_norm(input, self.running_mean if running else None,
                            self.running_var if running else None, self.weight, self.bias,
                            use_batch, momentum, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs, per channel over N (and L)."""

    _ranks, _layout = (2, 3), "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of images (N, C, H, W), per channel over N, H and W."""

    _ranks, _layout = (4,), "(N, C, H, W)"


class LayerNorm(Module):
    """Normalise each sample over its last len(normalized_shape) axes (`F.layer_norm`), with an
    elementwise `weight` (ones) and `bias` (zeros) of shape normalized_shape when
    `elementwise_affine` (`bias=False`: the weight only). The same in training and eval."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _normalized_shape(normalized_shape)
        self.eps = check_real(eps, "LayerNorm: eps", low=0.0)
        self.elementwise_affine = check_bool(elementwise_affine, "LayerNorm: elementwise_affine")
        bias = check_bool(bias, "LayerNorm: bias")
        dtype = check_float_dtype(dtype)
        _affine(self, self.normalized_shape, device, dtype, self.elementwise_affine,
                self.elementwise_affine and bias)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalise groups of num_channels / num_groups consecutive channels of each sample over
    those channels and all positions (`F.group_norm`), with a per-channel `weight` (ones) and
    `bias` (zeros) when `affine`. The same in training and eval."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device=None, dtype=None, *, bias: bool = True):
        super().__init__()
        self.num_groups = check_int(num_groups, "GroupNorm: num_groups", low=1)
        self.num_channels = check_int(num_channels, "GroupNorm: num_channels", low=1)
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        self.eps = check_real(eps, "GroupNorm: eps", low=0.0)
        self.affine = check_bool(affine, "GroupNorm: affine")
        bias = check_bool(bias, "GroupNorm: bias")
        _affine(self, num_channels, device, check_float_dtype(dtype), self.affine, self.affine and bias)

    def forward(self, input):
        shape = tuple(input.shape)
        if len(shape) < 2 or shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm: input must have shape (N, {self.num_channels}, *) "
                             f"(num_channels={self.num_channels}), got {shape}")
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")
