"""Convolutions, PyTorch's `conv1d`, `conv2d`, `conv_transpose1d`, `conv_transpose2d`.

Every one runs one of two ops, `ops.conv.Conv2d` and `ops.conv_transpose.ConvTranspose2d`: the
1-D forms view a length-L signal as an image of height 1 (a free reshape), so there is one
kernel per family. Inputs may be batched (N, C, *spatial) or one sample (C, *spatial), as in
PyTorch; `stride`, `padding`, `dilation`, `output_padding` are an int or one int per spatial
axis.
"""

from __future__ import annotations

from ..ops.conv import Conv2d, check_conv_arguments, same_padding
from ..ops.conv_transpose import ConvTranspose2d, check_conv_transpose_arguments
from ..ops.functions import pad as _pad_array
from ..tensor import Tensor, as_tensor
from ..validation import check_choice, check_int, check_pair

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]


def check_ntuple(value, name: str, n: int, *, low: int | None = None) -> tuple:
    """An int or n ints (n = 1 or 2 spatial axes), each checked by `check_int`: PyTorch's
    `_single` / `_pair` with the argument policy of `validation.py`."""
    if n == 2:
        return check_pair(value, name, low=low)
    if hasattr(value, "__len__") and not isinstance(value, str):
        if len(value) != 1:
            raise ValueError(f"{name} must be an int or a 1-tuple, got {value!r} ({len(value)} values)")
        value = value[0]
    return (check_int(value, name, low=low),)


def check_conv_padding(padding, name: str, n: int, *, low: int | None = None):
    """'valid', 'same' or an int / n ints (PyTorch's conv padding)."""
    if isinstance(padding, str):
        return check_choice(padding, name, ("valid", "same"))
    return check_ntuple(padding, name, n, low=low)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """2-D cross-correlation, PyTorch's `conv2d`: x (N, C, H, W) or (C, H, W), weight
    (O, C/groups, KH, KW), bias (O,) -> (N, O, OH, OW),
    OH = floor((H + 2 padding - dilation (KH - 1) - 1) / stride) + 1.

    `stride`, `padding`, `dilation`: an int or an (h, w) pair; `padding` may also be 'valid'
    (none) or 'same' (output size = input size; stride 1 only; an odd total puts the extra pixel
    at the bottom/right, as PyTorch). `groups`: input and output channels split into that many
    blocks convolved separately (groups = C is a depthwise convolution).
    """
    x, weight = as_tensor(x), as_tensor(weight)
    bias = None if bias is None else as_tensor(bias)
    stride, dilation = check_pair(stride, "conv2d: stride"), check_pair(dilation, "conv2d: dilation")
    padding = check_conv_padding(padding, "conv2d: padding", 2)
    groups = check_int(groups, "conv2d: groups", low=1)
    check_conv_arguments(x.shape, weight.shape, None if bias is None else bias.shape, stride,
                         padding, dilation, groups, function="conv2d")
    x, padding = _symmetric_padding(x, padding, weight.shape[2:], dilation)
    unbatched = x.ndim == 3
    if unbatched:
        x = x.reshape(1, *x.shape)
    inputs = (x, weight) if bias is None else (x, weight, bias)
    out = Conv2d.apply(*inputs, stride=stride, padding=padding, dilation=dilation, groups=groups)
    return out.reshape(*out.shape[1:]) if unbatched else out


