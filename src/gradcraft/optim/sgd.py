"""Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, check_hyper


class SGD(Optimizer):
    """PyTorch's SGD. With g = grad (+ weight_decay * param):

        buf <- g                                   (first step)
        buf <- momentum * buf + (1 - dampening) * g  (later steps)
        param <- param - lr * (g + momentum * buf  if nesterov else  buf)

    Without momentum: param <- param - lr * g. State: 'momentum_buffer'.
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *, maximize: bool = False):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov, maximize=maximize))

    def _check_group(self, group):
        check_hyper("lr", group["lr"])
        check_hyper("momentum", group["momentum"])
        check_hyper("dampening", group["dampening"])
        check_hyper("weight_decay", group["weight_decay"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("nesterov momentum needs momentum > 0 and dampening = 0, got "
                             f"momentum={group['momentum']}, dampening={group['dampening']}")

    def _update(self, param, grad, state, group, key):
        lr, momentum, weight_decay = group["lr"], group["momentum"], group["weight_decay"]
        if group["maximize"]:
            grad = -grad
        if weight_decay != 0:
            grad = grad + weight_decay * param  # a new array: the user's .grad stays untouched
        if momentum == 0:
            direction = grad
        else:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.array(grad, dtype=param.dtype)
            else:
                np.multiply(buf, momentum, out=buf)
                dampening = group["dampening"]
                if dampening == 0:
                    buf += grad
                else:
                    buf += (1 - dampening) * grad
            if group["nesterov"]:
                direction = grad + momentum * buf
            else:
                direction = buf
        work = self._work(key, param)
        np.multiply(direction, lr, out=work)
        param -= work
