"""`gradcraft.accelerator`: PyTorch's `torch.accelerator` questions, answered for a CPU library.

gradcraft computes with NumPy on the CPU, so there is never an accelerator. PyTorch code that
asks (`use_accel = torch.accelerator.is_available()`, as PyTorch's MNIST example does) takes its
CPU branch unchanged. Only the calls that example makes are here.
"""

from __future__ import annotations

from .validation import check_bool

__all__ = ["is_available", "current_accelerator"]


def is_available() -> bool:
    """False: gradcraft has no accelerator (as `torch.accelerator.is_available()` on a CPU-only
    machine)."""
    return False


def current_accelerator(check_available: bool = False):
    """None, as `torch.accelerator.current_accelerator()` answers where there is none."""
    check_bool(check_available, "check_available")
    return None
