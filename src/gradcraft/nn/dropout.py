"""`Dropout`: inverted dropout, active only in training mode."""

from __future__ import annotations

from .. import functional as F
from ..validation import check_real
from . import init
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d"]


class Dropout(Module):
    """Zero each element with probability `p` (the *drop* probability, as in PyTorch) and scale
    the rest by 1/(1-p) while training; the identity after `eval()`.

    `rng`: a Generator or an int seed for the masks. The layer keeps that Generator, so two runs
    from the same seed drop the same units. None (the default) -> the process-wide default
    generator (`gradcraft.random`, re-seeded by `gradcraft.manual_seed`), so two Dropout layers
    built without `rng` draw different masks, as in PyTorch.
    """

    def __init__(self, p: float = 0.5, rng=None):
        super().__init__()
        self.p = check_real(p, "p", low=0.0, high=1.0)
        self.rng = init.make_rng(rng)

    def forward(self, x):
        return F.dropout(x, self.p, self.training, self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Dropout2d(Dropout):
    """Zero whole channels of (N, C, H, W) or (C, H, W) with probability `p` while training,
    scaling the rest by 1/(1-p) (`functional.dropout2d`); the identity after `eval()`."""

    def forward(self, x):
        return F.dropout2d(x, self.p, self.training, self.rng)


class Dropout1d(Dropout):
    """Zero whole channels of (N, C, L) or (C, L) with probability `p` while training,
    scaling the rest by 1/(1-p) (`functional.dropout1d`); the identity after `eval()`."""

    def forward(self, x):
        return F.dropout1d(x, self.p, self.training, self.rng)
