"""Resampling images and signals: interpolate (PyTorch's `F.interpolate`, modes 'nearest',
'linear' for (N, C, L), 'bilinear' for (N, C, H, W))."""

from __future__ import annotations

import numbers

from ..ops.pool_upsample import Interpolate, output_size
from ..tensor import Tensor, as_tensor
from ..validation import check_bool, check_choice, check_real, describe

__all__ = ["interpolate"]

_MODES = ("nearest", "linear", "bilinear")


def _per_axis(value, dims, name, check):
    if isinstance(value, list | tuple):
        if len(value) != dims:
            raise ValueError(f"interpolate: {name} must have one entry per spatial dimension ({dims}), "
                             f"got {tuple(value)}")
        return tuple(check(v) for v in value)
    return (check(value),) * dims


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False) -> Tensor:
    """Resample x (N, C, L) or (N, C, H, W) to `size` (an int or one per spatial axis) or by
    `scale_factor` (output size floor(size * factor)), PyTorch's `interpolate`: 'nearest' takes
    x[floor(o * scale)] (PyTorch's legacy nearest, scale = 1 / scale_factor when given, else
    in / out); 'linear' (3-D) and 'bilinear' (4-D) blend the two neighbours of the source
    position, align_corners=True mapping the corner pixels' centres onto each other,
    False (the default) the corners' edges. `recompute_scale_factor=True` uses in / out rather
    than the given factor. Only `antialias=False`."""
    x = as_tensor(input)
    mode = check_choice(mode, "mode", _MODES)
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported; only antialias=False")
    if mode == "nearest":
        if align_corners is not None:
            raise ValueError("interpolate: align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear")
    else:
        align_corners = False if align_corners is None else check_bool(align_corners, "align_corners")
    if x.ndim not in (3, 4):
        raise ValueError(f"interpolate: input must have shape (N, C, L) or (N, C, H, W), got {x.shape}")
    if mode == "bilinear" and x.ndim != 4 or mode == "linear" and x.ndim != 3:
        raise ValueError(f"interpolate: mode {mode!r} needs a {4 if mode == 'bilinear' else 3}-D input, "
                         f"got shape {x.shape}")
    dims = x.ndim - 2
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size or scale_factor, got "
                         f"size={size!r}, scale_factor={scale_factor!r}")
    if recompute_scale_factor and size is not None:
        raise ValueError("interpolate: recompute_scale_factor is not meaningful with an explicit size")
    scales = None
    if size is not None:
        def check_size(v):
            if isinstance(v, bool) or not isinstance(v, numbers.Integral):
                raise TypeError(f"interpolate: size must be an int or a tuple of ints, got {describe(v)}")
            if v < 1:
                raise ValueError(f"interpolate: size must be positive, got {size!r}")
            return int(v)
        out_size = _per_axis(size, dims, "size", check_size)
    else:
        scales = _per_axis(scale_factor, dims, "scale_factor",
                           lambda v: check_real(v, "interpolate: scale_factor", low=0, low_open=True))
        out_size = output_size(x.shape, None, scales)
        if min(out_size) < 1:
            raise ValueError(f"interpolate: scale_factor {scale_factor!r} gives an empty output {out_size} "
                             f"for input {x.shape}")
        if recompute_scale_factor:
            scales = None
    return Interpolate.apply(x, out_size=out_size, scales=scales, mode=mode, align_corners=align_corners)
