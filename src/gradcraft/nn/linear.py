"""`Linear`: y = x W^T + b, PyTorch's layout and default initialisation."""

from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from ..backend import default_float
from ..validation import check_bool, check_int
from . import init
from .module import Module, check_float_dtype
from .parameter import Parameter


class Linear(Module):
    """Affine map: input (..., in_features) -> output (..., out_features).

    weight: (out_features, in_features); bias: (out_features,) or None.
    Initialisation as PyTorch's: weight and bias ~ U[-1/sqrt(in_features), 1/sqrt(in_features)]
    (kaiming_uniform_ with a = sqrt(5)). `rng` is a Generator (shared between layers, each draws
    its own values) or an int seed; None (the default) draws from the process-wide default
    generator (`gradcraft.random`, re-seeded by `gradcraft.manual_seed`), so two layers built
    without `rng` start from different weights, as in PyTorch.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 dtype=default_float, rng=None):
        super().__init__()
        # At least 1 feature (torch allows 0): a layer without inputs or outputs is a mistake here.
        self.in_features = check_int(in_features, "in_features", low=1)
        self.out_features = check_int(out_features, "out_features", low=1)
        bias = check_bool(bias, "bias")
        dtype = check_float_dtype(dtype)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dtype))
        self.bias = Parameter(np.empty(self.out_features, dtype=dtype)) if bias else None
        self.reset_parameters(rng)

    def reset_parameters(self, rng=None) -> None:
        """Draw fresh weights (weight first, then bias, from the same generator)."""
        rng = init.make_rng(rng)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=rng)
        if self.bias is not None:
            bound = 1.0 / math.sqrt(self.in_features)
            init.uniform_(self.bias, -bound, bound, rng=rng)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
