"""Adamax: Adam with the infinity norm of past gradients in place of their root mean square."""

from __future__ import annotations

import numpy as np

from .moments import check_betas, update_moments
from .optimizer import Optimizer


class Adamax(Optimizer):
    """PyTorch's Adamax (Kingma & Ba, 2015, section 7). With g = grad (+ weight_decay * param)
    and t the step:

        m <- beta1 m + (1 - beta1) g          u <- max(beta2 u, |g| + eps)
        param <- param - lr / (1 - beta1^t) * m / u

    (eps is added to |g| before the maximum, as PyTorch does, so u > 0 from the first step.)
    State: 'step', 'exp_avg', 'exp_inf'.
    """

    non_negative = ("lr", "eps", "weight_decay")

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, *, maximize: bool = False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _check_group(self, group):
        super()._check_group(group)
        group["betas"] = check_betas(group["betas"])

    def _update(self, param, grad, state, group, key):
        beta1, beta2 = group["betas"]
        grad = self._objective_gradient(param, grad, group)
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_inf"] = np.zeros_like(param)
        state["step"] += 1
        m, u = state["exp_avg"], state["exp_inf"]
        work = self._work(key, param)
        update_moments(m, None, grad, beta1, beta2, work)
        np.abs(grad, out=work)
        work += group["eps"]
        u *= beta2
        np.maximum(u, work, out=u)
        clr = group["lr"] / (1 - beta1 ** state["step"])
        np.divide(m, u, out=work)
        work *= clr
        param -= work
