"""Shared helpers: run a gradcraft and a torch optimizer on identical gradient sequences."""

import warnings

import numpy as np
import pytest
import torch

from gradcraft import nn

SHAPES = [(4, 3), (3,), (2, 2, 2)]


def gradient_sequence(steps: int, seed: int = 0, dtype=np.float64):
    """steps lists of gradients (one per parameter); every 7th step the second one is None."""
    rng = np.random.default_rng(seed)
    sequence = []
    for step in range(steps):
        grads = [rng.normal(size=shape).astype(dtype) for shape in SHAPES]
        if step % 7 == 3:
            grads[1] = None  # a parameter without gradient this step is skipped by both libraries
        sequence.append(grads)
    return sequence


def initial_values(seed: int = 1, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape).astype(dtype) for shape in SHAPES]


def make_params(dtype=np.float64):
    ours = [nn.Parameter(v) for v in initial_values(dtype=dtype)]
    theirs = [torch.nn.Parameter(torch.from_numpy(v.copy())) for v in initial_values(dtype=dtype)]
    return ours, theirs


def run_steps(params, optimizer, grads_sequence, torch_side=False):
    for grads in grads_sequence:
        for p, g in zip(params, grads):
            if torch_side:
                p.grad = None if g is None else torch.from_numpy(g.copy())
            else:
                p.grad = None if g is None else g.copy()
        optimizer.step()


@pytest.fixture(autouse=True)
def _quiet_torch_scheduler_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


@pytest.fixture
def h():
    """The helpers above (pytest's importlib mode forbids importing conftest from a test file)."""
    import types

    return types.SimpleNamespace(gradient_sequence=gradient_sequence, make_params=make_params,
                                 run_steps=run_steps, initial_values=initial_values)
