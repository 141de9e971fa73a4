"""Shared machinery of the core test suite: input generation, memory layouts, and the parity
check that runs one op in gradcraft and in PyTorch (float64) and compares values and gradients.

Expected values always come from PyTorch (or from arithmetic written into a test), never from
gradcraft itself.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest
import torch

import gradcraft as gc

# ----------------------------------------------------------------------------- inputs
# A "domain" says where an input's values may lie, so finite differences never straddle a kink
# (abs, relu at 0), a tie (max, maximum) or leave the function's domain (log, sqrt).


def make_values(rng: np.random.Generator, shape: tuple, domain: str) -> np.ndarray:
    """Float64 values of `shape` drawn from `domain`."""
    if domain == "any":
        return rng.standard_normal(shape)
    if domain == "positive":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "nonzero":  # |x| >= 0.2: far from the kink at 0 compared with eps = 1e-6
        return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.2, 2.0, shape)
    if domain == "small":  # exponents of pow
        return rng.uniform(-1.5, 1.5, shape)
    if domain == "grid_a":  # grid_a and grid_b never come closer than 0.1 to each other
        return 0.2 * rng.integers(-8, 8, shape) + 0.05
    if domain == "grid_b":
        return 0.2 * rng.integers(-8, 8, shape) + 0.15
    if domain == "distinct":  # all elements at least 0.1 apart: no ties inside any reduction
        size = int(np.prod(shape, dtype=int))
        return (0.1 * rng.permutation(size) - 0.05 * size).reshape(shape) + 0.013
    raise ValueError(f"unknown domain {domain!r}")


# ----------------------------------------------------------------------------- layouts
# Leaves are always contiguous (gc.tensor copies); a layout makes the op see a non-contiguous
# view of its leaf, produced inside the graph so the gradient flows back through the view.
# "C" contiguous, "T" all axes reversed (a transposed view), "S" every other element of the
# last axis (a strided view).


def leaf_shape(layout: str, shape: tuple) -> tuple:
    if layout == "T":
        return tuple(reversed(shape))
    if layout == "S":
        return shape[:-1] + (2 * shape[-1],)
    return shape


def gc_view(layout: str, t):
    if layout == "T":
        return t.transpose()
    if layout == "S":
        return t[..., ::2]
    return t


def torch_view(layout: str, t):
    if layout == "T":
        return t.permute(*reversed(range(t.ndim)))
    if layout == "S":
        return t[..., ::2]
    return t


# ----------------------------------------------------------------------------- cases
@dataclass
class Case:
    """One op applied to inputs of given shapes. `gc_fn` and `torch_fn` compute the same thing
    and may return one tensor or a list of tensors.

    A test module lists its cases in `CASES` as rows
    `(name, gc_fn, torch_fn, shapes[, domains[, layouts]])`: `domains` one string for all
    inputs or one per input (see `make_values`), `layouts` a string with one letter per input.
    Every test function taking a `case` argument then runs once per row.
    """

    name: str
    gc_fn: object
    torch_fn: object
    shapes: tuple
    domains: object = "any"
    layouts: str = ""

    def __post_init__(self):
        n = len(self.shapes)
        if isinstance(self.domains, str):
            self.domains = (self.domains,) * n
        self.layouts = self.layouts or "C" * n
        assert len(self.domains) == n and len(self.layouts) == n, self.name

    @property
    def id(self) -> str:
        parts = []
        for shape, layout in zip(self.shapes, self.layouts):
            text = "x".join(map(str, shape)) or "0d"
            parts.append(text if layout == "C" else f"{text}{layout}")
        return f"{self.name}[{','.join(parts)}]"


def pytest_generate_tests(metafunc):
    if "case" in metafunc.fixturenames:
        cases = [Case(*row) for row in metafunc.module.CASES]
        metafunc.parametrize("case", cases, ids=[c.id for c in cases])
    if "saved_program" in metafunc.fixturenames:
        programs = saved_programs(metafunc.module.SAVED_CASES,
                                  getattr(metafunc.module, "SAVED_DEVIATIONS", {}))
        metafunc.parametrize("saved_program", programs, ids=[p.id for p in programs])


def _as_list(out):
    return list(out) if isinstance(out, list | tuple) else [out]


def leaves_for(case: Case, seed: int = 0):
    rng = np.random.default_rng(seed)
    return [make_values(rng, leaf_shape(layout, tuple(shape)), domain)
            for shape, layout, domain in zip(case.shapes, case.layouts, case.domains)]


def _parity(case: Case, seed: int = 0, rtol: float = 1e-10, atol: float = 1e-12):
    """Forward values and input gradients (random upstream gradient) against PyTorch, float64."""
    arrays = leaves_for(case, seed)
    gc_leaves = [gc.tensor(a, requires_grad=True) for a in arrays]
    torch_leaves = [torch.tensor(a, requires_grad=True) for a in arrays]

    gc_out = _as_list(case.gc_fn(*[gc_view(lay, t) for lay, t in zip(case.layouts, gc_leaves)]))
    torch_out = _as_list(case.torch_fn(*[torch_view(lay, t) for lay, t in zip(case.layouts, torch_leaves)]))

    assert len(gc_out) == len(torch_out)
    for mine, ref in zip(gc_out, torch_out):
        assert isinstance(mine, gc.Tensor)
        assert isinstance(mine.data, np.ndarray), type(mine.data)
        assert mine.dtype == np.float64
        assert mine.shape == tuple(ref.shape)
        np.testing.assert_allclose(mine.data, ref.detach().numpy(), rtol=rtol, atol=atol)

    rng = np.random.default_rng(seed + 1)
    upstream = [rng.standard_normal(tuple(ref.shape)) for ref in torch_out]
    for mine, g in zip(gc_out, upstream):
        mine.backward(g)  # several outputs: their gradients accumulate into the leaves
    torch.autograd.backward(torch_out, [torch.tensor(g) for g in upstream])

    for i, (mine, ref) in enumerate(zip(gc_leaves, torch_leaves)):
        if ref.grad is None:  # not differentiated through (e.g. a where() condition)
            assert mine.grad is None or not mine.grad.any(), f"input {i} should get no gradient"
            continue
        expected = ref.grad.numpy()
        assert mine.grad is not None, f"input {i} received no gradient"
        assert isinstance(mine.grad, np.ndarray), type(mine.grad)
        assert mine.grad.shape == mine.shape, f"input {i}: grad shape {mine.grad.shape} != {mine.shape}"
        assert mine.grad.dtype == np.float64
        np.testing.assert_allclose(mine.grad, expected, rtol=rtol, atol=atol,
                                   err_msg=f"gradient of input {i}")


def _gradcheck(case: Case, seed: int = 0):
    """gc.gradcheck (float64 central differences) through the case's layouts."""
    arrays = leaves_for(case, seed)
    leaves = [gc.tensor(a, requires_grad=True) for a in arrays]

    def fn(*xs):
        out = _as_list(case.gc_fn(*[gc_view(lay, x) for lay, x in zip(case.layouts, xs)]))
        if len(out) == 1:
            return out[0]
        return gc.concatenate([o.reshape(-1) for o in out])

    report = gc.gradcheck(fn, *leaves)
    assert report, str(report)


