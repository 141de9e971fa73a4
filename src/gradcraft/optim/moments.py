"""What Adam and its relatives (Adamax, NAdam, RAdam) share: `check_betas`, the (beta1, beta2)
rule, and `update_moments`, the running averages of g and g^2."""

from __future__ import annotations

import numpy as np

from ..validation import check_real, describe


def check_betas(betas) -> tuple[float, float]:
    """`betas` as a pair of floats in [0, 1), Adam's rule: TypeError if not a pair (a list is
    accepted: betas come back from a JSON checkpoint as one), ValueError for another length or a
    beta outside [0, 1), naming `betas[i]`."""
    if not isinstance(betas, tuple | list):
        raise TypeError(f"betas must be a pair (beta1, beta2), got {describe(betas)}")
    if len(betas) != 2:  # the right type, a wrong length
        raise ValueError(f"betas must be a pair (beta1, beta2), got {describe(betas)}")
    return tuple(check_real(beta, f"betas[{i}]", low=0.0, high=1.0, high_open=True)
                 for i, beta in enumerate(betas))


def update_moments(m: np.ndarray, v: np.ndarray | None, grad: np.ndarray, beta1: float,
                   beta2: float, work: np.ndarray) -> None:
    """In place: m <- m + (1 - beta1)(g - m) (PyTorch's lerp_) and, unless `v` is None,
    v <- beta2 v + (1 - beta2) g^2. `work` is scratch of m's shape."""
    np.subtract(grad, m, out=work)
    work *= 1 - beta1
    m += work
    if v is not None:
        np.multiply(grad, grad, out=work)
        work *= 1 - beta2
        v *= beta2
        v += work
