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

Saved values are guarded by version counters (see `gradcraft.tensor`): when an op is recorded
it notes the version clock, and before its backward runs the engine checks that none of its
inputs and output was changed in place since. As in PyTorch, only the values backward reads
count: an op declares them with the class attributes `saved_inputs` (indices of the inputs it
reads, e.g. `()` for Add; None, the default, means all) and `saves_output` (whether backward
reads its result, as exp and tanh do; default True). The defaults are the safe side: an op that
declares nothing is checked on every input and its output.
"""

from __future__ import annotations

from .. import tensor as _engine
from ..tensor import Tensor, as_tensor

_ndarray = _engine.xp.ndarray


class Function:
    __slots__ = ("inputs", "needs_input_grad", "_stamp", "__dict__")

    #: indices of the inputs whose values backward reads (None: all of them)
    saved_inputs: tuple[int, ...] | None = None
    #: whether backward reads the op's output (e.g. exp, tanh, sigmoid save it)
    saves_output: bool = True

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
            op._stamp = _engine._version_clock
        else:
            op.needs_input_grad = (False,) * len(inputs)
        out = op.forward(*[t.data for t in inputs], **options)
        # An output that is a NumPy view of an input's memory (reshape, transpose, basic
        # indexing) shares that storage's version counter, as PyTorch's views do.
        cell = None
        if type(out) is _ndarray and out.base is not None:
            cell = _storage_cell(out.base, inputs)
        return Tensor._from_op(out, op if record else None, cell)

    def _check_versions(self, output: Tensor) -> None:
        """Raise if a value this op saved was changed in place after the op was recorded."""
        stamp = self._stamp
        indices = range(len(self.inputs)) if self.saved_inputs is None else self.saved_inputs
        op = type(self).__name__
        saved = [(f"input {i} of {op}", self.inputs[i]) for i in indices]
        if self.saves_output:
            saved.append((f"the output of {op}", output))
        for name, tensor in saved:
            cell = tensor._version_cell
            if cell is not None and cell[0] > stamp:
                raise RuntimeError(
                    f"one of the values needed for gradient computation has been modified by an "
                    f"in-place operation: {name}, a tensor of shape {tensor.shape} "
                    f"({tensor.dtype}), was changed after {op} used it (it is now at version "
                    f"{cell[1]}). Call backward() before updating it (e.g. before "
                    f"optimizer.step()), or build a new tensor (x = x - ...) instead of changing "
                    f"it in place")

    def forward(self, *arrays, **options):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError


def _storage_cell(root, inputs):
    """The version counter of the input whose memory `root` (a view's `.base`) is, or None.
    NumPy collapses chains of views: `.base` is the array that owns the memory."""
    for t in inputs:
        data = t.data
        if data is root or data.base is root:
            return _engine.version_cell(t)
    return None


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
