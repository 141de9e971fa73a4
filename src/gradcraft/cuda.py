"""`gradcraft.cuda`: PyTorch's `torch.cuda` questions, answered for a CPU library, so the common
`device = "cuda" if torch.cuda.is_available() else "cpu"` takes its CPU branch unchanged. Asking
for a CUDA device itself (`gradcraft.device("cuda")`, `x.cuda()`) is refused, naming it."""

from __future__ import annotations

__all__ = ["is_available", "device_count"]


def is_available() -> bool:
    """False: gradcraft computes with NumPy on the CPU only."""
    return False


def device_count() -> int:
    """0: there is no CUDA device."""
    return 0
