"""The autograd engine in one place: `Function` (the shape of every differentiable op), graph
recording, the backward walk, grad mode and the version counters.

An op subclasses `Function` and writes two methods side by side:

- `forward(self, *arrays, **options)` computes the output array from the inputs' arrays and
  keeps what backward will read: values of the inputs or the output through
  `self.save_for_backward(...)`, anything else it computes (masks, shapes) as plain attributes;
- `backward(self, grad)` receives dL/d(output) and returns dL/d(input) for each input (a tuple,
  `None` for inputs that need no gradient). Gradients may come back in the broadcast (output)
  shape: the engine un-broadcasts them, in one place (`unbroadcast`).

`self.needs_input_grad[i]` tells forward and backward which gradients are wanted, so they can
skip work -- and skip saving what only an unwanted gradient would read (the first layer of a
network never needs the gradient of its input batch). A backward must return fresh arrays or
views of `grad`, never arrays it keeps (the engine may hand them to `.grad`), and must never
write into `grad` (it may be a read-only broadcast view, or shared).

`Function.apply(*inputs)` runs forward and, if any input requires grad and grad mode is on
(`no_grad()` turns it off), records the op as the output's `_ctx`. `backward(root, root_grad)`
walks the recorded graph from `root` back to the leaves and adds each leaf's gradient into its `.grad`
(gradients accumulate across calls, as in PyTorch).

Version counters (PyTorch's rule). Every storage has a counter (a small list, see
`version_cell`) shared by the tensors that see the same memory (`detach()`, and op outputs that
are NumPy views of an input: reshape, transpose, basic indexing...). In-place operators,
optimizer steps, `load_state_dict` and `nn.init` bump it. An op notes the clock when it is
recorded, and before its backward runs the engine checks that no value it saved with
`save_for_backward` was changed in place since: the gradient would otherwise be taken at a value
that no longer exists. Only saved values count, so an op whose backward reads nothing (add, sum,
reshape) lets its inputs and output change freely, exactly as in PyTorch. Writing into `.data`
directly is the escape hatch (as PyTorch's `.data`): not counted.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools

from .backend import xp

__all__ = ["Function", "backward", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "version_cell", "bump_version", "unbroadcast"]

_ndarray = xp.ndarray

# ------------------------------------------------------------------------------ grad mode
_grad_enabled = True


def is_grad_enabled() -> bool:
    """Whether ops record the graph (False inside `no_grad()`)."""
    return _grad_enabled


@contextlib.contextmanager
def set_grad_enabled(mode: bool):
    """Context manager: record the graph inside it iff `mode` (PyTorch's `set_grad_enabled`)."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, bool(mode)
    try:
        yield
    finally:
        _grad_enabled = previous


def no_grad():
    """Context manager: ops inside record no graph (evaluation, parameter updates)."""
    return set_grad_enabled(False)


def enable_grad():
    """Context manager: turn graph recording back on inside a `no_grad()` block."""
    return set_grad_enabled(True)


# ------------------------------------------------------------------------------ versions
# A storage's cell is [stamp of its last in-place change, number of changes]; the stamp is this
# clock, advanced by every in-place change anywhere. An op notes the clock when it is recorded:
# a saved value was changed since iff its stamp is later. Recording costs one read, and the
# backward check is skipped whole while the clock has not moved.
_version_clock = 0


def version_cell(tensor) -> list:
    """The version counter of `tensor`'s storage (made on first use: most never need one)."""
    cell = tensor._version_cell
    if cell is None:
        cell = tensor._version_cell = [0, 0]
    return cell


def bump_version(tensor) -> None:
    """Count an in-place change of `tensor`'s data (and of every view sharing its storage)."""
    global _version_clock
    _version_clock += 1
    cell = version_cell(tensor)
    cell[0] = _version_clock
    cell[1] += 1


# ------------------------------------------------------------------------------ Function
class Function:
    __slots__ = ("inputs", "needs_input_grad", "_stamp", "__dict__")

    #: the arrays backward reads, set by `save_for_backward` (none by default)
    saved: tuple = ()

    @classmethod
    def apply(cls, *inputs, **options):
        """Run `forward` on the inputs' arrays; record the op if any input requires grad.

        Inputs that are not tensors (NumPy arrays, Python numbers) are wrapped first; a Python
        number takes the dtype NumPy would give it next to the first tensor input.
        """
        Tensor = _tensor.Tensor
        for x in inputs:
            if not isinstance(x, Tensor):
                inputs = _wrap_non_tensors(inputs, Tensor)
                break
        op = object.__new__(cls)
        # Unrolled for one and two inputs (nearly every op): under Python 3.11 each list
        # comprehension costs ~0.2 us, as much as the rest of the recording.
        count = len(inputs)
        if count == 2:
            a, b = inputs
            needs, arrays = (a.requires_grad, b.requires_grad), (a.data, b.data)
        elif count == 1:
            a, = inputs
            needs, arrays = (a.requires_grad,), (a.data,)
        else:
            needs, arrays = tuple([t.requires_grad for t in inputs]), [t.data for t in inputs]
        record = _grad_enabled and True in needs
        if record:
            op.inputs = inputs
            op.needs_input_grad = needs
            op._stamp = _version_clock
        else:
            op.needs_input_grad = _NOTHING_NEEDED[count] if count < 4 else (False,) * count
        out = op.forward(*arrays, **options)
        cell = None
        if type(out) is not _ndarray:
            # NumPy returns scalars (np.float32...) from 0-d arithmetic and full reductions;
            # `.data` is always an ndarray. A saved scalar output is the same value.
            scalar, out = out, xp.asarray(out)
            if op.saved:
                op.saved = tuple(out if a is scalar else a for a in op.saved)
        elif out.base is not None:
            # An output that is a NumPy view of an input's memory (reshape, transpose, basic
            # indexing) shares that storage's version counter, as PyTorch's views do.
            cell = _storage_cell(out.base, inputs)
        return Tensor._from_op(out, op if record else None, cell)

    def save_for_backward(self, *arrays) -> None:
        """Keep `arrays` (the inputs' arrays or the output, which backward will read) in
        `self.saved`. Exactly these are guarded by the version check: an op saves what its
        backward reads, nothing more (a value saved but never read would refuse programs that
        PyTorch accepts), nothing less (a value read but not saved could change unnoticed)."""
        self.saved = arrays

    def forward(self, *arrays, **options):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError

    def _check_versions(self, output) -> None:
        """Raise if a value this op saved was changed in place after the op was recorded.
        Arrays the op computed itself (not an input's or the output's) belong to it alone."""
        op = type(self).__name__
        candidates = [(f"input {i} of {op}", t) for i, t in enumerate(self.inputs)]
        candidates.append((f"the output of {op}", output))
        for array in self.saved:
            for name, tensor in candidates:
                if not _same_storage(array, tensor.data):
                    continue
                cell = tensor._version_cell
                if cell is not None and cell[0] > self._stamp:
                    raise RuntimeError(
                        f"one of the values needed for gradient computation has been modified by "
                        f"an in-place operation: {name}, a tensor of shape {tensor.shape} "
                        f"({tensor.dtype}), was changed after {op} used it (it is now at version "
                        f"{cell[1]}). Call backward() before updating it (e.g. before "
                        f"optimizer.step()), or build a new tensor (x = x - ...) instead of "
                        f"changing it in place")


_NOTHING_NEEDED = ((), (False,), (False, False), (False, False, False))


def _same_storage(array, data) -> bool:
    """Whether `array` is `data` or a view of the same memory (NumPy collapses chains of views:
    `.base` is the array that owns the memory)."""
    if array is data:
        return True
    base = array.base if type(array) is _ndarray else None
    return base is not None and (base is data or base is data.base)


def _storage_cell(root, inputs):
    """The version counter of the input whose memory `root` (a view's `.base`) is, or None."""
    for t in inputs:
        data = t.data
        if data is root or data.base is root:
            return version_cell(t)
    return None


def _wrap_non_tensors(inputs, Tensor) -> tuple:
    """Arrays and numbers as tensors (numbers typed next to the first tensor). On the path of
    every `x * 0.5`, hence plain loops rather than generator expressions."""
    like = None
    for x in inputs:
        if isinstance(x, Tensor):
            like = x
            break
    as_tensor = _tensor.as_tensor
    wrapped = []
    for x in inputs:
        wrapped.append(x if isinstance(x, Tensor) else as_tensor(x, like))
    return tuple(wrapped)


# ------------------------------------------------------------------------------ backward
def unbroadcast(grad, shape):
    """Sum `grad` down to `shape`: the adjoint of NumPy broadcasting.

    The one place where broadcast gradients are reduced; ops return gradients in the broadcast
    (output) shape and the engine calls this.
    """
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    kept_ones = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if kept_ones:
        grad = grad.sum(axis=kept_ones, keepdims=True)
    return grad


def backward(root, root_grad) -> None:
    """Send `root_grad` (dL/d root, an array of root's shape) back through the graph that made
    `root`, and add the result into the `.grad` of every leaf that requires grad.

    Nodes are visited in decreasing creation order (`_seq`), taken from a heap. A node's
    consumers were all created after it, so when it comes off the heap every consumer that the
    root depends on has already been visited and added its share: its adjoint is complete.
    (Proof: an unvisited consumer would have an unvisited ancestor on the heap, created later.)
    No recursion and no separate topological sort: one pass, O(n log n) in C-level heap calls.

    Leaves collect their adjoint until the walk is over; only then is it added into `.grad`,
    so an array still used by the walk is never modified in place.
    """
    pending = {}         # _seq -> [node, adjoint so far, adjoint owned by the engine?]
    leaves = {}          # id -> [leaf, adjoint so far, owned?]
    heap = []
    _deliver(root, root_grad, pending, leaves, heap)
    while heap:
        node, grad, _ = pending.pop(-heapq.heappop(heap))
        if node._retains_grad:
            leaves[id(node)] = [node, grad, False]
        ctx = node._ctx
        if ctx._stamp != _version_clock:  # something was changed in place since the op ran
            ctx._check_versions(node)
        input_grads = ctx.backward(grad)
        if type(input_grads) is not tuple:
            input_grads = (input_grads,)
        for parent, parent_grad in zip(ctx.inputs, input_grads):
            if parent_grad is not None and parent.requires_grad:
                _deliver(parent, parent_grad, pending, leaves, heap)
    handed_out = set()
    for node, grad, _ in leaves.values():
        _accumulate(node, grad, handed_out)


def _deliver(node, grad, pending: dict, leaves: dict, heap: list) -> None:
    """Add one consumer's gradient into `node`'s adjoint (un-broadcast, in the node's dtype)."""
    data = node.data
    if grad.shape != data.shape:
        grad = unbroadcast(grad, data.shape)
    if grad.dtype != data.dtype:
        grad = grad.astype(data.dtype)
    if node._ctx is None:
        table, key = leaves, id(node)
    else:
        table, key = pending, node._seq
    entry = table.get(key)
    if entry is None:
        table[key] = [node, grad, False]
        if table is pending:
            heapq.heappush(heap, -key)
    elif entry[2]:
        entry[1] += grad           # an array the engine made itself: safe to add in place
    else:
        entry[1] = entry[1] + grad
        entry[2] = True


def _accumulate(node, grad, handed_out: set) -> None:
    """`node.grad += grad`, storing `grad` itself the first time when no one else holds it."""
    if node.grad is None:
        if (type(grad) is not _ndarray or grad.base is not None or id(grad) in handed_out
                or not grad.flags.writeable):
            grad = xp.array(grad)  # a copy, and an ndarray even if an op produced a NumPy scalar
        handed_out.add(id(grad))
        node.grad = grad
    else:
        node.grad += grad


#: Every op output gets the next number (`Tensor._from_op`): an op's inputs always exist
#: before its output, so creation order is a topological order of any graph (see `backward`).
next_sequence_number = itertools.count().__next__

# Function's outputs are Tensors, and Tensor's methods are built on the ops, which subclass
# Function: the one cycle of the core. It is closed here, at the end, so that everything above
# exists when tensor.py (and the ops it imports) take names from this module, and `_tensor` is
# read only when an op runs: any module of gradcraft may be imported first.
from . import tensor as _tensor  # noqa: E402
