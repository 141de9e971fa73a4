"""`Tensor`: a NumPy array that remembers the op that made it.

The data class. Its methods are written here, each a one-line call into the differentiable
functions (`gradcraft.ops.functions`, NumPy's names and defaults) or an op; the math of every
op, forward and vector-Jacobian product side by side, lives in `gradcraft.ops`, and the engine
that records the graph and walks it backward in `gradcraft.autograd`.

Gradients *accumulate*: `backward()` adds into `.grad` of every leaf that requires grad, across
calls, exactly like PyTorch; call `zero_grad()` (or set `.grad = None`) between steps.

In-place operators (`w -= lr * w.grad`) write into `.data` inside `no_grad()` (parameter
updates) and bump the storage's version counter (see `gradcraft.autograd`); while the graph is
recorded they refuse on a leaf that requires grad, as PyTorch, and otherwise make a new tensor.

NumPy sees only numbers: converting a tensor that requires grad to an array (`np.asarray(w)`,
`w.numpy()`, `np.exp(w)`) raises instead of silently cutting the graph; use `w.detach().numpy()`
or `w.data` for the numbers, gradcraft's functions to stay differentiable
(`gradcraft.numpy_protocol`).
"""

from __future__ import annotations

from numbers import Number

from .autograd import backward as _backward, next_sequence_number, version_cell
from .backend import default_float, is_float_dtype, xp
from .spelling import accepts_dim
from .ops import elementwise as _ew
from .ops import linalg as _linalg

__all__ = ["Tensor", "tensor", "as_tensor"]