@pytest.fixture
def parity():
    """`parity(case)`: forward and backward of `case` against PyTorch in float64."""
    return _parity


@pytest.fixture
def gradcheck_case():
    """`gradcheck_case(case)`: gc.gradcheck of `case` through its layouts."""
    return _gradcheck


# ----------------------------------------------------------------------------- saved values
# What an op saved decides what may change in place before backward (PyTorch's rule). A test
# module lists SAVED_CASES = {name: (gradcraft fn, torch fn, input arrays)} and, where
# gradcraft's backward reads less than PyTorch's kernel keeps, SAVED_DEVIATIONS =
# {(name, needs, target): reason}; a test taking `saved_program` and `check_saved_program`
# then runs every program: each subset of inputs requiring grad x each value changed in place.


@dataclass
class SavedProgram:
    name: str
    needs: str       # one letter per input: "g" requires grad, "-" does not
    target: str      # "input i" or "output": the value changed in place before backward
    gc_fn: object
    torch_fn: object
    arrays: list
    deviation: str | None  # why gradcraft computes where PyTorch refuses, if it does

    @property
    def id(self) -> str:
        return f"{self.name} / {self.needs} / {self.target}"


def _needs_patterns(inputs):
    """Which inputs require grad: all floating ones, and each non-empty subset of them."""
    floating = [i for i, a in enumerate(inputs) if a.dtype.kind == "f"]
    for chosen in itertools.product([True, False], repeat=len(floating)):
        if any(chosen):
            needs = [False] * len(inputs)
            for i, c in zip(floating, chosen):
                needs[i] = c
            yield "".join("g" if n else "-" for n in needs)


def saved_programs(cases: dict, deviations: dict) -> list[SavedProgram]:
    programs = [SavedProgram(name, needs, target, gc_fn, torch_fn, arrays, deviations.get((name, needs, target)))
                for name, (gc_fn, torch_fn, arrays) in cases.items()
                for needs in _needs_patterns(arrays)
                for target in [f"input {i}" for i in range(len(arrays))] + ["output"]]
    unknown = set(deviations) - {(p.name, p.needs, p.target) for p in programs}
    assert not unknown, f"SAVED_DEVIATIONS names programs that are not in SAVED_CASES: {unknown}"
    return programs


def _change(value, lib) -> None:
    """An in-place change that bumps the version counter (a bool is flipped)."""
    if value.dtype in (torch.bool, np.bool_):
        if lib is torch:
            value.logical_not_()
        else:
            np.logical_not(value, out=value)
    else:
        value += 0.25


def _verdict(lib, fn, arrays, needs, target) -> str:
    if lib is torch:
        inputs = [torch.tensor(a, requires_grad=n == "g") for a, n in zip(arrays, needs)]
        no_grad = torch.no_grad
    else:
        inputs = [gc.tensor(a, requires_grad=n == "g") for a, n in zip(arrays, needs)]
        no_grad = gc.no_grad
    out = fn(*inputs)
    changed = out if target == "output" else inputs[int(target.split()[1])]
    with no_grad():
        _change(changed, lib)
    try:
        if lib is torch:
            out.backward(torch.ones_like(out))
        else:
            out.backward(np.ones(out.shape))
    except RuntimeError as error:
        if "modified by an inplace operation" in str(error) or "in-place operation" in str(error):
            return "refused"
        raise
    return "computed"


def _check_saved_program(program: SavedProgram) -> None:
    expected = _verdict(torch, program.torch_fn, program.arrays, program.needs, program.target)
    if program.deviation is not None:
        assert expected == "refused", f"listed as a deviation, but torch does not refuse: {program.deviation}"
        expected = "computed"
    assert _verdict(gc, program.gc_fn, program.arrays, program.needs, program.target) == expected


@pytest.fixture
def check_saved_program():
    """`check_saved_program(program)`: gradcraft's in-place verdict equals PyTorch's."""
    return _check_saved_program
