"""`Tensor`: a NumPy array that remembers the op that made it, and reverse-mode `backward()`.

Small and boring on purpose. The math of every op, forward and vector-Jacobian product side by
side, lives in `gradcraft.ops`; this file only walks the graph.

Gradients *accumulate*: `backward()` adds into `.grad` of every leaf that requires grad, across
calls, exactly like PyTorch; call `zero_grad()` (or set `.grad = None`) between steps.
"""

from __future__ import annotations

import contextlib
from numbers import Number

from .backend import default_float, is_float_dtype, xp

_grad_enabled = True


def is_grad_enabled() -> bool:
    return _grad_enabled


@contextlib.contextmanager
def _set_grad_enabled(mode: bool):
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, mode
    try:
        yield
    finally:
        _grad_enabled = previous


def no_grad():
    """Context manager: ops inside record no graph (evaluation, parameter updates)."""
    return _set_grad_enabled(False)


def enable_grad():
    """Context manager: turn graph recording back on inside a `no_grad()` block."""
    return _set_grad_enabled(True)


def _as_array(data, dtype=None):
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        return xp.array(data, dtype=dtype)
    array = xp.array(data)
    # Python floats become float32 (like PyTorch); NumPy arrays keep their dtype, so float64
    # arrays stay float64 (gradient checks rely on it).
    if array.dtype == xp.float64 and not isinstance(data, xp.ndarray | xp.generic):
        array = array.astype(default_float)
    return array


class Tensor:
    """An n-dimensional array with an optional gradient.

    `data` and `grad` are NumPy arrays. Methods speak NumPy (`axis`, `keepdims`, `x.max(axis)`
    returns values); layers and optimizers built on tensors speak PyTorch.
    """

    __slots__ = ("data", "grad", "requires_grad", "_ctx", "_retains_grad", "name", "__weakref__")
    __array_priority__ = 1000  # so `ndarray + Tensor` defers to Tensor.__radd__

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        self.data = _as_array(data, dtype)
        self.grad = None
        self._ctx = None
        self._retains_grad = False
        self.name = name
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _from_op(cls, data, ctx) -> Tensor:
        """Wrap an op's output array without copying (the hot path: no validation)."""
        out = object.__new__(cls)
        out.data = data
        out.grad = None
        out._ctx = ctx
        out._retains_grad = False
        out.name = None
        out.requires_grad = ctx is not None
        return out

    # ----------------------------------------------------------------- attributes
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    def __len__(self) -> int:
        return len(self.data)

    def requires_grad_(self, mode: bool = True) -> Tensor:
        if mode and not is_float_dtype(self.data.dtype):
            raise TypeError(
                f"only floating-point tensors can require grad, got dtype {self.data.dtype}; "
                "convert with .astype('float32') first"
            )
        if not self.is_leaf and not mode:
            raise RuntimeError("requires_grad can only be switched off on a leaf; use .detach()")
        self.requires_grad = mode
        return self

    def retain_grad(self) -> Tensor:
        """Keep `.grad` on this non-leaf tensor during `backward()` (for inspection)."""
        self._retains_grad = True
        return self

    def detach(self) -> Tensor:
        """The same data (shared, not copied), cut from the graph."""
        return Tensor._from_op(self.data, None)

    def numpy(self):
        return self.data

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def astype(self, dtype) -> Tensor:
        from .ops.elementwise import Cast

        return Cast.apply(self, dtype=xp.dtype(dtype))

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and dtype != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __repr__(self) -> str:
        body = xp.array2string(self.data, prefix="tensor(", separator=", ")
        extras = []
        if self.data.dtype != default_float:
            extras.append(f"dtype={self.data.dtype}")
        if self._ctx is not None:
            extras.append(f"grad_fn={type(self._ctx).__name__}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body, *extras]) + ")"

    def __hash__(self) -> int:  # __eq__ is elementwise, so hash by identity (as PyTorch does)
        return id(self)

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous; use .any() or .all()"
            )
        return bool(self.data)

    # ----------------------------------------------------------------- backward
    def backward(self, grad=None) -> None:
        """Reverse-mode differentiation: add d(self)/d(leaf) . grad into every leaf's `.grad`.

        `grad` (the upstream gradient) defaults to 1 for a one-element tensor; any other shape
        needs it given explicitly, of the same shape as the tensor.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: no input it depends on was "
                "created with requires_grad=True (or it was computed under no_grad())"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() without a gradient works only for a one-element (scalar) output, "
                    f"got shape {self.shape}; pass grad= of that shape, or reduce with .sum()/.mean()"
                )
            grad = xp.ones(self.shape, dtype=self.dtype)
        else:
            grad = xp.array(grad.data if isinstance(grad, Tensor) else grad, dtype=self.dtype)
            if grad.shape != self.shape:
                raise ValueError(
                    f"backward(grad): grad must have the tensor's shape {self.shape}, got {grad.shape}"
                )
        _backpropagate(self, grad)

    # Operators and methods are attached in `gradcraft.ops.methods`, next to the ops they call.


def _topological_order(root: Tensor) -> list[Tensor]:
    """Every tensor `root` depends on through recorded ops, inputs before outputs.

    Iterative depth-first search (a chain of 100,000 ops must not hit the recursion limit).
    """
    order, visited = [], {id(root)}
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
            continue
        stack.append((node, True))
        if node._ctx is not None:
            for parent in node._ctx.inputs:
                if parent.requires_grad and id(parent) not in visited:
                    visited.add(id(parent))
                    stack.append((parent, False))
    return order


def _unbroadcast(grad, shape):
    """Sum `grad` down to `shape`: the adjoint of NumPy broadcasting.

    The one place where broadcast gradients are reduced; ops return gradients in the broadcast
    (output) shape and the engine calls this.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    kept_ones = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if kept_ones:
        grad = grad.sum(axis=kept_ones, keepdims=True)
    return grad


