"""`l2_penalty`: the explicit weight penalty `fit(..., l2=)` adds to the loss."""

from __future__ import annotations

from ..tensor import Tensor

__all__ = ["l2_penalty"]


def l2_penalty(model, lam: float) -> Tensor:
    """lam/2 * sum ||W||^2 over the model's weight matrices and kernels (parameters with 2 or
    more axes; biases and normalisation scales are not penalised).

    Its gradient is lam * W: the same as SGD's weight_decay=lam on those parameters.
    """
    weights = [p for _, p in model.named_parameters() if p.ndim >= 2 and p.requires_grad]
    if not weights:
        raise ValueError("l2 penalty: the model has no weight matrices (parameters with ndim >= 2)")
    total = (weights[0] * weights[0]).sum()
    for w in weights[1:]:
        total = total + (w * w).sum()
    return total * (lam / 2)
