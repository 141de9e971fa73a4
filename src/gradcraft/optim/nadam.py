"""NAdam: Adam with Nesterov momentum (the momentum step looks one step ahead)."""

from __future__ import annotations

import numpy as np

from .moments import check_betas, update_moments
from .optimizer import Optimizer


class NAdam(Optimizer):
    """PyTorch's NAdam (Dozat, 2016). With g = grad (+ weight_decay * param unless the decay is
    decoupled), t the step and psi = momentum_decay:

        mu_t <- beta1 (1 - 0.5 * 0.96^(t psi))        mu_{t+1} likewise with t + 1
        prod_t <- prod_{t-1} mu_t                     (state 'mu_product', 1 before step 1)
        m <- beta1 m + (1 - beta1) g                  v <- beta2 v + (1 - beta2) g^2
        denom <- sqrt(v / (1 - beta2^t)) + eps
        param <- param - lr (1 - mu_t) / (1 - prod_t) * g / denom
                       - lr mu_{t+1} / (1 - prod_t mu_{t+1}) * m / denom

    `decoupled_weight_decay=True` (NAdamW) multiplies param by 1 - lr * weight_decay first instead.
    State: 'step', 'mu_product', 'exp_avg', 'exp_avg_sq'.

    Differs from PyTorch: 'mu_product' is a Python float (double). PyTorch keeps it in a 0-d
    tensor of its default dtype, float32 unless `torch.set_default_dtype(torch.float64)`, and so
    agrees with this to about 1e-7 relative in the step size under that default.
    """

    non_negative = ("lr", "eps", "weight_decay", "momentum_decay")
    flags = ("decoupled_weight_decay", "maximize")

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, maximize: bool = False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize))

    def _check_group(self, group):
        super()._check_group(group)
        group["betas"] = check_betas(group["betas"])

    def _update(self, param, grad, state, group, key):
        lr, psi = group["lr"], group["momentum_decay"]
        beta1, beta2 = group["betas"]
        decoupled = group["decoupled_weight_decay"]
        grad = self._objective_gradient(param, grad, group, coupled_weight_decay=not decoupled)
        if not state:
            state["step"] = 0
            state["mu_product"] = 1.0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        step = state["step"]
        if decoupled:
            self._decay_decoupled(param, group)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * psi))
        state["mu_product"] *= mu
        mu_product = state["mu_product"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        work = self._work(key, param)
        update_moments(m, v, grad, beta1, beta2, work)
        denom = v / (1 - beta2 ** step)  # its own array: work holds each term in turn
        np.sqrt(denom, out=denom)
        denom += group["eps"]
        # the gradient's term, then the momentum's, in PyTorch's order (two addcdiv_ calls)
        np.divide(grad, denom, out=work)
        work *= lr * (1.0 - mu) / (1.0 - mu_product)
        param -= work
        np.divide(m, denom, out=work)
        work *= lr * mu_next / (1.0 - mu_product * mu_next)
        param -= work
