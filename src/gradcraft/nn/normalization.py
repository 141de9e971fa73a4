"""Normalisation layers: BatchNorm1d, BatchNorm2d (PyTorch's constructors, buffers and modes)."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..backend import default_float
from ..validation import check_bool, check_int, check_real
from .module import Module, check_float_dtype
from .parameter import Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d"]


class _BatchNorm(Module):
    """Per-channel normalisation with learned scale `weight` (ones) and shift `bias` (zeros).

    Training: the batch's mean and biased variance normalise; the running estimates take the
    unbiased variance, running = (1 - momentum) running + momentum batch (`momentum=None`: the
    cumulative average, momentum = 1 / num_batches_tracked). Eval: the running estimates
    normalise. `track_running_stats=False`: no buffers, batch statistics in both modes.
    state_dict: weight, bias, running_mean, running_var, num_batches_tracked (PyTorch's names).
    """

    _ranks: tuple[int, ...] = ()
    _layout = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None, dtype=default_float):
        super().__init__()
        self.num_features = check_int(num_features, "num_features", low=1)
        self.eps = check_real(eps, "eps", low=0.0)
        self.momentum = None if momentum is None else check_real(momentum, "momentum", low=0.0, high=1.0)
        self.affine = check_bool(affine, "affine")
        self.track_running_stats = check_bool(track_running_stats, "track_running_stats")
        dtype = check_float_dtype(dtype)
        if self.affine:
            self.weight = Parameter(np.ones(num_features, dtype=dtype))
            self.bias = Parameter(np.zeros(num_features, dtype=dtype))
        else:
            self.weight = self.bias = None
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

    def forward(self, x):
        name = type(self).__name__
        if x.ndim not in self._ranks:
            raise ValueError(f"{name}: input must have shape {self._layout}, got {tuple(x.shape)}")
        if x.shape[1] != self.num_features:
            raise ValueError(f"{name}: input has {x.shape[1]} channels but num_features="
                             f"{self.num_features} (input shape {tuple(x.shape)})")
        use_batch = self.training or not self.track_running_stats
        momentum = self.momentum
        if self.training and self.track_running_stats:
            if x.size // x.shape[1] <= 1:
                raise ValueError(f"{name}: expected more than 1 value per channel when training, "
                                 f"got input of shape {tuple(x.shape)} (a batch of one sample "
                                 "with no spatial extent has no variance to normalise by)")
            self.num_batches_tracked += 1
            if momentum is None:
                momentum = 1.0 / float(self.num_batches_tracked)
        update = self.training and self.track_running_stats
        return F.batch_norm(x, self.running_mean if update or not use_batch else None,
                            self.running_var if update or not use_batch else None,
                            self.weight, self.bias, use_batch, momentum if momentum is not None else 0.0,
                            self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs, over N (and L)."""

    _ranks, _layout = (2, 3), "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of images (N, C, H, W), per channel over N, H and W."""

    _ranks, _layout = (4,), "(N, C, H, W)"
