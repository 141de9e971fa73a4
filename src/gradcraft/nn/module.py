"""`Module`: the base class of layers and models (PyTorch's API, needle's attribute walk).

A module's parameters, sub-modules and buffers are found by walking its attributes in the
order they were assigned; there is no registration step except `register_buffer` (a buffer is
a plain NumPy array, so it cannot be recognised by its type). Attributes holding a `Parameter`
or a `Module` count, and so do lists, tuples and dicts of them, named `attr.0`, `attr.key`
exactly like PyTorch's `ModuleList`/`ModuleDict`, so `state_dict()` keys match torch's.

Order (as PyTorch): a module's own parameters, then its own buffers, then each child's, depth
first. `named_parameters()` lists a shared parameter once; `state_dict()` lists every name.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Iterator, NamedTuple

import numpy as np

from ..backend import default_float, is_float_dtype, xp
from ..autograd import bump_version
from ..devices import to_arguments
from ..tensor import Tensor
from ..validation import check_bool, describe
from ..validation import check_float_dtype as _check_float_dtype
from .parameter import Parameter

_INTERNAL = frozenset({"training", "_buffer_persistence"})


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` skipped."""

    missing_keys: list
    unexpected_keys: list


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _array_of(value):
    return value.data if isinstance(value, Tensor) else value


def check_float_dtype(dtype, argument: str = "dtype"):
    """`dtype` as a NumPy floating dtype (layers take `dtype=`), checked by
    `validation.check_float_dtype`: TypeError if it is no dtype at all, ValueError for a
    non-floating one (np.int64), both naming `argument`.

    None means the default float (`backend.default_float`, float32), as `torch.nn.Linear(...,
    dtype=None)`: NumPy alone would read None as float64.
    """
    if dtype is None:
        return xp.dtype(default_float)
    return _check_float_dtype(dtype, argument)