def _backpropagate(root: Tensor, root_grad) -> None:
    pending = {id(root): root_grad}  # the summed adjoint of each node still to be visited
    # A gradient array may be stored in a leaf's .grad only if no one else holds it: arrays that
    # are views, or already handed to another leaf, are copied first.
    handed_out = set()
    for node in reversed(_topological_order(root)):
        grad = pending.pop(id(node), None)
        if grad is None:
            continue
        ctx = node._ctx
        if ctx is None or node._retains_grad:
            _accumulate(node, grad, handed_out)
        if ctx is None:
            continue
        input_grads = ctx.backward(grad)
        if not isinstance(input_grads, tuple):
            input_grads = (input_grads,)
        for parent, parent_grad in zip(ctx.inputs, input_grads):
            if parent_grad is None or not parent.requires_grad:
                continue
            parent_grad = _unbroadcast(parent_grad, parent.data.shape)
            if parent_grad.dtype != parent.data.dtype:
                parent_grad = parent_grad.astype(parent.data.dtype)
            key = id(parent)
            if key in pending:
                pending[key] = pending[key] + parent_grad
            else:
                pending[key] = parent_grad


def _accumulate(node: Tensor, grad, handed_out: set) -> None:
    if node.grad is None:
        if grad.base is not None or id(grad) in handed_out or not grad.flags.writeable:
            grad = grad.copy()
        handed_out.add(id(grad))
        node.grad = grad
    else:
        node.grad += grad


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """Make a tensor (always a copy of `data`).

    Python floats become float32 and Python ints int64; NumPy arrays keep their dtype
    (so float64 arrays stay float64). Pass `dtype=` to choose.
    """
    if isinstance(data, Tensor):
        data = data.data
    return Tensor(xp.array(data, dtype=dtype) if dtype is not None else _as_array(data).copy(),
                  requires_grad=requires_grad)


def as_tensor(value, like: Tensor | None = None) -> Tensor:
    """`value` as a Tensor; Python numbers take the dtype of `like` (NumPy's weak scalars)."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, Number) and like is not None:
        return Tensor._from_op(xp.asarray(value, dtype=xp.result_type(like.data, value)), None)
    return Tensor._from_op(_as_array(value), None)
