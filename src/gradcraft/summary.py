"""`summary(module, input_shape)`: a torchinfo-like table of a model, layer by layer.

    from gradcraft.summary import summary
    print(summary(vgg_small((3, 32, 32)), (3, 32, 32)))      # the table
    summary(model, (1, 28, 28)).to_dict()                    # the same as JSON-able values

One forward pass on zeros of shape (batch_size, *input_shape), in eval mode (so BatchNorm works on
a batch of one; each module's mode is restored after), records for every module call, in call
order: its name (as in `named_modules`), type, depth, output shape, parameters, multiply-adds
and, where the output is still an image, its receptive field and jump in input pixels.

How calls are seen: `nn.Module` has no forward hooks, so each module's `forward` is shadowed, for
the length of the pass, by an instance attribute that records the call (and removed after, even
on error). Any module works: nested containers, lists and dicts of modules, blocks whose
`forward` mixes layers with tensor arithmetic (a residual `out + x`).

Multiply-adds, as torchinfo counts them: ConvNd: (weight + bias elements) x output positions
x batch, i.e. out elements x C_in/groups x prod(kernel), plus one per output element for the
bias; ConvTransposeNd: the same over the input positions (each input pixel is spread over a
kernel); Linear: (in*out + out) per row of its input; every other layer with parameters
(BatchNorm, ...): its parameter count per sample; parameter-free layers (ReLU, pooling, Flatten)
and tensor arithmetic in a forward (a residual add): 0.

Receptive field (per spatial axis, in input pixels) and jump (the input-pixel distance between
neighbouring outputs): the input has r = 1, j = 1; a layer with a window (conv, pooling: it has
`kernel_size`) gives r_out = r_in + (k - 1) * d * j_in, j_out = j_in * s (adaptive pooling: its
largest window and its stride in//out; a transposed conv: j_out = j_in / s, r_out = r_in +
(k - 1) * d * j_out); every other layer keeps the largest (r, j) of its inputs, and so does
arithmetic between layers, found by walking the autograd graph from a tensor back to tensors
already measured: a residual block's field is the maximum over its branches.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from . import nn
from .autograd import enable_grad
from .backend import default_float
from .tensor import Tensor
from .validation import check_float_dtype, check_int, describe

__all__ = ["summary", "ModelSummary", "LayerRow"]


@dataclass
class LayerRow:
    """One module call: what the table prints on one line."""

    name: str                      # its name in `named_modules` ('' for the model itself)
    type: str                      # its class name
    depth: int                     # 0 for the model, 1 for its children, ...
    output_shape: list | None = None   # one shape, or a list of shapes for several outputs
    params: int = 0                # parameters held by this module itself (not its children), first call only
    mult_adds: int = 0             # multiply-adds of this call (leaf layers only, see the module doc)
    receptive_field: list | None = None   # per spatial axis, in input pixels; None once not an image
    jump: list | None = None       # per spatial axis; may be a fraction after a transposed conv
    leaf: bool = True


@dataclass
class ModelSummary:
    """What `summary` found: `rows` (one per module call) and the totals. `str()` is the table,
    `to_dict()` the JSON-able form."""

    model: str
    input_shape: tuple
    batch_size: int
    dtype: str
    rows: list = field(default_factory=list)
    total_params: int = 0
    trainable_params: int = 0
    mult_adds: int = 0
    param_bytes: int = 0
    input_bytes: int = 0
    activation_bytes: int = 0      # the outputs of the leaf layers, one pass (what backward keeps)

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    def to_dict(self) -> dict:
        out = asdict(self)
        out["input_shape"] = list(self.input_shape)
        out["layers"] = out.pop("rows")
        out["non_trainable_params"] = self.non_trainable_params
        return out

    def __str__(self) -> str:
        header = ("Layer (type)", "Output Shape", "Param #", "Mult-Adds", "RF", "Jump")
        lines = [header] + [_cells(row) for row in self.rows]
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        rule = "=" * (sum(widths) + 2 * (len(widths) - 1))

        def fmt(cells):
            return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

        mb = 1e6
        body = [rule, fmt(header), rule, *(fmt(c) for c in lines[1:]), rule,
                f"Total params: {self.total_params:,}",
                f"Trainable params: {self.trainable_params:,}",
                f"Non-trainable params: {self.non_trainable_params:,}",
                f"Total mult-adds: {self.mult_adds:,}",
                rule,
                f"Input size (MB): {self.input_bytes / mb:.2f}",
                f"Forward pass activations (MB): {self.activation_bytes / mb:.2f}",
                f"Params size (MB): {self.param_bytes / mb:.2f}",
                f"Estimated total size (MB): {(self.input_bytes + self.activation_bytes + self.param_bytes) / mb:.2f}",
                rule]
        return "\n".join(body)


def _axes_text(values) -> str:
    if values is None:
        return "--"
    texts = [f"{v:g}" for v in values]
    return texts[0] if len(set(texts)) == 1 else "x".join(texts)


def _cells(row: LayerRow) -> tuple:
    label = "  " * row.depth + (f"{row.name} ({row.type})" if row.name else row.type)
    if row.output_shape is None:
        shape = "--"
    elif row.output_shape and isinstance(row.output_shape[0], list):
        shape = ", ".join(str(s) for s in row.output_shape)
    else:
        shape = str(list(row.output_shape))
    params = f"{row.params:,}" if row.params else "--"
    mult_adds = f"{row.mult_adds:,}" if row.leaf else "--"
    return label, shape, params, mult_adds, _axes_text(row.receptive_field), _axes_text(row.jump)


# ------------------------------------------------------------------ the recurrences
def _window(module, name: str, axes: int):
    value = getattr(module, name, 1)
    if value is None:
        return None
    value = tuple(value) if isinstance(value, tuple | list) else (value,) * axes
    return value if len(value) == axes else None


def _adaptive_windows(in_sizes, out_sizes):
    """Largest window and stride of adaptive pooling per axis: window i spans
    [floor(i*n/m), ceil((i+1)*n/m)) of n inputs, as PyTorch's adaptive pooling."""
    kernels, strides = [], []
    for n, m in zip(in_sizes, out_sizes):
        kernels.append(max(-(-(i + 1) * n // m) - (i * n // m) for i in range(m)))
        strides.append(max(n // m, 1))
    return tuple(kernels), tuple(strides)


def _spatial_field(module, field_in, in_shape, out_shape):
    """(r, j) of a windowed layer's output from its input's, or None if `module` has no window."""
    adaptive = type(module).__name__.startswith("Adaptive") and hasattr(module, "output_size")
    if field_in is None or not (adaptive or hasattr(module, "kernel_size")):
        return None
    r_in, j_in = field_in
    axes = len(r_in)
    if adaptive:
        if in_shape is None or out_shape is None:
            return None
        kernel, stride = _adaptive_windows(in_shape[-axes:], out_shape[-axes:])
        dilation = (1,) * axes
    else:
        kernel, stride, dilation = (_window(module, n, axes) for n in ("kernel_size", "stride", "dilation"))
        if kernel is None:
            return None
        stride = kernel if stride is None else stride
        dilation = dilation or (1,) * axes
    if type(module).__name__.startswith("ConvTranspose"):
        j_out = tuple(j / s for j, s in zip(j_in, stride))
        r_out = tuple(r + (k - 1) * d * j for r, k, d, j in zip(r_in, kernel, dilation, j_out))
    else:
        j_out = tuple(j * s for j, s in zip(j_in, stride))
        r_out = tuple(r + (k - 1) * d * j for r, k, d, j in zip(r_in, kernel, dilation, j_in))
    return r_out, j_out


def _larger(a, b):
    if a is None:
        return b
    if b is None or len(a[0]) != len(b[0]):
        return a
    return tuple(map(max, a[0], b[0])), tuple(map(max, a[1], b[1]))


class _Fields:
    """Receptive field per tensor: measured ones by id (the tensors kept alive so ids stay
    unique), others found through the autograd graph (ctx.inputs) as the largest of their
    measured ancestors."""

    def __init__(self):
        self._known: dict[int, tuple] = {}

    def set(self, tensor, value):
        self._known[id(tensor)] = (tensor, value)

    def get(self, tensor):
        stack, order, found = [tensor], [], {}
        while stack:   # iterative post-order: graphs between measured tensors can be deep
            t = stack.pop()
            if id(t) in self._known or id(t) in found:
                continue
            found[id(t)] = None
            order.append(t)
            parents = getattr(t._ctx, "inputs", ()) if t._ctx is not None else ()
            stack.extend(p for p in parents if isinstance(p, Tensor))
        for t in reversed(order):
            value = None
            parents = getattr(t._ctx, "inputs", ()) if t._ctx is not None else ()
            for p in parents:
                if isinstance(p, Tensor):
                    known = self._known.get(id(p))
                    value = _larger(value, known[1] if known else found.get(id(p)))
            found[id(t)] = value
        known = self._known.get(id(tensor))
        return known[1] if known else found[id(tensor)]


# ------------------------------------------------------------------ multiply-adds
def _mult_adds(module, inputs, outputs, batch_size: int) -> int:
    own = list(module.parameters(recurse=False)) if hasattr(module, "parameters") else []
    if not own or not outputs:
        return 0
    name = type(module).__name__
    out = outputs[0]
    weights = sum(int(p.data.size) for p in own)
    if name.startswith("ConvTranspose") and inputs:   # each input pixel meets the whole kernel
        positions = int(inputs[0].data.size) // inputs[0].shape[-len(module.kernel_size) - 1]
        bias = int(out.data.size) if getattr(module, "bias", None) is not None else 0
        return positions * int(module.weight.data.size) + bias
    if name.startswith("Conv") and hasattr(module, "kernel_size"):
        positions = int(out.data.size) // out.shape[-len(module.kernel_size) - 1]
        return positions * weights
    if isinstance(module, nn.Linear):
        return int(out.data.size) // out.shape[-1] * weights
    return batch_size * weights


# ------------------------------------------------------------------ the walk
def _tensors(value) -> list:
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, list | tuple):
        return [t for item in value for t in _tensors(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _tensors(item)]
    return []


def summary(module, input_shape, batch_size: int = 1, dtype=None) -> ModelSummary:
    """The layer table of `module` for inputs of shape (batch_size, *input_shape).

    `input_shape` excludes the batch axis, e.g. (3, 32, 32). `dtype`: of the zeros fed in, by
    default that of the model's first parameter (float32 for a model without parameters).
    Raises TypeError for a non-Module, ValueError for a bad shape, or for an input the model
    cannot take (the model's own message, with the shape tried).
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"summary: module must be a gradcraft nn.Module, got {describe(module)}")
    if isinstance(input_shape, int | np.integer) and not isinstance(input_shape, bool):
        input_shape = (input_shape,)
    if isinstance(input_shape, str) or not hasattr(input_shape, "__iter__"):
        raise TypeError(f"summary: input_shape must be a sequence of ints like (3, 32, 32), "
                        f"got {describe(input_shape)}")
    input_shape = tuple(check_int(s, f"summary: input_shape[{i}]", low=1) for i, s in enumerate(input_shape))
    if not input_shape:
        raise ValueError("summary: input_shape must hold at least one size, e.g. (3, 32, 32), got ()")
    batch_size = check_int(batch_size, "summary: batch_size", low=1)
    first = next(module.parameters(), None)
    if dtype is None:
        dtype = first.data.dtype if first is not None else np.dtype(default_float)
    dtype = check_float_dtype(dtype, "dtype")

    names = {id(m): name for name, m in module.named_modules()}
    has_children = {id(m): next(m.children(), None) is not None for m in module.modules()}
    result = ModelSummary(model=type(module).__name__, input_shape=input_shape, batch_size=batch_size,
                          dtype=str(dtype))
    fields = _Fields()
    seen_params: set[int] = set()
    depth = [0]

    def wrap(mod, original):
        def forward(*args, **kwargs):
            leaf = not has_children[id(mod)]
            row = LayerRow(names.get(id(mod), "?"), type(mod).__name__, depth[0], leaf=leaf)
            own = [p for p in mod.parameters(recurse=False) if id(p) not in seen_params]
            seen_params.update(id(p) for p in own)
            row.params = sum(int(p.data.size) for p in own)
            result.rows.append(row)
            inputs = _tensors((args, kwargs))
            depth[0] += 1
            try:
                output = original(*args, **kwargs)
            finally:
                depth[0] -= 1
            outputs = _tensors(output)
            shapes = [list(t.shape) for t in outputs]
            row.output_shape = shapes[0] if len(shapes) == 1 else (shapes or None)
            field_in = None
            for t in inputs:
                field_in = _larger(field_in, fields.get(t))
            if leaf:
                row.mult_adds = _mult_adds(mod, inputs, outputs, batch_size)
                result.mult_adds += row.mult_adds
                result.activation_bytes += sum(int(t.data.nbytes) for t in outputs)
                measured = _spatial_field(mod, field_in, inputs[0].shape if inputs else None,
                                          outputs[0].shape if outputs else None)
                value = measured if measured is not None else field_in
                for t in outputs:
                    fields.set(t, value)
            if outputs:
                value = fields.get(outputs[0])
                if value is not None and outputs[0].ndim - 2 == len(value[0]):
                    row.receptive_field, row.jump = list(value[0]), list(value[1])
            return output
        return forward

    modules = list(module.modules())
    saved = [(m, vars(m).get("forward", None), "forward" in vars(m), m.training) for m in modules]
    x = Tensor(np.zeros((batch_size, *input_shape), dtype=dtype), requires_grad=True)
    spatial_axes = max(len(input_shape) - 1, 0)
    fields.set(x, ((1,) * spatial_axes, (1,) * spatial_axes) if spatial_axes else None)
    try:
        for m in modules:
            object.__setattr__(m, "forward", wrap(m, m.forward))
            m.training = False
        with enable_grad():
            module(x)
    except (ValueError, TypeError, IndexError) as error:
        raise ValueError(f"summary: {type(module).__name__} cannot take an input of shape "
                         f"{(batch_size, *input_shape)}: {error}") from error
    finally:
        for m, forward, had, training in saved:
            if had:
                object.__setattr__(m, "forward", forward)
            else:
                vars(m).pop("forward", None)
            m.training = training

    params = list(module.parameters())
    result.total_params = sum(int(p.data.size) for p in params)
    result.trainable_params = sum(int(p.data.size) for p in params if p.requires_grad)
    result.param_bytes = sum(int(p.data.nbytes) for p in params) + sum(int(b.nbytes) for _, b in module.named_buffers())
    result.input_bytes = int(x.data.nbytes)
    return result
