"""`Function`: the shape every differentiable op takes.

An op subclasses `Function` and writes two methods side by side:

- `forward(self, *arrays, **options)` computes the output array from the inputs' arrays and
  saves on `self` whatever the backward pass needs;
- `backward(self, grad)` receives dL/d(output) and returns dL/d(input) for each input (a tuple,
  `None` for inputs that need no gradient). Gradients may come back in the broadcast (output)
  shape: the engine un-broadcasts them, in one place (`tensor._unbroadcast`).

`self.needs_input_grad[i]` tells backward which gradients are wanted, so it can skip work (the
first layer of a network never needs the gradient of its input batch). A backward must return
fresh arrays or views of `grad`, never arrays it keeps (the engine may hand them to `.grad`).
"""

from __future__ import annotations

from ..tensor import Tensor, as_tensor, is_grad_enabled


class Function:
    __slots__ = ("inputs", "needs_input_grad", "__dict__")

    @classmethod
    def apply(cls, *inputs, **options) -> Tensor:
        like = next((x for x in inputs if isinstance(x, Tensor)), None)
        tensors = [x if isinstance(x, Tensor) else as_tensor(x, like) for x in inputs]
        op = cls()
        needs = tuple(t.requires_grad for t in tensors)
        record = is_grad_enabled() and any(needs)
        op.needs_input_grad = needs if record else (False,) * len(needs)
        if record:
            op.inputs = tensors
        out = op.forward(*[t.data for t in tensors], **options)
        return Tensor._from_op(out, op if record else None)

    def forward(self, *arrays, **options):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError
