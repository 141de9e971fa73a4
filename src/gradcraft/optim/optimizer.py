"""`Optimizer`: the base class owns the parameter groups, the per-parameter state, `zero_grad`,
`step` (the loop) and the state dict; each optimizer writes only its update rule (`_update`).

Layout as PyTorch's: `param_groups` is a list of dicts holding 'params' and the
hyper-parameters (a scheduler changes `group['lr']`); `state_dict()` is
`{'state': {index: {name: array or number}}, 'param_groups': [{..., 'params': [indices]}]}`,
indices counting parameters across groups in order.

Updates write into `param.data` in place (views of a parameter stay valid) and bump the
parameter's version counter, as PyTorch's in-place updates do: a loss built before `step()` then
refuses `backward()` instead of silently using the new values. Parameters whose `.grad` is None
are skipped.
"""

from __future__ import annotations

import copy
import numbers

import numpy as np

from ..backend import is_float_dtype
from ..autograd import bump_version, enable_grad
from ..tensor import Tensor
from ..validation import check_bool, check_real


# Cache blocking for elementwise updates. Each NumPy call streams its arrays through the cache
# once, so an update rule of k calls on parameters larger than the L2 cache moves them between
# L3/memory and the core k times. Running all k calls on one block after another moves each
# array once: the block stays in L2 from one call to the next. 2**16 float32 elements are 256 KiB
# per array; with four arrays in play (parameter, gradient, a state buffer, the work array) a
# block uses ~1 MiB of L2 (2 MiB per core here). Measured inside W1 training steps (momentum SGD,
# four calls, 670k float32 parameters): update ~0.95 -> ~0.82 ms median, ~0.72 -> ~0.56 ms best.
# Blocks of 2**15..2**17 do the same; 2**14 already pays Python's ~1 us per call too often.
UPDATE_BLOCK = 1 << 16


def flat_blocks(*arrays, block: int = UPDATE_BLOCK):
    """Matching 1-D views of same-shape arrays, `block` elements at a time: yields one tuple per
    block, one view per array (None entries stay None). Writing into a view writes the array.

    Arrays that are small, or not all C-contiguous, come back whole in a single tuple (flattening
    a non-contiguous array would copy it, and updates written into the copy would be lost).
    """
    present = [a for a in arrays if a is not None]
    if present[0].size <= block or not all(a.flags.c_contiguous for a in present):
        yield arrays
        return
    flat = [None if a is None else a.reshape(-1) for a in arrays]
    for start in range(0, present[0].size, block):
        part = slice(start, start + block)
        yield tuple(None if a is None else a[part] for a in flat)


