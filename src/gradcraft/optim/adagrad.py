"""Adagrad: per-coordinate step sizes shrinking with the sum of squared gradients."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer


class Adagrad(Optimizer):
    """PyTorch's Adagrad (Duchi et al., 2011). With g = grad (+ weight_decay * param), step t:

        clr <- lr / (1 + (t - 1) * lr_decay)
        sum <- sum + g^2                      (starts at initial_accumulator_value)
        param <- param - clr * g / (sqrt(sum) + eps)

    State: 'step', 'sum'.
    """

    non_negative = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, *, maximize: bool = False):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps,
                                      maximize=maximize))
        # PyTorch creates the accumulator at construction, so it is in the state dict from the start.
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = {"step": 0,
                                 "sum": np.full_like(p.data, group["initial_accumulator_value"])}

    def _update(self, param, grad, state, group, key):
        if not state:  # a group added after construction
            state["step"] = 0
            state["sum"] = np.full_like(param, group["initial_accumulator_value"])
        grad = self._objective_gradient(param, grad, group)
        state["step"] += 1
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        total = state["sum"]
        work = self._work(key, param)
        np.multiply(grad, grad, out=work)
        total += work
        np.sqrt(total, out=work)
        work += group["eps"]
        np.divide(grad, work, out=work)
        work *= clr
        param -= work
