"""Gradient clipping against torch.nn.utils.clip_grad_norm_ / clip_grad_value_."""

import math

import numpy as np
import pytest
import torch

from gradcraft import nn, optim


def _pair(dtype=np.float64, scale=1.0):
    rng = np.random.default_rng(0)
    values = [rng.normal(size=s).astype(dtype) * scale for s in [(5, 4), (4,), (3, 2, 2)]]
    ours = [nn.Parameter(np.zeros(v.shape, dtype)) for v in values]
    theirs = [torch.nn.Parameter(torch.zeros(v.shape, dtype=torch.from_numpy(v).dtype)) for v in values]
    for p, t, v in zip(ours, theirs, values):
        p.grad, t.grad = v.copy(), torch.from_numpy(v.copy())
    return ours, theirs


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 1e-6)])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
def test_clip_grad_norm_matches_torch(dtype, tol, max_norm, norm_type):
    ours, theirs = _pair(dtype)
    total = optim.clip_grad_norm_(ours, max_norm, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert isinstance(total, float)
    assert total == pytest.approx(expected.item(), rel=tol)
    for p, t in zip(ours, theirs):
        assert p.grad.dtype == dtype
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=tol, atol=tol)
    clipped = np.linalg.norm(np.concatenate([p.grad.ravel() for p in ours]), ord=norm_type)
    assert clipped <= max_norm * (1 + 1e-6)


def test_clip_grad_norm_by_hand_skips_missing_grads_and_takes_one_tensor():
    a, b, c = nn.Parameter(np.zeros(2)), nn.Parameter(np.zeros(1)), nn.Parameter(np.zeros(3))
    a.grad, b.grad = np.array([3.0, 0.0]), np.array([4.0])
    assert optim.clip_grad_norm_([a, b, c], max_norm=1.0) == 5.0
    np.testing.assert_allclose(a.grad, [3 / (5 + 1e-6), 0.0])
    np.testing.assert_allclose(b.grad, [4 / (5 + 1e-6)])
    assert c.grad is None
    single = nn.Parameter(np.zeros(2))
    single.grad = np.array([0.3, 0.4])
    assert optim.clip_grad_norm_(single, max_norm=10.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(single.grad, [0.3, 0.4])  # under the limit: untouched
    assert optim.clip_grad_norm_([c], 1.0) == 0.0


def test_clip_grad_norm_nonfinite_and_bad_arguments():
    p = nn.Parameter(np.zeros(2))
    p.grad = np.array([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="total norm of order 2.0 of the gradients is inf"):
        optim.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    with pytest.raises(ValueError, match="max_norm must be >= 0, got -1.0"):
        optim.clip_grad_norm_([p], -1.0)
    with pytest.raises(ValueError, match="norm_type must be > 0"):
        optim.clip_grad_norm_([p], 1.0, norm_type=0)
    with pytest.raises(TypeError, match="got ndarray"):
        optim.clip_grad_norm_([np.zeros(2)], 1.0)


@pytest.mark.parametrize("clip_value", [0.1, 0.7, 10.0])
def test_clip_grad_value_matches_torch(clip_value):
    ours, theirs = _pair(np.float32)
    assert optim.clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    for p, t in zip(ours, theirs):
        assert p.grad.dtype == np.float32
        np.testing.assert_array_equal(p.grad, t.grad.numpy())
    with pytest.raises(ValueError, match="clip_value must be >= 0"):
        optim.clip_grad_value_(ours, -1)
