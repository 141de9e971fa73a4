"""Random DAGs (values reused by several consumers, at several depths, with broadcasting and
leaves that do not require grad) differentiated by gradcraft and by PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradcraft as gc

SHAPES = [(3, 4), (4,), (3, 1), ()]


def _build(rng: np.random.Generator, n_leaves: int, n_ops: int):
    """A random program: leaves, then ops reading any earlier value (so values fan out)."""
    leaves = [(rng.uniform(0.5, 1.5, SHAPES[rng.integers(len(SHAPES))]), bool(rng.random() < 0.8))
              for _ in range(n_leaves)]
    leaves[0] = (leaves[0][0], True)
    program = []
    for k in range(n_ops):
        available = n_leaves + k
        op = ["add", "sub", "mul", "div", "tanh", "exp_neg", "sum0", "retain"][rng.integers(8)]
        program.append((op, int(rng.integers(available)), int(rng.integers(available))))
    return leaves, program


def _run(lib, leaves, program, retain_at):
    values = [lib["tensor"](v, rg) for v, rg in leaves]
    inputs = list(values)
    for k, (op, i, j) in enumerate(program):
        a, b = values[i], values[j]
        if op == "add":
            out = a + b
        elif op == "sub":
            out = a - b
        elif op == "mul":
            out = a * b
        elif op == "div":
            out = a / (lib["tanh"](b) * lib["tanh"](b) + 1.0)   # denominator in [1, 2)
        elif op == "tanh":
            out = lib["tanh"](a)
        elif op == "exp_neg":
            out = lib["exp"](-lib["tanh"](a))
        elif op == "sum0":
            out = lib["sum0"](a)
        else:
            out = a * 1.0
        if k == retain_at and out.requires_grad:
            out.retain_grad()
        values.append(out)
    total = values[-1]
    for v in values[len(leaves):-1:3]:           # the output uses several intermediate values
        total = total + lib["sum_all"](v) * 0.5
    return inputs, values, lib["sum_all"](total)


GC = {"tensor": lambda v, rg: gc.tensor(v, requires_grad=rg), "tanh": gc.tanh, "exp": gc.exp,
      "sum0": lambda a: a.sum(axis=0, keepdims=True) if a.ndim else a, "sum_all": lambda a: a.sum()}
TORCH = {"tensor": lambda v, rg: torch.tensor(v, requires_grad=rg), "tanh": torch.tanh,
         "exp": torch.exp, "sum0": lambda a: a.sum(dim=0, keepdim=True) if a.ndim else a,
         "sum_all": lambda a: a.sum()}


@pytest.mark.parametrize("seed", range(40))
def test_random_graph_matches_torch(seed):
    rng = np.random.default_rng(seed)
    leaves, program = _build(rng, n_leaves=4, n_ops=int(rng.integers(5, 40)))
    retain_at = int(rng.integers(len(program)))
    gc_inputs, gc_values, gc_loss = _run(GC, leaves, program, retain_at)
    t_inputs, t_values, t_loss = _run(TORCH, leaves, program, retain_at)
    if not t_loss.requires_grad:
        assert not gc_loss.requires_grad
        return
    np.testing.assert_allclose(gc_loss.item(), t_loss.item(), rtol=1e-10)
    gc_loss.backward()
    t_loss.backward()
    for mine, ref in zip(gc_inputs, t_inputs):
        if ref.grad is None:
            assert mine.grad is None
        else:
            assert mine.grad.shape == mine.shape
            np.testing.assert_allclose(mine.grad, ref.grad.numpy(), rtol=1e-9, atol=1e-12)
    mine, ref = gc_values[len(leaves) + retain_at], t_values[len(leaves) + retain_at]
    if ref.requires_grad and ref.grad is not None:
        np.testing.assert_allclose(mine.grad, ref.grad.numpy(), rtol=1e-9, atol=1e-12)
