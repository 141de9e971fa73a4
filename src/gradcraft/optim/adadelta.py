"""Adadelta: step sizes from running averages of squared gradients and of squared updates."""

from __future__ import annotations

import numpy as np

from ..validation import check_real
from .optimizer import Optimizer


class Adadelta(Optimizer):
    """PyTorch's Adadelta (Zeiler, 2012). With g = grad (+ weight_decay * param):

        v <- rho v + (1 - rho) g^2
        delta <- sqrt(u + eps) / sqrt(v + eps) * g
        u <- rho u + (1 - rho) delta^2
        param <- param - lr * delta

    `lr` scales delta (1.0, the paper's rule, by default). State: 'step', 'square_avg' (v),
    'acc_delta' (u).
    """

    non_negative = ("lr", "eps", "weight_decay")

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, *, maximize: bool = False):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _check_group(self, group):
        super()._check_group(group)
        group["rho"] = check_real(group["rho"], "rho", low=0.0, high=1.0)  # torch: 0 <= rho <= 1

    def _update(self, param, grad, state, group, key):
        rho, eps = group["rho"], group["eps"]
        grad = self._objective_gradient(param, grad, group)
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
            state["acc_delta"] = np.zeros_like(param)
        state["step"] += 1
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        work = self._work(key, param)
        np.multiply(grad, grad, out=work)
        work *= 1 - rho
        square_avg *= rho
        square_avg += work
        delta = acc_delta + eps          # its own array: work holds the denominator next
        np.sqrt(delta, out=delta)
        np.add(square_avg, eps, out=work)
        np.sqrt(work, out=work)
        delta /= work
        delta *= grad
        np.multiply(delta, delta, out=work)
        work *= 1 - rho
        acc_delta *= rho
        acc_delta += work
        delta *= group["lr"]
        param -= delta
