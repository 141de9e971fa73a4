"""`Tensor`: a NumPy array that remembers the op that made it, and reverse-mode `backward()`.

Small and boring on purpose. The math of every op, forward and vector-Jacobian product side by
side, lives in `gradcraft.ops`; this file only walks the graph.

Gradients *accumulate*: `backward()` adds into `.grad` of every leaf that requires grad, across
calls, exactly like PyTorch; call `zero_grad()` (or set `.grad = None`) between steps.

In-place operators (`w -= lr * w.grad`) write into `.data` inside `no_grad()` (parameter
updates); while the graph is recorded they refuse on a leaf that requires grad, as PyTorch, and
otherwise make a new tensor (`gradcraft.ops.api._inplace`).

Version counters (PyTorch's rule): every storage has a counter (a small list, see
`version_cell`) shared by the tensors that see the same memory (`detach()`, and op outputs that
are NumPy views of an input: reshape, transpose, basic indexing...). In-place operators,
optimizer steps, `load_state_dict` and `nn.init` bump it; an op notes when it was recorded, and
`backward()` refuses if a value the op saved has changed since, instead of silently
differentiating at a value that no longer exists. Writing into `.data` directly is the escape
hatch (as PyTorch's `.data`): not counted.

NumPy sees only numbers: converting a tensor that requires grad to an array (`np.asarray(w)`,
`w.numpy()`, `np.exp(w)`) raises instead of silently cutting the graph; use `w.detach().numpy()`
or `w.data` for the numbers, gradcraft's functions to stay differentiable.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
from numbers import Number

from .backend import default_float, is_float_dtype, xp

_grad_enabled = True
_ndarray = xp.ndarray
# Every op output gets the next number: an op's inputs always exist before its output, so
# creation order is a topological order of any graph (see `_backpropagate`).
_next_seq = itertools.count().__next__
# Version counters. A storage's cell is [stamp of its last in-place change, number of changes];
# the stamp is this clock, advanced by every in-place change anywhere. An op notes the clock
# when it is recorded: a saved value was changed since iff its stamp is later. Recording costs
# one read, and the backward check is skipped whole while the clock has not moved.
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
    """A new array holding `data` (always a copy)."""
    if isinstance(data, Tensor):
        data = data.data
    try:
        array = xp.array(data, dtype=dtype)
    except RuntimeError:  # a list holding tensors that require grad: a new leaf takes the numbers
        array = xp.array(_numbers_of(data), dtype=dtype)
    if dtype is not None:
        return array
    # Python floats become float32 (like PyTorch); NumPy arrays keep their dtype, so float64
    # arrays stay float64 (gradient checks rely on it).
    if array.dtype == xp.float64 and not isinstance(data, xp.ndarray | xp.generic):
        array = array.astype(default_float)
    return array


def _numbers_of(data):
    """`data` (lists and tuples, nested) with every tensor replaced by its array."""
    if isinstance(data, Tensor):
        return data.data
    if isinstance(data, list | tuple):
        return [_numbers_of(x) for x in data]
    return data


class Tensor:
    """An n-dimensional array with an optional gradient.

    `data` and `grad` are NumPy arrays. Methods speak NumPy (`axis`, `keepdims`, `x.max(axis)`
    returns values); layers and optimizers built on tensors speak PyTorch.
    """

    __slots__ = ("data", "grad", "requires_grad", "_ctx", "_seq", "_retains_grad", "name",
                 "_version_cell", "__weakref__")
    __array_priority__ = 1000  # so `ndarray + Tensor` defers to Tensor.__radd__

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        self.data = _as_array(data, dtype)
        self._version_cell = None
        self.grad = None
        self._ctx = None
        self._retains_grad = False
        self.name = name
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _from_op(cls, data, ctx, version_cell=None) -> Tensor:
        """Wrap an op's output array without copying (the hot path: no validation).
        `version_cell`: the counter of the storage `data` belongs to, when it is a view of one."""
        out = object.__new__(cls)
        # NumPy returns scalars (np.float32...) from 0-d arithmetic and full reductions; `.data`
        # is always an ndarray, so users and optimizers can index and update it in place.
        out.data = data if type(data) is _ndarray else xp.asarray(data)
        out._version_cell = version_cell
        out.grad = None
        out._ctx = ctx
        out._retains_grad = False
        out.name = None
        if ctx is None:
            out.requires_grad = False
        else:
            out.requires_grad = True
            out._seq = _next_seq()
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
    def _version(self) -> int:
        """How many times this tensor's storage was changed in place (PyTorch's `_version`)."""
        cell = self._version_cell
        return 0 if cell is None else cell[1]

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self):
        """Iterate over the first axis (each row a tensor, in the graph like `x[i]`)."""
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.data)))

    def __contains__(self, value) -> bool:
        """`value in x`: whether any element equals `value` (NumPy's and PyTorch's rule)."""
        return bool((self.data == (value.data if isinstance(value, Tensor) else value)).any())

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
        """The same data (shared, not copied, with the same version counter), cut from the graph."""
        return Tensor._from_op(self.data, None, version_cell(self))

    def numpy(self):
        """The data itself (shared). Refused on a tensor that requires grad, as in PyTorch."""
        if self.requires_grad:
            refuse_numpy("x.numpy()")
        return self.data

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return self.data.item()

    def __float__(self) -> float:
        return float(self._one_element("float"))

    def __int__(self) -> int:
        return int(self._one_element("int"))  # truncates toward zero, as int(3.7) and PyTorch

    def __index__(self) -> int:
        """So a one-element integer tensor indexes a list (`names[scores.argmax()]`)."""
        if self.data.size != 1 or self.data.dtype.kind not in "iu":
            raise TypeError(f"only integer tensors of a single element can be converted to an "
                            f"index, got dtype {self.data.dtype} and shape {self.shape}")
        return int(self.data.reshape(()))

    def _one_element(self, conversion: str):
        if self.data.size != 1:
            raise ValueError(f"{conversion}(x) needs a tensor with one element, got shape "
                             f"{self.shape}; reduce it first (e.g. x.sum()) or use x.tolist()")
        return self.data.reshape(()).item()

    def tolist(self):
        return self.data.tolist()

    def astype(self, dtype) -> Tensor:
        """A copy in `dtype`. To a floating dtype it stays in the graph (the gradient is cast
        back); to an integer or bool dtype it leaves the graph, as in PyTorch: rounding has no
        useful derivative, so the result does not require grad."""
        from .ops.elementwise import Cast

        dtype = xp.dtype(dtype)
        if not is_float_dtype(dtype):
            return Tensor._from_op(self.data.astype(dtype), None)
        return Cast.apply(self, dtype=dtype)

    def __array__(self, dtype=None, copy=None):
        """NumPy's conversion protocol: the data itself unless a copy is asked for or needed.
        Refused on a tensor that requires grad: NumPy would silently cut the graph."""
        if self.requires_grad:
            refuse_numpy("np.asarray() / np.array()")
        if dtype is not None and dtype != self.data.dtype:
            if copy is False:
                raise ValueError(f"converting a {self.data.dtype} tensor to {dtype} needs a copy")
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

    # Operators and methods are attached in `gradcraft.ops.api`, next to the functions they call.


def refuse_numpy(what: str,
                 use: str = "gradcraft's functions (gradcraft.maximum, .relu, .exp, .sum, ...)"):
    """Raise for NumPy given a tensor that requires grad (`what`: the call; `use`: the remedy)."""
    raise RuntimeError(
        f"{what} on a tensor that requires grad: NumPy would see only its numbers and silently "
        f"cut the graph (no gradient would arrive). Use {use} to stay differentiable, or "
        "x.detach().numpy() / x.data for the numbers")


def _unbroadcast(grad, shape):
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


def _backpropagate(root: Tensor, root_grad) -> None:
    """Send `root_grad` back through the graph and add the result into the leaves' `.grad`.

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


