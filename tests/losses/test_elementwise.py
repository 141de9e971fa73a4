"""binary_cross_entropy, binary_cross_entropy_with_logits, mse: PyTorch parity for value and
both gradients, clamping at the edges, extreme logits, validation, float64 gradient checks."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import gradcraft as gc
from gradcraft.losses import binary_cross_entropy, binary_cross_entropy_with_logits, mse

PAIRS = [
    (binary_cross_entropy, F.binary_cross_entropy),
    (binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits),
    (mse, F.mse_loss),
]


def _inputs(rng, loss, shape):
    if loss is binary_cross_entropy:
        return rng.uniform(0.05, 0.95, shape), rng.uniform(0, 1, shape)
    return rng.standard_normal(shape) * 2, rng.uniform(0, 1, shape)


@pytest.mark.parametrize("loss, torch_loss", PAIRS, ids=lambda f: getattr(f, "__name__", ""))
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(8,), (3, 4, 2)])
def test_matches_torch_value_and_both_gradients(rng, loss, torch_loss, reduction, shape,
                                                torch_value_and_grads):
    x, t = _inputs(rng, loss, shape)
    expected, expected_grads = torch_value_and_grads(
        lambda a, b: torch_loss(a, b, reduction=reduction), x, t)
    xs, ts = gc.tensor(x, requires_grad=True), gc.tensor(t, requires_grad=True)
    out = loss(xs, ts, reduction=reduction)
    out.sum().backward()
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    np.testing.assert_allclose(xs.grad, expected_grads[0], rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(ts.grad, expected_grads[1], rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("loss", [p[0] for p in PAIRS], ids=lambda f: f.__name__)
@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_gradcheck_float64(rng, loss, reduction, assert_gradcheck):
    x, t = _inputs(rng, loss, (4, 3))
    assert_gradcheck(lambda a, b: loss(a, b, reduction=reduction),
                     gc.tensor(x, requires_grad=True), gc.tensor(t, requires_grad=True))


def test_bce_hand_example():
    # p = 0.8, t = 1: -log 0.8; p = 0.25, t = 0: -log 0.75; mean of the two
    expected = (-math.log(0.8) - math.log(0.75)) / 2
    assert binary_cross_entropy(np.array([0.8, 0.25]), np.array([1.0, 0.0])).item() == pytest.approx(expected)


def test_bce_clamps_log_at_minus_100_like_torch():
    # p = 0 with t = 1 and p = 1 with t = 0 are certain mistakes: log clamped to -100 -> 100.
    p, t = np.array([0.0, 1.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0, 1.0])
    out = binary_cross_entropy(p, t, reduction="none")
    np.testing.assert_array_equal(out.data, [100.0, 100.0, 0.0, 0.0])
    np.testing.assert_array_equal(
        out.data, F.binary_cross_entropy(torch.tensor(p), torch.tensor(t), reduction="none").numpy())
    s = gc.tensor(p, requires_grad=True)
    binary_cross_entropy(s, t, reduction="sum").backward()
    # torch's rule: (p - t) / max(p (1 - p), 1e-12)
    np.testing.assert_allclose(s.grad, [-1e12, 1e12, 0.0, 0.0])


def test_bce_with_logits_extreme_logits():
    # x = 1e3, t = 0: max(x, 0) - 0 + log(1 + e^-1e3) = 1e3; x = -1e3, t = 1: 0 + 1e3 + 0 = 1e3;
    # correct confident predictions cost 0. Gradient sigmoid(x) - t: +1, -1, 0, 0.
    x = gc.tensor(np.array([1e3, -1e3, 1e3, -1e3], dtype=np.float32), requires_grad=True)
    t = np.array([0.0, 1.0, 1.0, 0.0], dtype=np.float32)
    out = binary_cross_entropy_with_logits(x, t, reduction="none")
    np.testing.assert_array_equal(out.data, [1000.0, 1000.0, 0.0, 0.0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, -1.0, 0.0, 0.0])
    assert out.dtype == np.float32 and x.grad.dtype == np.float32


def test_mse_hand_example():
    # ((1 - 0)^2 + (2 - 4)^2) / 2 = 2.5; gradient 2 (x - t) / 2 = [1, -2]
    x = gc.tensor(np.array([1.0, 2.0]), requires_grad=True)
    out = mse(x, np.array([0.0, 4.0]))
    out.backward()
    assert out.item() == 2.5
    np.testing.assert_array_equal(x.grad, [1.0, -2.0])


def test_target_shape_must_match_exactly():
    with pytest.raises(ValueError, match=r"target must have the shape of the input \(4, 1\), got \(4,\)"):
        mse(np.zeros((4, 1)), np.zeros(4))


def test_bce_refuses_values_outside_zero_one():
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*-0.5 to 2.*with_logits"):
        binary_cross_entropy(np.array([-0.5, 2.0]), np.array([0.0, 1.0]))


def test_target_cast_to_input_dtype():
    out = mse(np.zeros(3, dtype=np.float32), np.ones(3, dtype=np.float64))
    assert out.dtype == np.float32
