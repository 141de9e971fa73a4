"""`LossFunction`: the reduction every fused loss op shares, and the checks of `reduction`.

A loss op computes one loss per sample (or per element) and reduces them with
`reduction='mean' | 'sum' | 'none'`. The backward pass only needs the weight each per-sample
loss has in the output:

    'mean':  L = (1/n) sum_i l_i   =>  dL/dl_i = g / n   (one scalar for every sample)
    'sum':   L = sum_i l_i         =>  dL/dl_i = g
    'none':  L_i = l_i             =>  dL/dl_i = g_i     (an array of the per-sample shape)

so a subclass writes `losses(...)` (per-sample losses) and `input_grads(weights)` (the gradient
of sum_i weights_i * l_i with respect to each input); this class does the rest. Keeping the
weight a scalar for 'mean' and 'sum' saves a broadcast on the training hot path.

A weighted mean (PyTorch's `cross_entropy(weight=...)`, `ignore_index`) divides by the sum of
the samples' weights instead of n: `losses` then sets `self.divisor` to it. A divisor of 0 (every
target ignored) gives NaN, as PyTorch does.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import xp
from ..validation import check_choice

__all__ = ["LossFunction", "REDUCTIONS", "check_reduction", "check_batch"]

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction) -> str:
    return check_choice(reduction, "reduction", REDUCTIONS)


def check_batch(count: int, reduction: str, what: str = "batch") -> None:
    """The mean of zero losses is 0/0: refuse it rather than return NaN."""
    if count == 0 and reduction == "mean":
        raise ValueError(f"reduction='mean' of an empty {what} is undefined (0/0); "
                         "use reduction='sum' or 'none'")


def _divide(value, count):
    """value / count; a count of 0 (nothing to average) gives NaN silently, as PyTorch. The
    errstate is entered only then: it costs as much as the division on the training hot path."""
    if count:
        return value / count
    with xp.errstate(divide="ignore", invalid="ignore"):
        return value / count


class LossFunction(Function):
    #: what 'mean' divides by; None: the number of per-sample losses (a subclass may set it)
    divisor = None

    def forward(self, *arrays, reduction: str = "mean", **options):
        per_sample = self.losses(*arrays, **options)
        self.reduction = reduction
        self.count = per_sample.size if self.divisor is None else self.divisor
        if reduction == "none":
            return per_sample
        total = per_sample.sum()
        if reduction == "mean":
            total = _divide(total, per_sample.dtype.type(self.count))
        return xp.asarray(total, dtype=per_sample.dtype)

    def backward(self, grad):
        if self.reduction == "mean":
            grad = _divide(grad, grad.dtype.type(self.count))
        return self.input_grads(grad)

    @staticmethod
    def column(weights):
        """Per-sample weights (N,) as a column (N, 1) that broadcasts over classes; a scalar
        weight ('mean'/'sum') stays a scalar."""
        return weights if weights.ndim == 0 else weights[..., None]

    def losses(self, *arrays, **options):
        raise NotImplementedError

    def input_grads(self, weights):
        raise NotImplementedError
