"""Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, flat_blocks


class SGD(Optimizer):
    """PyTorch's SGD. With g = grad (+ weight_decay * param):

        buf <- g                                   (first step)
        buf <- momentum * buf + (1 - dampening) * g  (later steps)
        param <- param - lr * (g + momentum * buf  if nesterov else  buf)

    Without momentum: param <- param - lr * g. State: 'momentum_buffer'.
    """

    non_negative = ("lr", "momentum", "dampening", "weight_decay")
    flags = ("nesterov", "maximize")

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *, maximize: bool = False):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov, maximize=maximize))

    def _check_group(self, group):
        super()._check_group(group)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("nesterov momentum needs momentum > 0 and dampening = 0, got "
                             f"momentum={group['momentum']}, dampening={group['dampening']}")

    def _update(self, param, grad, state, group, key):
        lr, momentum = group["lr"], group["momentum"]
        dampening, nesterov = group["dampening"], group["nesterov"]
        grad = self._objective_gradient(param, grad, group)
        buf = None
        started = True  # the momentum buffer already holds a previous step's value
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.array(grad, dtype=param.dtype)
                started = False
        # The same NumPy calls as on whole arrays (so the same rounding), block by block to keep
        # the arrays in cache between calls (see `flat_blocks`).
        for p, g, b in flat_blocks(param, grad, buf):
            work = self._work(key, p)
            if b is None:
                np.multiply(g, lr, out=work)                  # lr * g
            else:
                if started:
                    np.multiply(b, momentum, out=b)
                    if dampening == 0:
                        b += g
                    else:
                        np.multiply(g, 1 - dampening, out=work)
                        b += work                             # buf = m buf + (1 - d) g
                if nesterov:
                    np.multiply(b, momentum, out=work)
                    work += g
                    work *= lr                                # lr (g + m buf)
                else:
                    np.multiply(b, lr, out=work)              # lr buf
            p -= work