def _deliver(node: Tensor, grad, pending: dict, leaves: dict, heap: list) -> None:
    """Add one consumer's gradient into `node`'s adjoint (un-broadcast, in the node's dtype)."""
    data = node.data
    if grad.shape != data.shape:
        grad = _unbroadcast(grad, data.shape)
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


def _accumulate(node: Tensor, grad, handed_out: set) -> None:
    """`node.grad += grad`, storing `grad` itself the first time when no one else holds it."""
    if node.grad is None:
        if (type(grad) is not _ndarray or grad.base is not None or id(grad) in handed_out
                or not grad.flags.writeable):
            grad = xp.array(grad)  # a copy, and an ndarray even if an op produced a NumPy scalar
        handed_out.add(id(grad))
        node.grad = grad
    else:
        node.grad += grad


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """Make a tensor (always a copy of `data`).

    Python floats become float32 and Python ints int64; NumPy arrays keep their dtype
    (so float64 arrays stay float64). Pass `dtype=` to choose.
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def as_tensor(value, like: Tensor | None = None) -> Tensor:
    """`value` as a Tensor, without copying a NumPy array (it keeps its dtype and memory).

    Python numbers take the dtype NumPy would give them next to `like` (NumPy's weak scalars:
    a float32 tensor times 2.5 stays float32); other values convert as in `tensor()`.
    """
    if isinstance(value, Tensor):
        return value
    kind = type(value)
    if kind is _ndarray:
        return Tensor._from_op(value, None)
    if like is not None and (kind in _PYTHON_SCALARS or isinstance(value, Number)):
        dtype = _scalar_dtype(kind, value, like.data.dtype)
        return Tensor._from_op(xp.asarray(value, dtype=dtype), None)
    return Tensor._from_op(_as_array(value), None)


_PYTHON_SCALARS = (float, int, bool)
_scalar_dtypes = {}  # (type of the scalar, dtype of the tensor) -> dtype of the result


def _scalar_dtype(kind, value, dtype):
    """NumPy's promotion of a scalar of type `kind` with an array of `dtype`, memoized (it is on
    the path of every `x * 0.5`; under NumPy 2 it depends on the types only, not the value)."""
    key = (kind, dtype)
    result = _scalar_dtypes.get(key)
    if result is None:
        result = _scalar_dtypes[key] = xp.result_type(dtype, value)
    return result
