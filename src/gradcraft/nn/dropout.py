"""`Dropout`: inverted dropout, active only in training mode."""

from __future__ import annotations

from .. import functional as F
from . import init
from .module import Module


class Dropout(Module):
    """Zero each element with probability `p` (the *drop* probability, as in PyTorch) and scale
    the rest by 1/(1-p) while training; the identity after `eval()`.

    `rng`: a Generator or an int seed for the masks (None -> seed `init.DEFAULT_SEED`). The
    layer keeps its own Generator, so two runs from the same seed drop the same units.
    """

    def __init__(self, p: float = 0.5, rng=None):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability p must be a number in [0, 1], got {p!r}")
        self.p = float(p)
        self.rng = init.make_rng(rng)

    def forward(self, x):
        return F.dropout(x, self.p, self.training, self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"
