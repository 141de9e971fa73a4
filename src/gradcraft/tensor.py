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
from . import devices as _devices
from .tensor_size import TensorSize as _TensorSize
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
        """NumPy's element count; PyTorch's `x.size()` / `x.size(d)` call it (`TensorSize`)."""
        return _TensorSize(self.data.size, self.data.shape)

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
    def sin(self):
        return _fn.sin(self)

    def cos(self):
        return _fn.cos(self)

    def tan(self):
        return _fn.tan(self)

    def arcsin(self):
        return _fn.arcsin(self)

    def arccos(self):
        return _fn.arccos(self)

    def arctan(self):
        return _fn.arctan(self)

    def asin(self):
        return _fn.asin(self)

    def acos(self):
        return _fn.acos(self)

    def atan(self):
        return _fn.atan(self)

    def sinh(self):
        return _fn.sinh(self)

    def cosh(self):
        return _fn.cosh(self)

    def arcsinh(self):
        return _fn.arcsinh(self)

    def arccosh(self):
        return _fn.arccosh(self)

    def arctanh(self):
        return _fn.arctanh(self)

    def asinh(self):
        return _fn.asinh(self)

    def acosh(self):
        return _fn.acosh(self)

    def atanh(self):
        return _fn.atanh(self)

    def log2(self):
        return _fn.log2(self)

    def log10(self):
        return _fn.log10(self)

    def log1p(self):
        return _fn.log1p(self)

    def exp2(self):
        return _fn.exp2(self)

    def expm1(self):
        return _fn.expm1(self)

    def erf(self):
        return _fn.erf(self)

    def erfc(self):
        return _fn.erfc(self)

    def erfinv(self):
        return _fn.erfinv(self)

    def reciprocal(self):
        return _fn.reciprocal(self)

    def rsqrt(self):
        return _fn.rsqrt(self)

    def floor(self):
        return _fn.floor(self)

    def ceil(self):
        return _fn.ceil(self)

    def trunc(self):
        return _fn.trunc(self)

    def sign(self):
        return _fn.sign(self)

    def isnan(self):
        return _fn.isnan(self)

    def isinf(self):
        return _fn.isinf(self)

    def isfinite(self):
        return _fn.isfinite(self)

    def logical_not(self):
        return _fn.logical_not(self)

    def bitwise_not(self):
        return _fn.bitwise_not(self)

    def round(self, decimals=0):
        return _fn.round(self, decimals)

    def arctan2(self, other):
        return _fn.arctan2(self, other)

    def atan2(self, other):
        return _fn.atan2(self, other)

    def logaddexp(self, other):
        return _fn.logaddexp(self, other)

    def logaddexp2(self, other):
        return _fn.logaddexp2(self, other)

    def fmod(self, other):
        return _fn.fmod(self, other)

    def remainder(self, other):
        return _fn.remainder(self, other)

    def floor_divide(self, other):
        return _fn.floor_divide(self, other)

    def logical_and(self, other):
        return _fn.logical_and(self, other)

    def logical_or(self, other):
        return _fn.logical_or(self, other)

    def logical_xor(self, other):
        return _fn.logical_xor(self, other)

    def bitwise_and(self, other):
        return _fn.bitwise_and(self, other)

    def bitwise_or(self, other):
        return _fn.bitwise_or(self, other)

    def bitwise_xor(self, other):
        return _fn.bitwise_xor(self, other)

    # `& | ^ ~` are bitwise on integers, logical on bools, refused on floats; `%` and `//`
    # are NumPy's (and torch's) remainder and floor division; a number takes the tensor's dtype.
    def __and__(self, other):
        return _fn.bitwise_and(self, _operand(other, self, "&"))

    def __rand__(self, other):
        return _fn.bitwise_and(_operand(other, self, "&", reflected=True), self)

    def __or__(self, other):
        return _fn.bitwise_or(self, _operand(other, self, "|"))

    def __ror__(self, other):
        return _fn.bitwise_or(_operand(other, self, "|", reflected=True), self)

    def __xor__(self, other):
        return _fn.bitwise_xor(self, _operand(other, self, "^"))

    def __rxor__(self, other):
        return _fn.bitwise_xor(_operand(other, self, "^", reflected=True), self)

    def __mod__(self, other):
        return _fn.remainder(self, _operand(other, self, "%"))

    def __rmod__(self, other):
        return _fn.remainder(_operand(other, self, "%", reflected=True), self)

    def __floordiv__(self, other):
        return _fn.floor_divide(self, _operand(other, self, "//"))

    def __rfloordiv__(self, other):
        return _fn.floor_divide(_operand(other, self, "//", reflected=True), self)

    def __invert__(self):
        return _fn.bitwise_not(self)

    def __imod__(self, other):
        return _in_place(self, other, *_fn._math.IN_PLACE["%"], "%")

    def __ifloordiv__(self, other):
        return _in_place(self, other, *_fn._math.IN_PLACE["//"], "//")


    # ----------------------------------------------------------------- reductions
    # NumPy's axis=/keepdims= or PyTorch's dim=/keepdim= (gradcraft.spelling); with dim=,
    # max/min return (values, indices) and var/std divide by n - 1, as PyTorch.
    @accepts_dim
    def sum(self, axis=None, keepdims=False, *, dtype=None):
        return _fn.sum(self, axis, keepdims, dtype=dtype)

    @accepts_dim
    def mean(self, axis=None, keepdims=False, *, dtype=None):
        return _fn.mean(self, axis, keepdims, dtype=dtype)

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

    @accepts_dim
    def prod(self, axis=None, keepdims=False, *, dtype=None):
        return _fn.prod(self, axis, keepdims, dtype=dtype)

    @accepts_dim
    def logsumexp(self, axis=None, keepdims=False):
        return _fn.logsumexp(self, axis, keepdims)

    @accepts_dim
    def any(self, axis=None, keepdims=False):
        return _fn.any(self, axis, keepdims)

    @accepts_dim
    def all(self, axis=None, keepdims=False):
        return _fn.all(self, axis, keepdims)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _fn.isclose(self, other, rtol, atol, equal_nan)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _fn.allclose(self, other, rtol, atol, equal_nan)

    @accepts_dim
    def cumsum(self, axis=None, dtype=None):
        return _fn.cumsum(self, axis, dtype)

    @accepts_dim
    def cumprod(self, axis=None, dtype=None):
        return _fn.cumprod(self, axis, dtype)

    @accepts_dim
    def cummax(self, axis):
        return _fn.cummax(self, axis)

    @accepts_dim
    def cummin(self, axis):
        return _fn.cummin(self, axis)

    # sort returns a new tensor (never in place, unlike NumPy's ndarray.sort); with PyTorch's
    # spelling (dim=, descending=, stable=) the pair (values, indices), as torch.sort.
    def sort(self, axis=-1, kind=None, order=None, **torch_spelling):
        return _fn.sort(self, axis, kind, order, **torch_spelling)

    def argsort(self, axis=-1, kind=None, order=None, **torch_spelling):
        return _fn.argsort(self, axis, kind, order, **torch_spelling)

    def topk(self, k, dim=-1, largest=True, sorted=True):  # noqa: A002
        return _fn.topk(self, k, dim, largest, sorted)

    def gather(self, dim, index):
        return _fn.gather(self, dim, index)

    def scatter(self, dim, index, src=None, *, value=None):
        return _fn.scatter(self, dim, index, src, value=value)

    def scatter_add(self, dim, index, src):
        return _fn.scatter_add(self, dim, index, src)

    def masked_fill(self, mask, value):
        return _fn.masked_fill(self, mask, value)

    def nonzero(self, **torch_spelling):
        return _fn.nonzero(self, **torch_spelling)

    def argwhere(self):
        return _fn.argwhere(self)

    # -- reductions, scans, sorting and selection (ops/functions/reductions, scans, sorting, selection)

    # ----------------------------------------------------------------- shape
    def reshape(self, *shape):
        return _fn.reshape(self, *shape)

    def view(self, *shape):
        return _fn.reshape(self, *shape)

    def transpose(self, *axes, dim0=None, dim1=None):
        return _fn.transpose(self, *axes, dim0=dim0, dim1=dim1)

    def swapaxes(self, axis1, axis2):
        return _fn.swapaxes(self, axis1, axis2)

    def split(self, split_size_or_sections, dim=0):
        """PyTorch's `Tensor.split` (NumPy arrays have no split method): pieces of
        `split_size_or_sections` elements along `dim`, or of the sizes listed. The function
        `gradcraft.split(x, n, axis)` is NumPy's (n equal sections) unless given `dim=`."""
        return _fn.split(self, split_size_or_sections, dim=dim)

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

    def flatten(self, start_axis=0, end_axis=-1, *, start_dim=None, end_dim=None):
        return _fn.flatten(self, start_axis, end_axis, start_dim=start_dim, end_dim=end_dim)

    def pad(self, pad_width, mode="constant", constant_values=0):
        return _fn.pad(self, pad_width, mode, constant_values)

    # -- movement (ops/functions/movement.py)
    @accepts_dim
    def flip(self, *axes, axis=None, dims=None):
        """`x.flip(0)`, `x.flip((0, 1))`, PyTorch's `x.flip(0, 1)`; `axis=`, `dim=`, `dims=`."""
        if axes and axis is not None:
            raise TypeError("flip: got the axes both positionally and as axis=; give one")
        if axes:
            axis = axes[0] if len(axes) == 1 else axes
        return _fn.flip(self, axis, dims=dims)

    @accepts_dim
    def roll(self, shift=None, axis=None, *, shifts=None, dims=None):
        return _fn.roll(self, shift, axis, shifts=shifts, dims=dims)

    def diagonal(self, offset=0, axis1=0, axis2=1, *, dim1=None, dim2=None):
        return _fn.diagonal(self, offset, axis1, axis2, dim1=dim1, dim2=dim2)

    def diag(self, k=0, *, diagonal=None):
        return _fn.diag(self, k, diagonal=diagonal)

    @accepts_dim
    def repeat(self, repeats, axis=None):
        """NumPy's `ndarray.repeat` (each element in a row), not PyTorch's `Tensor.repeat`
        (which tiles: use `tile`)."""
        return _fn.repeat(self, repeats, axis)

    @accepts_dim
    def repeat_interleave(self, repeats, axis=None):
        return _fn.repeat_interleave(self, repeats, axis)

    def tile(self, *reps):
        return _fn.tile(self, *reps)

    @accepts_dim
    def chunk(self, chunks, axis=0):
        return _fn.chunk(self, chunks, axis)

    def unfold(self, dimension, size, step):
        return _fn.unfold(self, dimension, size, step)

    def tril(self, k=0, *, diagonal=None):
        return _fn.tril(self, k, diagonal=diagonal)

    def triu(self, k=0, *, diagonal=None):
        return _fn.triu(self, k, diagonal=diagonal)

    # ----------------------------------------------------------------- PyTorch's vocabulary
    # size(dim), dim(), t(), clone(), the dtype shorthands, to(), eq/ne/..., view_as, new_zeros
    # (`x.size` is NumPy's element count and `x.size()` PyTorch's shape: see `gradcraft.tensor_size`.
    # One device, the CPU: see `gradcraft.devices`.)
    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return self.data.size

    def element_size(self) -> int:
        """Bytes per element (NumPy's `itemsize`)."""
        return self.data.itemsize

    def is_floating_point(self) -> bool:
        return is_float_dtype(self.data.dtype)

    def t(self):
        """The transpose of a matrix, as `torch.t`: 0-d and 1-d tensors come back as they are;
        more than 2 dimensions is refused (use `transpose` / `permute`)."""
        if self.data.ndim > 2:
            raise ValueError(f"t() expects a tensor with <= 2 dimensions, got shape {self.shape}; "
                             "use transpose(...) or permute(...)")
        return _fn.transpose(self)

    def clone(self):
        """A copy in the graph (the gradient flows back to `self`), as `torch.clone`."""
        return _ew.Cast.apply(self, dtype=self.data.dtype)

    def contiguous(self):
        """`self` when its data is C-contiguous, else a C-contiguous copy in the graph."""
        if self.data.flags.c_contiguous:
            return self
        flat = _fn.reshape(self, -1)  # NumPy copies in C order unless a strided 1-d view will do
        if not flat.data.flags.c_contiguous:
            flat = flat.clone()  # a copy of a 1-d array is contiguous
        return _fn.reshape(flat, self.shape)

    @property
    def device(self):
        return _devices.CPU

    def cpu(self):
        return self

    def cuda(self, device=None, non_blocking=False):
        """Refused with the reason (gradcraft computes on the CPU only), as `to('cuda')`."""
        return self.to("cuda" if device is None else device)

    def to(self, *args, **kwargs):
        """PyTorch's `to`: `to(dtype)`, `to(device)`, `to(device, dtype)`, `to(other)` (other's
        dtype); `copy=True` always copies. `self` when nothing changes; the device must be the
        CPU (`gradcraft.device`). A cast stays in the graph to a floating dtype (as `astype`)."""
        dtype, copy = _devices.to_arguments("to", args, kwargs)
        dtype = self.data.dtype if dtype is None else _devices.as_dtype(dtype, "to(dtype)")
        if dtype == self.data.dtype:
            return self.clone() if copy else self
        return self.astype(dtype)

    def _to_dtype(self, dtype):  # PyTorch's shorthands return self when the dtype is already right
        return self if self.data.dtype == dtype else self.astype(dtype)

    def double(self):
        return self._to_dtype(xp.float64)

    def float(self):
        return self._to_dtype(xp.float32)

    def half(self):
        return self._to_dtype(xp.float16)

    def long(self):
        return self._to_dtype(xp.int64)

    def int(self):
        return self._to_dtype(xp.int32)

    def bool(self):
        return self._to_dtype(xp.bool_)

    def type_as(self, other):
        return self._to_dtype(other.dtype)

    def view_as(self, other):
        return _fn.reshape(self, other.shape)

    def reshape_as(self, other):
        return _fn.reshape(self, other.shape)

    def expand_as(self, other):
        return _fn.expand(self, other.shape)

    # eq/ne/lt/le/gt/ge: the operators' comparisons, as methods (boolean tensors outside the graph)
    def eq(self, other):
        return self._compared(other, xp.equal, "eq")

    def ne(self, other):
        return self._compared(other, xp.not_equal, "ne")

    def lt(self, other):
        return self._compared(other, xp.less, "lt")

    def le(self, other):
        return self._compared(other, xp.less_equal, "le")

    def gt(self, other):
        return self._compared(other, xp.greater, "gt")

    def ge(self, other):
        return self._compared(other, xp.greater_equal, "ge")

    def _compared(self, other, ufunc, name: str):
        result = _compare(self, other, ufunc, name)
        if result is NotImplemented:  # the operator would fall back on identity; a method cannot
            raise TypeError(f"{name}(): cannot compare a tensor of dtype {self.data.dtype} with "
                            f"{type(other).__name__}")
        return result

    # new_*: new tensors with self's dtype unless told (PyTorch's `Tensor.new_zeros` etc.)
    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_full(size, 0, dtype, device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_full(size, 1, dtype, device, requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        return self._new_full((size,), fill_value, dtype, device, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_full(size, 0, dtype, device, requires_grad)  # zeros: no garbage values

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
        """A new leaf holding a copy of `data`, in self's dtype unless `dtype` is given."""
        _devices.device(_devices.CPU if device is None else device)
        dtype = self.data.dtype if dtype is None else _devices.as_dtype(dtype, "new_tensor(dtype)")
        return Tensor(data, requires_grad=requires_grad, dtype=dtype)

    def _new_full(self, size, fill_value, dtype, device, requires_grad):
        _devices.device(_devices.CPU if device is None else device)
        dtype = self.data.dtype if dtype is None else _devices.as_dtype(dtype, "dtype")
        shape = _fn.arguments.shape_args(size, "size")
        out = Tensor._from_op(xp.full(shape, fill_value, dtype=dtype), None)
        return out.requires_grad_(True) if requires_grad else out



# ----------------------------------------------------------------------- making tensors
def tensor(data, requires_grad: bool = False, dtype=None, device=None) -> Tensor:
    """Make a tensor (always a copy of `data`).

    Python floats become float32 and Python ints int64; NumPy arrays keep their dtype
    (so float64 arrays stay float64). Pass `dtype=` to choose. `device`, PyTorch's argument,
    must name the CPU (`gradcraft.device`): 'cuda', 'mps', ... are refused, naming the device.
    """
    if device is not None:
        _devices.device(device)
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