_ndarray = xp.ndarray


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
        """Wrap an op's output array (an ndarray) without copying (the hot path: no checks).
        `ctx`: the recorded op, or None; `version_cell`: the counter of the storage `data`
        belongs to, when it is a view of one."""
        out = object.__new__(cls)
        out.data = data
        out._version_cell = version_cell
        out.grad = None
        out._ctx = ctx
        out._retains_grad = False
        out.name = None
        if ctx is None:
            out.requires_grad = False
        else:
            out.requires_grad = True
            out._seq = next_sequence_number()
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

    # ----------------------------------------------------------------- the graph
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
        _backward(self, grad)

    # ----------------------------------------------------------------- conversions
    def numpy(self):
        """The data itself (shared). Refused on a tensor that requires grad, as in PyTorch."""
        if self.requires_grad:
            numpy_protocol.refuse("x.numpy()")
        return self.data

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

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

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous; use .any() or .all()"
            )
        return bool(self.data)

    def astype(self, dtype) -> Tensor:
        """A copy in `dtype`. To a floating dtype it stays in the graph (the gradient is cast
        back); to an integer or bool dtype it leaves the graph, as in PyTorch: rounding has no
        useful derivative, so the result does not require grad."""
        dtype = xp.dtype(dtype)
        if not is_float_dtype(dtype):
            return Tensor._from_op(self.data.astype(dtype), None)
        return _ew.Cast.apply(self, dtype=dtype)

    # NumPy's protocols (what np.asarray(t), np.exp(t) and `array + t` do): gradcraft.numpy_protocol
    def __array__(self, dtype=None, copy=None):
        return numpy_protocol.array(self, dtype, copy)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return numpy_protocol.array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return numpy_protocol.array_function(func, args, kwargs)

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

    # ----------------------------------------------------------------- arithmetic
    # A Python number takes its dtype from the tensor (NumPy's weak scalars: float32 * 2.5 is
    # float32); see `gradcraft.operators.operand`.
    def __add__(self, other):
        return _ew.Add.apply(self, other if isinstance(other, Tensor) else _operand(other, self, "+"))

    def __radd__(self, other):
        return _ew.Add.apply(_operand(other, self, "+", reflected=True), self)

    def __sub__(self, other):
        return _ew.Sub.apply(self, other if isinstance(other, Tensor) else _operand(other, self, "-"))

    def __rsub__(self, other):
        return _ew.Sub.apply(_operand(other, self, "-", reflected=True), self)

    def __mul__(self, other):
        return _ew.Mul.apply(self, other if isinstance(other, Tensor) else _operand(other, self, "*"))

    def __rmul__(self, other):
        return _ew.Mul.apply(_operand(other, self, "*", reflected=True), self)

    def __truediv__(self, other):
        return _ew.Div.apply(self, other if isinstance(other, Tensor) else _operand(other, self, "/"))

    def __rtruediv__(self, other):
        return _ew.Div.apply(_operand(other, self, "/", reflected=True), self)

    def __pow__(self, other):
        return _ew.Pow.apply(self, other if isinstance(other, Tensor) else _operand(other, self, "**"))

    def __rpow__(self, other):
        return _ew.Pow.apply(_operand(other, self, "**", reflected=True), self)

    def __matmul__(self, other):
        return _linalg.MatMul.apply(self, other if isinstance(other, Tensor) else _operand(other, self, "@"))

    def __rmatmul__(self, other):
        return _linalg.MatMul.apply(_operand(other, self, "@", reflected=True), self)

    def __neg__(self):
        return _ew.Neg.apply(self)

    def __abs__(self):
        return _ew.Abs.apply(self)

    # In place, with PyTorch's rules (see `gradcraft.operators.in_place`).
    def __iadd__(self, other):
        return _in_place(self, other, _ew.Add, xp.add, "+")

    def __isub__(self, other):
        return _in_place(self, other, _ew.Sub, xp.subtract, "-")

    def __imul__(self, other):
        return _in_place(self, other, _ew.Mul, xp.multiply, "*")

    def __itruediv__(self, other):
        return _in_place(self, other, _ew.Div, xp.true_divide, "/")

    def __ipow__(self, other):
        return _in_place(self, other, _ew.Pow, xp.power, "**")

    # Comparisons give boolean tensors outside the graph.
    def __lt__(self, other):
        return _compare(self, other, xp.less, "<")

    def __le__(self, other):
        return _compare(self, other, xp.less_equal, "<=")

    def __gt__(self, other):
        return _compare(self, other, xp.greater, ">")

    def __ge__(self, other):
        return _compare(self, other, xp.greater_equal, ">=")

    def __eq__(self, other):
        return _compare(self, other, xp.equal, "==")

    def __ne__(self, other):
        return _compare(self, other, xp.not_equal, "!=")

    def __getitem__(self, index):
        return _fn.getitem(self, index)

    # ----------------------------------------------------------------- math (gradcraft.ops.functions)
    def exp(self):
        return _fn.exp(self)

    def log(self):
        return _fn.log(self)

    def sqrt(self):
        return _fn.sqrt(self)

    def abs(self):
        return _fn.abs(self)

    def tanh(self):
        return _fn.tanh(self)

    def sigmoid(self):
        return _fn.sigmoid(self)

    def relu(self):
        return _fn.relu(self)

    def leaky_relu(self, negative_slope: float = 0.01):
        return _fn.leaky_relu(self, negative_slope)

    def clip(self, a_min=None, a_max=None):
        return _fn.clip(self, a_min, a_max)

    def maximum(self, other):
        return _fn.maximum(self, other)

    def minimum(self, other):
        return _fn.minimum(self, other)

    def matmul(self, other):
        return _fn.matmul(self, other)

    # -- elementwise math, logical and bitwise (ops/functions/math.py, logical.py)


    # ----------------------------------------------------------------- reductions
    # NumPy's axis=/keepdims= or PyTorch's dim=/keepdim= (gradcraft.spelling); with dim=,
    # max/min return (values, indices) and var/std divide by n - 1, as PyTorch.
    @accepts_dim
    def sum(self, axis=None, keepdims=False):
        return _fn.sum(self, axis, keepdims)

    @accepts_dim
    def mean(self, axis=None, keepdims=False):
        return _fn.mean(self, axis, keepdims)

    def var(self, axis=None, keepdims=False, ddof=None, **torch_spelling):
        return _fn.var(self, axis, keepdims, ddof, **torch_spelling)

    def std(self, axis=None, keepdims=False, ddof=None, **torch_spelling):
        return _fn.std(self, axis, keepdims, ddof, **torch_spelling)

    def max(self, axis=None, keepdims=False, **torch_spelling):
        return _fn.max(self, axis, keepdims, **torch_spelling)

    def min(self, axis=None, keepdims=False, **torch_spelling):
        return _fn.min(self, axis, keepdims, **torch_spelling)

    @accepts_dim
    def argmax(self, axis=None, keepdims=False):
        return _fn.argmax(self, axis, keepdims)

    @accepts_dim
    def argmin(self, axis=None, keepdims=False):
        return _fn.argmin(self, axis, keepdims)

    # -- reductions, scans, sorting and selection (ops/functions/reductions, scans, sorting, selection)

    # ----------------------------------------------------------------- shape
    def reshape(self, *shape):
        return _fn.reshape(self, *shape)

    def view(self, *shape):
        return _fn.reshape(self, *shape)

    def transpose(self, *axes):
        return _fn.transpose(self, *axes)

    def permute(self, *dims):
        return _fn.transpose(self, *dims)

    @property
    def T(self):
        return _fn.transpose(self)

    def broadcast_to(self, *shape):
        return _fn.broadcast_to(self, *shape)

    def expand(self, *sizes):
        return _fn.expand(self, *sizes)

    @accepts_dim
    def squeeze(self, axis=None):
        return _fn.squeeze(self, axis)

    @accepts_dim
    def unsqueeze(self, axis):
        return _fn.unsqueeze(self, axis)

    def flatten(self, start_axis=0):
        return _fn.flatten(self, start_axis)

    def pad(self, pad_width, mode="constant", constant_values=0):
        return _fn.pad(self, pad_width, mode, constant_values)

    # -- movement (ops/functions/movement.py)

    # ----------------------------------------------------------------- PyTorch's vocabulary
    # size(dim), dim(), t(), clone(), the dtype shorthands, to(), eq/ne/..., view_as, new_zeros



# ----------------------------------------------------------------------- making tensors
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


# The differentiable functions and NumPy's protocols take tensors and make them: they are bound
# here, once Tensor exists, so that any module of gradcraft can be imported first.
from . import numpy_protocol  # noqa: E402
from .operators import compare as _compare, in_place as _in_place, operand as _operand  # noqa: E402
from .ops import functions as _fn  # noqa: E402
