"""Shared fixtures for the loss tests: float64 gradient checks and PyTorch comparisons.

(Helpers are fixtures because tests run with --import-mode=importlib and cannot import each
other or this file.)
"""

import numpy as np
import pytest
import torch

import gradcraft as gc


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture
def assert_gradcheck():
    """gc.gradcheck (float64 central differences, random upstream gradient), failing with the
    report's text."""
    def check(fn, *inputs):
        report = gc.gradcheck(fn, *inputs)
        assert report, str(report)
        return report
    return check


@pytest.fixture
def torch_value_and_grads():
    """Value of a torch function of float64 copies of `arrays`, and the gradient of its sum
    with respect to each array."""
    def run(fn, *arrays):
        tensors = [torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=True) for a in arrays]
        out = fn(*tensors)
        out.sum().backward()
        return out.detach().numpy(), [t.grad.numpy() for t in tensors]
    return run