class Module:
    """Base class: subclass it, assign layers/parameters as attributes, write `forward`.

    `module(x)` calls `module.forward(x)`. `training` is True until `eval()`.
    """

    training = True  # a class default, so subclasses that skip super().__init__() still work

    def __init__(self):
        self.training = True

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------ walking
    def _own_members(self) -> Iterator[tuple[str, object]]:
        """(name, Parameter or Module) held directly by this module, in assignment order."""
        for name, value in vars(self).items():
            if isinstance(value, Parameter | Module):
                yield name, value
            elif isinstance(value, list | tuple):
                for i, item in enumerate(value):
                    if isinstance(item, Parameter | Module):
                        yield f"{name}.{i}", item
            elif isinstance(value, dict) and name not in _INTERNAL:
                for key, item in value.items():
                    if isinstance(item, Parameter | Module):
                        yield f"{name}.{key}", item

    def _own_parameters(self) -> Iterator[tuple[str, Parameter]]:
        return ((n, v) for n, v in self._own_members() if isinstance(v, Parameter))

    def _own_buffers(self, persistent_only: bool = False) -> Iterator[tuple[str, np.ndarray]]:
        for name, persistent in vars(self).get("_buffer_persistence", {}).items():
            value = getattr(self, name, None)
            if value is not None and (persistent or not persistent_only):
                yield name, value

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()
        for name, value in self._own_members():
            if isinstance(value, Module) and id(value) not in seen:
                seen.add(id(value))
                yield name, value

    def children(self) -> Iterator[Module]:
        return (module for _, module in self.named_children())

    def named_modules(self, prefix: str = "", _seen: set | None = None) -> Iterator[tuple[str, Module]]:
        """This module and every descendant (pre-order), each once."""
        seen = set() if _seen is None else _seen
        if id(self) in seen:
            return
        seen.add(id(self))
        yield prefix, self
        for name, child in self.named_children():
            yield from child.named_modules(_join(prefix, name), seen)

    def modules(self) -> Iterator[Module]:
        return (module for _, module in self.named_modules())

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """('fc1.weight', p) pairs with PyTorch's names; a shared parameter appears once."""
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        seen = set()
        for module_prefix, module in modules:
            for name, param in module._own_parameters():
                if id(param) not in seen:
                    seen.add(id(param))
                    yield _join(module_prefix, name), param

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        return (param for _, param in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, np.ndarray]]:
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, buffer in module._own_buffers():
                yield _join(module_prefix, name), buffer

    def buffers(self, recurse: bool = True) -> Iterator[np.ndarray]:
        return (buffer for _, buffer in self.named_buffers(recurse=recurse))

    def register_buffer(self, name: str, array, persistent: bool = True) -> None:
        """Keep `array` (state that is not trained, e.g. BatchNorm's running_mean) as `self.<name>`.

        Buffers go into `state_dict()` (unless `persistent=False`) and follow `to(dtype)`.
        `None` is allowed (an absent buffer); a Tensor is stored as its NumPy array.
        Reassigning `self.<name>` later replaces the buffer's value.
        """
        if not isinstance(name, str):
            raise TypeError(f"buffer name must be a str, got {describe(name)}")
        if not name or "." in name:
            raise ValueError(f"buffer name must be a non-empty string without '.', got {name!r}")
        persistent = check_bool(persistent, "persistent")
        if isinstance(getattr(self, name, None), Parameter | Module):
            raise ValueError(f"cannot register buffer {name!r}: the attribute already holds a "
                             f"{type(getattr(self, name)).__name__}")
        if array is not None:
            array = xp.asarray(_array_of(array))
        if "_buffer_persistence" not in vars(self):
            self._buffer_persistence = {}
        self._buffer_persistence[name] = persistent
        setattr(self, name, array)

    # ------------------------------------------------------------------ modes and grads
    def train(self, mode: bool = True) -> Module:
        """Set `training` on this module and every submodule; returns self."""
        mode = check_bool(mode, "mode")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget accumulated gradients (`grad = None`, or zero them in place)."""
        set_to_none = check_bool(set_to_none, "set_to_none")
        for param in self.parameters():
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                param.grad[...] = 0

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze every parameter; returns self."""
        requires_grad = check_bool(requires_grad, "requires_grad")
        for param in self.parameters():
            param.requires_grad = requires_grad
        return self

    def apply(self, fn) -> Module:
        """Call `fn(module)` on every child (recursively) and then on self, as PyTorch."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def num_parameters(self, only_trainable: bool = False) -> int:
        """Number of scalar parameters (each shared parameter counted once)."""
        only_trainable = check_bool(only_trainable, "only_trainable")
        return sum(p.data.size for p in self.parameters() if p.requires_grad or not only_trainable)

    # ------------------------------------------------------------------ dtype
    def to(self, *args, **kwargs) -> Module:
        """Convert floating-point parameters (and their grads) and buffers to `dtype`; returns self.

        PyTorch's forms: `to(dtype)`, `to(device)`, `to(device, dtype)`, `to(tensor)` (its
        dtype), keywords `device=`, `dtype=`, `non_blocking=`. The device must be the CPU
        (`gradcraft.device`; anything else is a ValueError naming it), so `model.to(device)`
        changes nothing. Parameters are converted in place: each stays the same `Parameter`
        object (an optimizer built before keeps working), as in PyTorch.

        Integer buffers (e.g. counters) keep their dtype, as in PyTorch. `to()` and `to(None)`
        change nothing (as `torch.nn.Module.to(None)`), they do not mean the default float.
        """
        if "copy" in kwargs:
            raise TypeError("Module.to() got an unexpected keyword argument 'copy'")
        dtype, _ = to_arguments("to", args, kwargs)
        if dtype is None:
            return self
        dtype = check_float_dtype(dtype, "to(dtype)")
        for module in self.modules():
            for _, param in module._own_parameters():
                param.data = param.data.astype(dtype, copy=False)
                if param.grad is not None:
                    param.grad = param.grad.astype(dtype, copy=False)
            for name, buffer in module._own_buffers():
                array = _array_of(buffer)
                if is_float_dtype(array.dtype):
                    setattr(module, name, array.astype(dtype, copy=False))
        return self

    def cpu(self) -> Module:
        """Self: parameters already live in main memory (PyTorch's `Module.cpu`)."""
        return self

    def cuda(self, device=None) -> Module:
        """Refused with the reason (gradcraft computes on the CPU only), as `to('cuda')`."""
        return self.to("cuda" if device is None else device)

    def double(self) -> Module:
        return self.to(xp.float64)

    def float(self) -> Module:
        return self.to(xp.float32)

    # ------------------------------------------------------------------ state dict
    def _state_owners(self, prefix: str = "", out: dict | None = None) -> dict:
        """name -> the Parameter or buffer (Tensor or array) behind it, torch order."""
        out = {} if out is None else out
        for name, param in self._own_parameters():
            out[prefix + name] = param
        for name, buffer in self._own_buffers(persistent_only=True):
            out[prefix + name] = buffer
        for name, value in self._own_members():
            if isinstance(value, Module):
                value._state_owners(prefix + name + ".", out)
        return out

    def _state_targets(self) -> dict:
        """name -> the live array behind it (parameters, persistent buffers), torch order."""
        return {name: _array_of(owner) for name, owner in self._state_owners().items()}

    def state_dict(self) -> OrderedDict:
        """OrderedDict name -> NumPy array (a copy), PyTorch's keys and order."""
        return OrderedDict((name, xp.array(array)) for name, array in self._state_targets().items())

    def load_state_dict(self, state_dict, strict: bool = True) -> IncompatibleKeys:
        """Copy arrays into the existing parameters and buffers (each keeps its dtype).

        Everything is checked first: with `strict`, missing or unexpected keys are refused; a shape
        mismatch is always refused. A refusal raises ValueError listing every problem and leaves
        the module unchanged. Values may be NumPy arrays, Tensors, or anything `np.asarray` takes.
        """
        if not hasattr(state_dict, "items"):
            raise TypeError(f"load_state_dict expects a mapping name -> array, got {type(state_dict).__name__}")
        strict = check_bool(strict, "strict")
        owners = self._state_owners()
        targets = {name: _array_of(owner) for name, owner in owners.items()}
        missing = [name for name in targets if name not in state_dict]
        unexpected = [name for name in state_dict if name not in targets]
        problems, sources = [], {}
        for name, target in targets.items():
            if name not in state_dict:
                continue
            try:
                value = xp.asarray(_array_of(state_dict[name]))
            except Exception as error:  # noqa: BLE001 - any unconvertible value is the user's input
                problems.append(f"{name}: not convertible to an array ({error})")
                continue
            if not (xp.issubdtype(value.dtype, xp.number) or value.dtype == bool):
                problems.append(f"{name}: expected numeric values, got dtype {value.dtype}")
            elif value.shape != target.shape:
                problems.append(f"{name}: shape mismatch, model has {target.shape}, got {value.shape}")
            else:
                sources[name] = value
        if strict:
            problems = ([f"missing keys {missing}"] if missing else []) \
                + ([f"unexpected keys {unexpected}"] if unexpected else []) + problems
        if problems:
            raise ValueError(f"load_state_dict refused, {type(self).__name__} left unchanged: "
                             + "; ".join(problems))
        for name, value in sources.items():
            xp.copyto(targets[name], value, casting="unsafe")
            if isinstance(owners[name], Tensor):
                bump_version(owners[name])  # a graph that saved the old value must refuse backward
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ repr
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (its hyper-parameters)."""
        return ""

    def __repr__(self) -> str:
        lines = [line for line in self.extra_repr().split("\n") if line]
        for name, value in self._own_members():
            if isinstance(value, Module):
                child = repr(value).replace("\n", "\n  ")
                lines.append(f"({name}): {child}")
        head = type(self).__name__ + "("
        if not lines:
            return head + ")"
        if len(lines) == 1 and not any(isinstance(v, Module) for _, v in self._own_members()):
            return head + lines[0] + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"
