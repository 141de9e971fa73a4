"""`Function`: the shape every differentiable op takes.

An op subclasses `Function` and writes two methods side by side:

- `forward(self, *arrays, **options)` computes the output array from the inputs' arrays and
  saves on `self` whatever the backward pass needs;
- `backward(self, grad)` receives dL/d(output) and returns dL/d(input) for each input (a tuple,
  `None` for inputs that need no gradient). Gradients may come back in the broadcast (output)
  shape: the engine un-broadcasts them, in one place (`tensor._unbroadcast`).

`self.needs_input_grad[i]` tells backward which gradients are wanted, so it can skip work (the
first layer of a network never needs the gradient of its input batch). A backward must return
fresh arrays or views of `grad`, never arrays it keeps (the engine may hand them to `.grad`),
and must never write into `grad` (it may be a read-only broadcast view, or shared).
"""

from __future__ import annotations

from .. import tensor as _engine
from ..tensor import Tensor, as_tensor


class Function:
    __slots__ = ("inputs", "needs_input_grad", "__dict__")

    @classmethod
    def apply(cls, *inputs, **options) -> Tensor:
        """Run `forward` on the inputs' arrays; record the op if any input requires grad.

        Inputs that are not tensors (NumPy arrays, Python numbers) are wrapped first; a Python
        number takes the dtype NumPy would give it next to the first tensor input.
        """
        for x in inputs:
            if not isinstance(x, Tensor):
                inputs = _wrap_non_tensors(inputs)
                break
        op = object.__new__(cls)
        if _engine._grad_enabled:
            needs = tuple([t.requires_grad for t in inputs])
            record = True in needs
        else:
            record = False
        if record:
            op.inputs = inputs
            op.needs_input_grad = needs
        else:
            op.needs_input_grad = (False,) * len(inputs)
        out = op.forward(*[t.data for t in inputs], **options)
        return Tensor._from_op(out, op if record else None)

    def forward(self, *arrays, **options):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError


def _wrap_non_tensors(inputs) -> tuple:
    """Arrays and numbers as tensors (numbers typed next to the first tensor). On the path of
    every `x * 0.5`, hence plain loops rather than generator expressions."""
    like = None
    for x in inputs:
        if isinstance(x, Tensor):
            like = x
            break
    wrapped = []
    for x in inputs:
        wrapped.append(x if isinstance(x, Tensor) else as_tensor(x, like))
    return tuple(wrapped)