def conv1d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """1-D cross-correlation, PyTorch's `conv1d`: x (N, C, L) or (C, L), weight (O, C/groups, K),
    bias (O,) -> (N, O, OL); the options as `conv2d`'s, each an int (or a 1-tuple).
    Runs `conv2d` on the signal viewed as an image of height 1."""
    x, weight = as_tensor(x), as_tensor(weight)
    stride = check_ntuple(stride, "conv1d: stride", 1)
    dilation = check_ntuple(dilation, "conv1d: dilation", 1)
    padding = check_conv_padding(padding, "conv1d: padding", 1)
    groups = check_int(groups, "conv1d: groups", low=1)
    check_conv_arguments(x.shape, weight.shape, None if bias is None else as_tensor(bias).shape,
                         stride, padding, dilation, groups, function="conv1d")
    out = conv2d(_as_image(x), _as_image(weight), bias, (1, stride[0]),
                 padding if isinstance(padding, str) else (0, padding[0]), (1, dilation[0]), groups)
    return _as_signal(out)


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """2-D transposed convolution, PyTorch's `conv_transpose2d` (its argument order): x
    (N, C_in, H, W) or (C_in, H, W), weight (C_in, C_out/groups, KH, KW), bias (C_out,) ->
    (N, C_out, OH, OW), OH = (H - 1) stride - 2 padding + dilation (KH - 1) + output_padding + 1.

    The adjoint of `conv2d` (the gradient of conv2d with respect to its input, for a conv weight
    of the same array). `output_padding` (added at the bottom/right, where only the bias lands)
    must be smaller than the stride or the dilation, as in PyTorch.
    """
    x, weight = as_tensor(x), as_tensor(weight)
    bias = None if bias is None else as_tensor(bias)
    options = dict(stride=check_pair(stride, "conv_transpose2d: stride"),
                   padding=check_pair(padding, "conv_transpose2d: padding"),
                   output_padding=check_pair(output_padding, "conv_transpose2d: output_padding"),
                   dilation=check_pair(dilation, "conv_transpose2d: dilation"),
                   groups=check_int(groups, "conv_transpose2d: groups", low=1))
    check_conv_transpose_arguments(x.shape, weight.shape, None if bias is None else bias.shape,
                                   function="conv_transpose2d", **options)
    unbatched = x.ndim == 3
    if unbatched:
        x = x.reshape(1, *x.shape)
    inputs = (x, weight) if bias is None else (x, weight, bias)
    out = ConvTranspose2d.apply(*inputs, **options)
    return out.reshape(*out.shape[1:]) if unbatched else out


def conv_transpose1d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """1-D transposed convolution, PyTorch's `conv_transpose1d`: x (N, C_in, L) or (C_in, L),
    weight (C_in, C_out/groups, K) -> (N, C_out, (L - 1) stride - 2 padding + dilation (K - 1)
    + output_padding + 1). Runs `conv_transpose2d` on height-1 images."""
    x, weight = as_tensor(x), as_tensor(weight)
    stride = check_ntuple(stride, "conv_transpose1d: stride", 1)
    padding = check_ntuple(padding, "conv_transpose1d: padding", 1)
    output_padding = check_ntuple(output_padding, "conv_transpose1d: output_padding", 1)
    dilation = check_ntuple(dilation, "conv_transpose1d: dilation", 1)
    groups = check_int(groups, "conv_transpose1d: groups", low=1)
    check_conv_transpose_arguments(x.shape, weight.shape, None if bias is None else as_tensor(bias).shape,
                                   stride, padding, output_padding, dilation, groups,
                                   function="conv_transpose1d")
    out = conv_transpose2d(_as_image(x), _as_image(weight), bias, (1, stride[0]), (0, padding[0]),
                           (0, output_padding[0]), groups, (1, dilation[0]))
    return _as_signal(out)


def _as_image(t: Tensor) -> Tensor:
    """(..., L) -> (..., 1, L): a signal as an image of height 1 (a view)."""
    return t.reshape(*t.shape[:-1], 1, t.shape[-1])


def _as_signal(t: Tensor) -> Tensor:
    """(..., 1, L) -> (..., L)."""
    return t.reshape(*t.shape[:-2], t.shape[-1])


def _symmetric_padding(x: Tensor, padding, kernel, dilation):
    """(x, (ph, pw)) for the op, which pads both sides alike: 'valid' is no padding; 'same'
    with an odd total pads x itself first (the extra pixel at the end) and the op pads nothing."""
    if not isinstance(padding, str):
        return x, padding
    if padding == "valid":
        return x, (0, 0)
    pairs = same_padding(kernel, dilation)
    if all(before == after for before, after in pairs):
        return x, tuple(before for before, _ in pairs)
    return _pad_array(x, [(0, 0)] * (x.ndim - 2) + list(pairs)), (0, 0)


def _check_image_batch(function: str, x: Tensor) -> bool:
    """True for one unbatched image (C, H, W); an error naming the shape unless (N, C, H, W)."""
    if x.ndim not in (3, 4):
        hint = "; for one single-channel image (H, W) use x[None, None]" if x.ndim == 2 else ""
        raise ValueError(f"{function}: input must have shape (N, C, H, W) or (C, H, W), got "
                         f"{x.shape}{hint}")
    return x.ndim == 3


def _unsupported(function: str, name: str, value, supported) -> None:
    """A PyTorch argument with a value not implemented here: say so rather than ignore it."""
    raise NotImplementedError(f"{function}: {name}={value!r} is not supported; only {name}={supported!r}")
