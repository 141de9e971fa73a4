"""PyTorch's `F.pad(input, pad, mode='constant', value=None)`.

Not NumPy's `gradcraft.pad`: the argument formats differ on purpose. `pad` here is PyTorch's
flat list of (before, after) pairs starting from the LAST axis -- (left, right, top, bottom)
pads the last axis by left/right and the one before by top/bottom -- while `gradcraft.pad`
takes NumPy's one pair per axis, first axis first. Both run the same op.
"""

from __future__ import annotations

from ..ops.functions.arguments import tensor_of
from ..ops.functions.shapes import pad as _numpy_pad
from ..validation import check_choice, check_int, check_real, describe

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input, pad, mode="constant", value=None):
    """PyTorch's `F.pad`: `pad` = (before, after) pairs from the last axis backwards (an even
    number of ints, at most two per axis). Modes 'constant' (`value`, default 0; negative
    widths crop), 'reflect', 'replicate' and 'circular', differentiable.

    As PyTorch: 'reflect' needs each width < the axis size, 'circular' each width <= it (it
    wraps around at most once). Unlike PyTorch: negative widths only with 'constant' (PyTorch
    crops with the other modes too, after reflecting but before wrapping), and the non-constant
    modes pad any axes of any rank (PyTorch limits them to the last 1-3 axes of a 2-D to 5-D
    input).
    """
    x = tensor_of(input)
    check_choice(mode, "pad: mode", _MODES)
    if isinstance(pad, str) or not hasattr(pad, "__len__"):
        raise TypeError(f"pad: pad must be a sequence of ints (before, after, ...) from the last "
                        f"axis, got {describe(pad)}")
    widths = [check_int(w, "pad: pad") for w in pad]
    if len(widths) % 2 or len(widths) // 2 > x.ndim:
        raise ValueError(f"pad: pad must hold an even number of ints, at most 2 per axis of the "
                         f"input (shape {x.shape}), got {tuple(pad)} ({len(widths)} values)")
    if value is not None and mode != "constant":
        raise ValueError(f"pad: value= is used with mode='constant' only, got mode={mode!r}")
    fill = 0.0 if value is None else check_real(value, "pad: value", finite=False)
    pairs = [[0, 0] for _ in range(x.ndim)]
    for k in range(len(widths) // 2):
        pairs[x.ndim - 1 - k] = widths[2 * k: 2 * k + 2]
    if min(widths, default=0) < 0 and mode != "constant":
        raise ValueError(f"pad: negative widths (cropping) are allowed with mode='constant' only "
                         f"here, got pad={tuple(pad)} with mode={mode!r}")
    for axis, (before, after) in enumerate(pairs):
        if x.shape[axis] + before + after < 0:
            raise ValueError(f"pad: pad={tuple(pad)} crops axis {axis} of shape {x.shape} below size 0")
    if mode in ("reflect", "circular"):
        for axis, (before, after) in enumerate(pairs):
            n = x.shape[axis]
            limit = n - 1 if mode == "reflect" else n
            if max(before, after) > limit:
                relation = "less than" if mode == "reflect" else "at most"
                raise ValueError(f"pad: with mode={mode!r} each width must be {relation} the size "
                                 f"of its axis, got ({before}, {after}) for axis {axis} of shape "
                                 f"{x.shape}")
    return _numpy_pad(x, pairs, mode=mode, constant_values=fill)
