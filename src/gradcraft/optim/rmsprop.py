"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer


class RMSprop(Optimizer):
    """PyTorch's RMSprop (Hinton's lecture 6e). With g = grad (+ weight_decay * param):

        v <- alpha v + (1 - alpha) g^2
        centered:  gbar <- gbar + (1 - alpha)(g - gbar),  denom = sqrt(v - gbar^2) + eps
        otherwise: denom = sqrt(v) + eps
        momentum > 0: buf <- momentum buf + g / denom,  param <- param - lr * buf
        otherwise:    param <- param - lr * g / denom

    State: 'step', 'square_avg' (+ 'momentum_buffer', 'grad_avg').
    """

    non_negative = ("lr", "alpha", "eps", "weight_decay", "momentum")
    flags = ("centered", "maximize")

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, *,
                 maximize: bool = False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered, maximize=maximize))

    def _update(self, param, grad, state, group, key):
        alpha, momentum = group["alpha"], group["momentum"]
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
            if momentum > 0:
                state["momentum_buffer"] = np.zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(param)
        grad = self._objective_gradient(param, grad, group)
        state["step"] += 1
        square_avg = state["square_avg"]
        work = self._work(key, param)
        np.multiply(grad, grad, out=work)
        work *= 1 - alpha
        square_avg *= alpha
        square_avg += work
        if group["centered"]:
            grad_avg = state.setdefault("grad_avg", np.zeros_like(param))
            np.subtract(grad, grad_avg, out=work)  # lerp towards g with weight 1 - alpha
            work *= 1 - alpha
            grad_avg += work
            np.multiply(grad_avg, grad_avg, out=work)
            np.subtract(square_avg, work, out=work)
            np.sqrt(work, out=work)
        else:
            np.sqrt(square_avg, out=work)
        work += group["eps"]
        np.divide(grad, work, out=work)
        if momentum > 0:
            buf = state.setdefault("momentum_buffer", np.zeros_like(param))
            buf *= momentum
            buf += work
            np.multiply(buf, group["lr"], out=work)
        else:
            work *= group["lr"]
        param -= work
