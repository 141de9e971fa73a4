"""RAdam: Adam whose adaptive step is switched on gradually, as its variance estimate firms up."""

from __future__ import annotations

import numpy as np

from .moments import check_betas, update_moments
from .optimizer import Optimizer


class RAdam(Optimizer):
    """PyTorch's RAdam (Liu et al., 2020). With g = grad (+ weight_decay * param unless the decay
    is decoupled) and t the step:

        m <- beta1 m + (1 - beta1) g                  v <- beta2 v + (1 - beta2) g^2
        rho_inf = 2 / (1 - beta2) - 1                 rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
        rho_t > 5:  r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
                    param <- param - lr m / (1 - beta1^t) * sqrt(1 - beta2^t) / (sqrt(v) + eps) * r
        otherwise:  param <- param - lr m / (1 - beta1^t)         (SGD with momentum)

    `decoupled_weight_decay=True` (RAdamW) multiplies param by 1 - lr * weight_decay first instead.
    State: 'step', 'exp_avg', 'exp_avg_sq'.
    """

    non_negative = ("lr", "eps", "weight_decay")
    flags = ("decoupled_weight_decay", "maximize")

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, decoupled_weight_decay: bool = False, *,
                 maximize: bool = False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize))

    def _check_group(self, group):
        super()._check_group(group)
        group["betas"] = check_betas(group["betas"])

    def _update(self, param, grad, state, group, key):
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        decoupled = group["decoupled_weight_decay"]
        grad = self._objective_gradient(param, grad, group, coupled_weight_decay=not decoupled)
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        step = state["step"]
        if decoupled:
            self._decay_decoupled(param, group)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        work = self._work(key, param)
        update_moments(m, v, grad, beta1, beta2, work)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        update = m / bias_correction1    # its own array: work holds the adaptive factor
        update *= lr
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2 ** step / bias_correction2
        if rho_t > 5.0:  # the variance of the adaptive step is tractable: use it, rectified
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            np.sqrt(v, out=work)
            work += group["eps"]
            np.divide(bias_correction2 ** 0.5, work, out=work)
            update *= work
            update *= rect
        param -= update