class Optimizer:
    """Base class. `params`: an iterable of Parameters, of (name, Parameter) pairs, or of dicts
    {'params': [...], 'lr': ...} (parameter groups with their own hyper-parameters)."""

    def __init__(self, params, defaults: dict):
        self.defaults = dict(defaults)
        self.state: dict = {}          # Parameter -> {name: array or number}
        self.param_groups: list[dict] = []
        self._scratch: dict = {}       # dtype -> the work buffer all updates share (not saved)
        if isinstance(params, Tensor):
            raise TypeError("params must be an iterable of Parameters (e.g. model.parameters()), "
                            "got a single Tensor; wrap it in a list")
        params = list(params)
        if not params:
            raise ValueError("optimizer got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict) -> None:
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"a parameter group must be a dict with a 'params' entry, got {group!r}")
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        params = [p[1] if isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) else p
                  for p in params]
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer params must be Tensors/Parameters, got {type(p).__name__} at index {i}")
            if not p.is_leaf or not is_float_dtype(p.dtype):
                raise ValueError(f"optimizer can only update floating-point leaf tensors, got one of "
                                 f"dtype {p.dtype} (leaf={p.is_leaf}) at index {i}")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or seen & {id(p) for p in params}:
            raise ValueError("some parameters appear more than once in the optimizer's parameter groups")
        unknown = set(group) - set(self.defaults) - {"params", "initial_lr"}
        if unknown:
            raise ValueError(f"unknown hyper-parameter(s) {sorted(unknown)} for {type(self).__name__}; "
                             f"known: {sorted(self.defaults)}")
        group = {**self.defaults, **group, "params": params}
        self._check_group(group)
        self.param_groups.append(group)

    #: hyper-parameters that must be finite real numbers >= 0 (each optimizer lists its own)
    non_negative: tuple[str, ...] = ()
    #: hyper-parameters that must be True or False (`maximize` is every optimizer's)
    flags: tuple[str, ...] = ("maximize",)

    def _check_group(self, group: dict) -> None:
        """Validate a group's hyper-parameters in place, naming the bad one: TypeError for a wrong
        type ('0.1', None, 1 for a flag), ValueError for a wrong value (-0.1, NaN, inf). Valid
        values are stored as plain floats and bools. Subclasses with further rules extend this
        (calling it first)."""
        for name in self.non_negative:
            group[name] = check_real(group[name], name, low=0.0)
        for name in self.flags:
            group[name] = check_bool(group[name], name)

    # ------------------------------------------------------------------ the loop
    def zero_grad(self, set_to_none: bool = True) -> None:
        set_to_none = check_bool(set_to_none, "set_to_none")
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad[...] = 0

    def step(self, closure=None):
        """One update of every parameter that has a gradient. `closure` (optional) recomputes
        and returns the loss, as in PyTorch; its value is returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if grad.shape != p.data.shape:
                    raise ValueError(f"gradient of shape {grad.shape} does not match its parameter's shape {p.data.shape}")
                state = self.state.get(p)
                if state is None:
                    state = self.state[p] = {}
                self._update(p.data, grad, state, group, p)
                # A graph built before this step saved the old value: it must refuse backward.
                bump_version(p)
        return loss

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict, key) -> None:
        """Update `param` in place from `grad`; `state` is this parameter's state dict."""
        raise NotImplementedError

    @staticmethod
    def _objective_gradient(param: np.ndarray, grad: np.ndarray, group: dict,
                            coupled_weight_decay: bool = True) -> np.ndarray:
        """The gradient an update descends: negated under `maximize`, plus the L2 term
        weight_decay * param when the decay is coupled (every optimizer but AdamW). A new array
        whenever it differs from `grad`: the user's `.grad` stays untouched."""
        if group["maximize"]:
            grad = -grad
        if coupled_weight_decay and group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        return grad

    @staticmethod
    def _decay_decoupled(param: np.ndarray, group: dict) -> None:
        """AdamW's decoupled weight decay, in place: param <- param (1 - lr weight_decay), apart
        from the gradient (AdamW, and NAdam/RAdam with `decoupled_weight_decay=True`)."""
        if group["weight_decay"] != 0:
            np.multiply(param, 1 - group["lr"] * group["weight_decay"], out=param)

    def _work(self, key, like: np.ndarray) -> np.ndarray:
        """A work array shaped like `like`, valid until the next call (use it within one
        `_update`, or one block of it); its contents are garbage. (`key`, the parameter, is
        not needed: kept for the optimizers that pass it.)

        All parameters share one buffer per dtype, as large as the largest request: with blockwise
        updates that is a block, which every block and parameter reuses, so it stays in cache
        (and the optimizer keeps one block of scratch memory instead of a copy of the model).
        """
        buffer = self._scratch.get(like.dtype)
        if buffer is None or buffer.size < like.size:
            buffer = self._scratch[like.dtype] = np.empty(like.size, like.dtype)
        return buffer[:like.size].reshape(like.shape)

    # ------------------------------------------------------------------ state dict
    def _indexed_params(self) -> list:
        return [p for group in self.param_groups for p in group["params"]]

    def state_dict(self) -> dict:
        """{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}; copies."""
        index = {id(p): i for i, p in enumerate(self._indexed_params())}
        groups = []
        for group in self.param_groups:
            saved = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            saved["params"] = [index[id(p)] for p in group["params"]]
            groups.append(saved)
        state = {index[id(p)]: {k: (np.array(v) if isinstance(v, np.ndarray) else v) for k, v in s.items()}
                 for p, s in self.state.items() if id(p) in index and s}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore hyper-parameters and state saved by `state_dict()` (from an optimizer built on
        parameters of the same shapes in the same order). Checks everything before changing anything."""
        if not isinstance(state_dict, dict):
            raise TypeError(f"optimizer state_dict must be a dict, got {type(state_dict).__name__}")
        if set(state_dict) != {"state", "param_groups"}:
            raise ValueError("optimizer state_dict must be a dict with exactly 'state' and 'param_groups'")
        saved_groups = state_dict["param_groups"]
        if not isinstance(saved_groups, list | tuple) or not all(isinstance(g, dict) for g in saved_groups) \
                or not isinstance(state_dict["state"], dict):
            raise ValueError("optimizer state_dict needs 'param_groups' as a list of dicts and 'state' as a dict")
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"optimizer state_dict has {len(saved_groups)} parameter groups, "
                             f"this optimizer has {len(self.param_groups)}")
        sizes = [len(g["params"]) for g in self.param_groups]
        saved_sizes = [len(g.get("params", ())) for g in saved_groups]
        if sizes != saved_sizes:
            raise ValueError(f"optimizer state_dict groups hold {saved_sizes} parameters, this optimizer's hold {sizes}")
        new_hypers = []
        for group, saved in zip(self.param_groups, saved_groups):
            unknown = set(saved) - set(self.defaults) - {"params", "initial_lr"}
            if unknown:
                raise ValueError(f"optimizer state_dict has hyper-parameter(s) {sorted(unknown)} unknown to "
                                 f"{type(self).__name__} (saved from another optimizer?)")
            hypers = {k: copy.deepcopy(v) for k, v in {**group, **saved}.items() if k != "params"}
            self._check_group(hypers)  # also normalises (e.g. betas back to a tuple after JSON)
            new_hypers.append(hypers)
        by_saved_index = {}
        for group, saved in zip(self.param_groups, saved_groups):
            for p, i in zip(group["params"], saved["params"]):
                by_saved_index[i] = p
        new_state = {}
        for i, entries in state_dict["state"].items():
            try:
                p = by_saved_index.get(int(i))  # int(): keys may have become strings (JSON)
            except (TypeError, ValueError):
                p = None
            if p is None:
                raise ValueError(f"optimizer state_dict has state for parameter index {i!r}, which is not "
                                 f"among the saved groups' params")
            restored = {}
            for name, value in entries.items():
                if isinstance(value, Tensor):
                    value = value.data
                if np.ndim(value) > 0:
                    value = np.asarray(value)
                    if value.shape != p.data.shape:
                        raise ValueError(f"optimizer state {name!r} of parameter {i} has shape {value.shape}, "
                                         f"the parameter has shape {p.data.shape}")
                    value = value.astype(p.data.dtype, copy=True)  # as PyTorch: state follows the param
                elif not isinstance(value, numbers.Number | str | bool | type(None)):
                    value = np.asarray(value).item()  # a 0-d array or tensor: keep the number
                restored[name] = value
            new_state[p] = restored
        for group, hypers in zip(self.param_groups, new_hypers):
            group.update(hypers)
        self.state = new_state

    def __repr__(self) -> str:
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"
