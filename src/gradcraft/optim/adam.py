"""Adam (L2 weight decay folded into the gradient) and AdamW (decoupled weight decay)."""

from __future__ import annotations

import math

import numpy as np

from .moments import check_betas
from .optimizer import Optimizer


class Adam(Optimizer):
    """PyTorch's Adam (Kingma & Ba, 2015). With g = grad (+ weight_decay * param) and t the step:

        m <- beta1 m + (1 - beta1) g          v <- beta2 v + (1 - beta2) g^2
        v_max <- max(v_max, v)                (amsgrad; then v_max replaces v below)
        param <- param - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    State: 'step', 'exp_avg', 'exp_avg_sq' (+ 'max_exp_avg_sq' with amsgrad).
    """

    _decoupled = False

    non_negative = ("lr", "eps", "weight_decay")
    flags = ("amsgrad", "maximize")

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *, maximize: bool = False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize))

    def _check_group(self, group):
        super()._check_group(group)
        group["betas"] = check_betas(group["betas"])

    def _update(self, param, grad, state, group, key):
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        grad = self._objective_gradient(param, grad, group, coupled_weight_decay=not self._decoupled)
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        step = state["step"]
        if self._decoupled:
            self._decay_decoupled(param, group)  # AdamW: decay apart from the gradient
        m, v = state["exp_avg"], state["exp_avg_sq"]
        work = self._work(key, param)
        # m <- m + (1 - beta1)(g - m)  (PyTorch's lerp) ; v <- beta2 v + (1 - beta2) g^2
        np.subtract(grad, m, out=work)
        work *= 1 - beta1
        m += work
        np.multiply(grad, grad, out=work)
        work *= 1 - beta2
        v *= beta2
        v += work
        if group["amsgrad"]:
            v = np.maximum(state.setdefault("max_exp_avg_sq", np.zeros_like(param)), v,
                           out=state["max_exp_avg_sq"])
        step_size = lr / (1 - beta1**step)
        if step_size == 0:  # lr = 0: moments advance, parameters stay
            return
        # param -= step_size * m / (sqrt(v) / sqrt(1 - beta2^t) + eps), with step_size folded into
        # the denominator (one pass fewer; PyTorch's capturable path does the same)
        scale = math.sqrt(1 - beta2**step) * step_size
        np.sqrt(v, out=work)
        work /= scale
        work += eps / step_size
        np.divide(m, work, out=work)
        param -= work


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as PyTorch's AdamW:
    param <- param * (1 - lr * weight_decay) before the Adam step. Default weight_decay 0.01."""

    _decoupled = True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
