"""`gradcraft.device`: PyTorch's device vocabulary, for a library that computes on the CPU only.

Tensors are NumPy arrays in main memory, so the one device is the CPU: `gradcraft.device("cpu")`
is accepted (and is what `Tensor.device` returns), and any other device ('cuda', 'mps', ...)
is refused with a ValueError naming it, instead of being silently ignored. This lets PyTorch
code that moves data and models (`x.to(device)`, `model.to(device)`, `x.cpu()`) run unchanged.

`to_arguments` reads the arguments of PyTorch's `.to(...)` (a device, a dtype, both, or another
tensor) for `Tensor.to` and `nn.Module.to`. `gradcraft.accelerator` answers
`torch.accelerator.is_available()`: False.
"""

from __future__ import annotations

import re

import numpy as np

from . import accelerator
from .validation import check_bool, check_int, describe

__all__ = ["device", "accelerator", "CPU", "to_arguments", "as_dtype"]

# Device types PyTorch knows; a string naming one of them (optionally ':index') is a device,
# any other string passed to `.to()` is read as a dtype name ('float64').
_DEVICE_TYPES = ("cpu", "cuda", "mps", "xpu", "xla", "meta", "hpu", "mtia", "ipu", "vulkan",
                 "hip", "ve", "fpga", "maia", "lazy", "ort", "mkldnn", "opengl", "opencl",
                 "ideep", "privateuseone")
_DEVICE_STRING = re.compile(rf"^({'|'.join(_DEVICE_TYPES)})(?::(\d+))?$")


class device:  # noqa: N801 - PyTorch's name (torch.device)
    """A device: only the CPU. `device("cpu")`, `device("cpu:0")`, `device("cpu", 0)`, or
    another `device`. `.type` is 'cpu', `.index` None or the index given; `str(d)` is 'cpu'.

    Any other device type ('cuda', 'mps', ...) raises ValueError: gradcraft has no accelerator
    (`gradcraft.accelerator.is_available()` is False), so code that chose one by mistake learns
    it at once.
    """

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):  # noqa: A002 - PyTorch's argument name
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(device, index): give the index inside the device or alone")
            self.type, self.index = type.type, type.index
            return
        if not isinstance(type, str):
            raise TypeError(f"device must be a string such as 'cpu' or a gradcraft.device, got "
                            f"{describe(type)}")
        match = _DEVICE_STRING.match(type)
        if match is None:
            raise ValueError(f"device: expected a device type such as 'cpu', got {type!r}")
        kind, text_index = match.groups()
        if kind != "cpu":
            raise ValueError(f"device {type!r} is not available: gradcraft computes with NumPy on "
                             f"the CPU only; use 'cpu' (gradcraft.accelerator.is_available() is False)")
        if text_index is not None and index is not None:
            raise ValueError(f"device: index given twice, in {type!r} and as index={index!r}")
        if text_index is not None:
            index = int(text_index)
        self.type = kind
        self.index = None if index is None else check_int(index, "device index", low=0)

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type={self.type!r}{index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):  # torch.device("cpu") == "cpu"
            other = device(other) if _DEVICE_STRING.match(other) and other.startswith("cpu") else None
            if other is None:
                return False
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")  # what `Tensor.device` returns


def _is_device(value) -> bool:
    return isinstance(value, device) or (isinstance(value, str) and _DEVICE_STRING.match(value) is not None)


def to_arguments(who: str, args: tuple, kwargs: dict):
    """(dtype or None, copy) from PyTorch's `.to(...)` arguments: `to(dtype)`, `to(device)`,
    `to(device, dtype)`, `to(other_tensor)` (its dtype), and the keywords `device=`, `dtype=`,
    `non_blocking=` (accepted, nothing is asynchronous here) and `copy=`. A device is checked by
    `device(...)` (the CPU only); a dtype is returned as given, for the caller to check."""
    from .tensor import Tensor

    unknown = set(kwargs) - {"device", "dtype", "non_blocking", "copy"}
    if unknown:
        raise TypeError(f"{who}() got unexpected keyword argument(s) {', '.join(sorted(unknown))}")
    if len(args) > 2:
        raise TypeError(f"{who}() takes a device, a dtype, or both, got {len(args)} arguments")
    target_device, dtype = kwargs.get("device"), kwargs.get("dtype")
    for position, value in enumerate(args):
        if isinstance(value, Tensor) and len(args) == 1:
            dtype = value.dtype
        elif _is_device(value) and position == 0:
            target_device = value
        elif dtype is None:
            dtype = value
        else:
            raise TypeError(f"{who}(): dtype given twice, {describe(dtype)} and {describe(value)}")
    if target_device is not None:
        device(target_device)
    check_bool(kwargs.get("non_blocking", False), "non_blocking")
    return dtype, check_bool(kwargs.get("copy", False), "copy")


def as_dtype(value, name: str):
    """`value` as a NumPy dtype: TypeError for what is no dtype at all, ValueError for a string
    naming none ('flaot32'), each naming `name` (the policy of `validation`)."""
    try:
        return np.dtype(value)
    except (TypeError, ValueError):
        if isinstance(value, str):
            raise ValueError(f"{name} must be a dtype such as 'float32' or a device such as 'cpu', "
                             f"got {value!r}, which names neither") from None
        raise TypeError(f"{name} must be a NumPy dtype (e.g. numpy.float64) or a device, got "
                        f"{describe(value)}") from None
