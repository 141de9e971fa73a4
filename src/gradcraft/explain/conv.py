"""One convolution layer: output size, parameter count, and (given a small input and kernel) the
output values, computed with gradcraft's own `conv2d`.

    OH = floor((H + 2 p_h - d_h (KH - 1) - 1) / s_h) + 1      (OW likewise)
    parameters = KH * KW * C_in * C_out + C_out (bias)

Deep-learning "convolution" is cross-correlation: out[i, j] = sum_{a,b} x[i*s + a*d, j*s + b*d]
k[a, b] (+ bias), with no kernel flip.
"""

from __future__ import annotations

import numpy as np

from ..functional import conv2d
from ..ops.conv import conv_output_size
from ..tensor import Tensor
from ..validation import check_int, check_pair, check_real
from . import _inputs
from .result import Explanation, format_given


MAX_LISTED = 10**6  # list unread rows/columns for inputs and output x kernel up to this size


def conv(input_size=None, kernel_size=None, stride=1, padding=0, dilation=1, in_channels: int = 1,
         out_channels: int = 1, x=None, kernel=None, bias: float | None = None) -> Explanation:
    """Explain a 2-D convolution.

    input_size (H, W) or H; kernel_size (KH, KW) or K; stride, padding, dilation: int or pair.
    x (H, W) and kernel (KH, KW), optional: single-channel input and kernel whose output values
    are computed (their shapes fix input_size and kernel_size if those are not given).
    bias: a number added to every output value (with x and kernel).

    Result keys: output_size (OH, OW); output_shape (C_out, OH, OW); parameters (weights and
    biases); weights (without biases); unread_rows, unread_columns: the input rows and columns
    no output reads (None for inputs too large to list); output (OH, OW) the output values,
    None without x and kernel.
    """
    if (x is None) != (kernel is None):
        raise ValueError("give both x and kernel to compute output values, or neither")
    if bias is not None and x is None:  # it would change nothing: say so rather than ignore it
        raise ValueError(f"bias {bias!r} is added to the output values: give x and kernel too")
    if x is not None:
        x = _inputs.matrix("x", x)
        if input_size is not None and check_pair(input_size, "input_size", low=1) != x.shape:
            raise ValueError(f"input_size {input_size} does not match the shape of x {x.shape}")
        input_size = x.shape
    if kernel is not None:
        kernel = _inputs.matrix("kernel", kernel)
        if kernel_size is not None and check_pair(kernel_size, "kernel_size", low=1) != kernel.shape:
            raise ValueError(f"kernel_size {kernel_size} does not match the shape of kernel {kernel.shape}")
        kernel_size = kernel.shape
    if input_size is None or kernel_size is None:
        raise ValueError("conv needs input_size (or x) and kernel_size (or kernel)")
    size = check_pair(input_size, "input_size", low=1)
    ksize = check_pair(kernel_size, "kernel_size", low=1)
    stride = check_pair(stride, "stride", low=1)
    padding = check_pair(padding, "padding", low=0)
    dilation = check_pair(dilation, "dilation", low=1)
    in_channels = check_int(in_channels, "in_channels", low=1)
    out_channels = check_int(out_channels, "out_channels", low=1)
    if x is not None and (in_channels, out_channels) != (1, 1):
        raise ValueError("explicit x and kernel are single-channel: leave in_channels and out_channels at 1")

    result = Explanation("conv", f"Convolution of a {size[0]}x{size[1]} input with a "
                                 f"{ksize[0]}x{ksize[1]} kernel")
    out, unread_per_axis = [], []
    for axis, (name, n, k, s, p, d) in enumerate(zip(("OH", "OW"), size, ksize, stride, padding, dilation)):
        span = d * (k - 1) + 1
        numerator = n + 2 * p - span
        o = conv_output_size(n, k, s, p, d)
        if o < 1:
            raise ValueError(
                f"{'height' if axis == 0 else 'width'}: the input ({n} + 2*{p} padding) is smaller "
                f"than the dilated kernel ({span}); no output"
            )
        out.append(o)
        note = f"floor(({n} + 2*{p} - {d}*({k} - 1) - 1) / {s}) + 1 = floor({numerator}/{s}) + 1"
        what = "row" if axis == 0 else "column"
        unread = None
        if n <= MAX_LISTED and o * k <= MAX_LISTED:  # the read-set costs O(o k) memory
            unread = _unread(n, o, k, s, p, d)
            if len(unread) > 1:
                note += f"; input {what}s {_ranges(unread)} are never read"
            elif unread:
                note += f"; input {what} {unread[0]} is never read"
            else:
                note += f"; every input {what} is read"
        result.add(name, o, note)
        unread_per_axis.append(None if unread is None else tuple(unread))
    weights = ksize[0] * ksize[1] * in_channels * out_channels
    result.add("output shape", f"{out_channels}x{out[0]}x{out[1]}", "C_out x OH x OW")
    result.add("parameters", weights + out_channels,
               f"{ksize[0]}*{ksize[1]}*{in_channels}*{out_channels} weights + {out_channels} biases")

    values = None
    if x is not None:
        b = 0.0 if bias is None else check_real(bias, "bias")
        values = conv2d(Tensor(x[None, None]), Tensor(kernel[None, None]), Tensor(np.array([b])),
                        stride=stride, padding=padding, dilation=dilation).data[0, 0]
        padded = np.pad(x, ((padding[0], padding[0]), (padding[1], padding[1])))
        window = padded[0:dilation[0] * (ksize[0] - 1) + 1:dilation[0],
                        0:dilation[1] * (ksize[1] - 1) + 1:dilation[1]]
        products = " + ".join(_fmt(v) + "*" + _fmt(w) for v, w in zip(window.ravel(), kernel.ravel()))
        result.add("out[0, 0]", values[0, 0],
                   products + (f" + {_fmt(b)}" if b else "") if window.size <= 25 else
                   "sum of the first window times the kernel, elementwise")
        result.add("output", values, "cross-correlation (no kernel flip), from gradcraft.functional.conv2d")
    result.record(output_size=tuple(out), output_shape=(out_channels, *out),
                  parameters=weights + out_channels, weights=weights, unread_rows=unread_per_axis[0],
                  unread_columns=unread_per_axis[1], output=values)
    result.summary = (f"A {size[0]}x{size[1]}x{in_channels} input gives a {out[0]}x{out[1]}x{out_channels} "
                      f"output with {weights + out_channels} parameters ({weights} without bias).")
    return result


def _unread(n: int, o: int, k: int, s: int, p: int, d: int) -> list[int]:
    """Input indices (0..n-1 along one axis) that no output reads: output o' reads the padded
    positions o' s + t d (t = 0..k-1), i.e. input index o' s - p + t d. Gaps come from a stride
    larger than the dilated kernel's taps, from dilation holes, and from the end (the last window
    stops short); indices read only as padding are not input rows at all."""
    read = (np.arange(o)[:, None] * s - p + np.arange(k)[None, :] * d).ravel()
    seen = np.zeros(n, dtype=bool)
    seen[read[(read >= 0) & (read < n)]] = True
    return np.flatnonzero(~seen).tolist()


def _ranges(indices: list[int]) -> str:
    """[0, 2, 3, 4, 7] -> '0, 2..4, 7' (runs of 3 or more as a..b; 'a and b' for two items)."""
    runs, start = [], 0
    for i in range(1, len(indices) + 1):
        if i == len(indices) or indices[i] != indices[i - 1] + 1:
            run = indices[start:i]
            runs += [f"{run[0]}..{run[-1]}"] if len(run) > 2 else [str(v) for v in run]
            start = i
    return runs[0] if len(runs) == 1 else ", ".join(runs[:-1]) + " and " + runs[-1]


def _fmt(v: float) -> str:
    """An input number as given (shortest repr), negatives in parentheses: 5*(-1)."""
    text = format_given(v)
    return f"({text})" if text.startswith("-") else text
