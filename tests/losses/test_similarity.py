"""cosine_similarity, euclidean_distance (PyTorch: cosine_similarity, cdist, vector_norm) and
info_nce (against a torch composition written out here), with float64 gradient checks."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import gradcraft as gc
from gradcraft.losses import cosine_similarity, euclidean_distance, info_nce, value_and_grad


@pytest.mark.parametrize("shape_a, shape_b, axis", [
    ((5, 4), (5, 4), -1), ((3, 1, 4), (6, 4), -1), ((4, 3), (4, 3), 0), ((2, 3, 5), (1, 3, 5), 1),
])
def test_cosine_similarity_matches_torch(rng, shape_a, shape_b, axis, torch_value_and_grads):
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    expected, expected_grads = torch_value_and_grads(
        lambda x, y: F.cosine_similarity(x, y, dim=axis), a, b)
    ta, tb = gc.tensor(a, requires_grad=True), gc.tensor(b, requires_grad=True)
    out = cosine_similarity(ta, tb, axis=axis)
    out.sum().backward()
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ta.grad, expected_grads[0], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(tb.grad, expected_grads[1], rtol=1e-10, atol=1e-13)


def test_cosine_similarity_hand_values():
    # (1, 0) vs (1, 1): 1 / sqrt 2; opposite vectors -1; a zero vector 0 (norm clamped to eps)
    assert cosine_similarity([1.0, 0.0], [1.0, 1.0]).item() == pytest.approx(1 / math.sqrt(2))
    assert cosine_similarity([2.0, -1.0], [-4.0, 2.0]).item() == pytest.approx(-1.0)
    assert cosine_similarity([0.0, 0.0], [3.0, 4.0]).item() == 0.0
    # d cos / da at a = (1, 0), b = (0, 1): b/(|a||b|) - cos a/|a|^2 = (0, 1)
    _, grad = value_and_grad(cosine_similarity, [1.0, 0.0], [0.0, 1.0])
    np.testing.assert_allclose(grad, [0.0, 1.0])


@pytest.mark.parametrize("shape_a, shape_b", [((4, 3), (4, 3)), ((3, 1, 5), (1, 4, 5))])
def test_gradcheck_cosine_and_distance(rng, shape_a, shape_b, assert_gradcheck):
    a = gc.tensor(rng.standard_normal(shape_a), requires_grad=True)
    b = gc.tensor(rng.standard_normal(shape_b), requires_grad=True)
    assert_gradcheck(cosine_similarity, a, b)
    assert_gradcheck(euclidean_distance, a, b)


def test_euclidean_distance_matches_torch_cdist_and_norm(rng, torch_value_and_grads):
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((5, 3))
    expected, expected_grads = torch_value_and_grads(lambda a, b: torch.cdist(a, b), x, y)
    tx, ty = gc.tensor(x, requires_grad=True), gc.tensor(y, requires_grad=True)
    out = euclidean_distance(gc.unsqueeze(tx, 1), ty)  # all pairs (4, 5)
    out.sum().backward()
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    np.testing.assert_allclose(tx.grad, expected_grads[0], rtol=1e-10)
    np.testing.assert_allclose(ty.grad, expected_grads[1], rtol=1e-10)
    z = rng.standard_normal((4, 3))
    expected, _ = torch_value_and_grads(lambda a, b: torch.linalg.vector_norm(a - b, dim=0), x, z)
    np.testing.assert_allclose(euclidean_distance(x, z, axis=0).data, expected, rtol=1e-12)


def test_euclidean_distance_hand_value_and_zero_distance():
    # |(3, 4) - (0, 0)| = 5, gradient (3, 4) / 5; at a = b the gradient is 0, not NaN
    value, grad = value_and_grad(euclidean_distance, [3.0, 4.0], [0.0, 0.0])
    assert value == 5.0
    np.testing.assert_allclose(grad, [0.6, 0.8])
    value, grad = value_and_grad(euclidean_distance, [1.0, 2.0], [1.0, 2.0])
    assert value == 0.0
    np.testing.assert_array_equal(grad, [0.0, 0.0])


def test_exam_unit_vectors_distance_from_cosine(rng):
    # Exam 3.2: for unit vectors D_E = sqrt(2 - 2 D_C)
    x = rng.standard_normal((10, 6))
    y = rng.standard_normal((10, 6))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y /= np.linalg.norm(y, axis=1, keepdims=True)
    np.testing.assert_allclose(euclidean_distance(x, y).data,
                               np.sqrt(2 - 2 * cosine_similarity(x, y).data), rtol=1e-10)


def test_float32_stays_float32(rng):
    a = rng.standard_normal((3, 4)).astype(np.float32)
    assert cosine_similarity(a, a).dtype == np.float32
    assert euclidean_distance(a, a).dtype == np.float32


# ------------------------------------------------------------------ InfoNCE
def _torch_info_nce(anchor, positive, negatives, temperature):
    """The definition, composed from torch ops."""
    pos = F.cosine_similarity(anchor, positive, dim=-1)[:, None]                 # (N, 1)
    neg = F.cosine_similarity(anchor[:, None, :], negatives, dim=-1)            # (N, M)
    logits = torch.cat([pos, neg], dim=1) / temperature
    return F.cross_entropy(logits, torch.zeros(len(anchor), dtype=torch.long))


@pytest.mark.parametrize("negatives_shape", [(5, 4, 3), (6, 3)])
def test_info_nce_matches_torch_composition(rng, negatives_shape):
    anchor, positive = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    negatives = rng.standard_normal(negatives_shape)
    torch_inputs = [torch.tensor(x, requires_grad=True) for x in (anchor, positive, negatives)]
    expected = _torch_info_nce(*torch_inputs, temperature=0.2)
    expected.backward()
    ours = [gc.tensor(x, requires_grad=True) for x in (anchor, positive, negatives)]
    out = info_nce(*ours, temperature=0.2)
    out.backward()
    assert out.item() == pytest.approx(expected.item(), rel=1e-12)
    for mine, theirs in zip(ours, torch_inputs):
        np.testing.assert_allclose(mine.grad, theirs.grad.numpy(), rtol=1e-10, atol=1e-13)


def test_info_nce_hand_example():
    # anchor (1, 0), positive (1, 0): cos 1; negatives (0, 1) and (-1, 0): cos 0 and -1.
    # t = 0.5: L = -log(e^2 / (e^2 + e^0 + e^-2))
    out = info_nce(np.array([[1.0, 0.0]]), np.array([[2.0, 0.0]]),
                   np.array([[0.0, 1.0], [-3.0, 0.0]]), temperature=0.5)
    assert out.item() == pytest.approx(math.log(math.exp(2) + 1 + math.exp(-2)) - 2, rel=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_gradcheck_info_nce(rng, reduction, assert_gradcheck):
    inputs = [gc.tensor(rng.standard_normal(s), requires_grad=True) for s in ((3, 4), (3, 4), (3, 2, 4))]
    assert_gradcheck(lambda a, p, n: info_nce(a, p, n, temperature=0.3, reduction=reduction), *inputs)


def test_info_nce_low_temperature_is_finite(rng):
    anchor = gc.tensor(rng.standard_normal((4, 8)).astype(np.float32), requires_grad=True)
    out = info_nce(anchor, -anchor.detach(), rng.standard_normal((4, 3, 8)).astype(np.float32),
                   temperature=1e-3)   # logits of size ~1e3
    out.backward()
    assert out.dtype == np.float32 and anchor.grad.dtype == np.float32
    assert out.item() > 100 and np.isfinite(out.item()) and np.all(np.isfinite(anchor.grad))


@pytest.mark.parametrize("kwargs, message", [
    ({"negatives": np.zeros((4, 2, 3))}, r"negatives must have shape \(N, M, D\) = \(5, M, 3\) or \(M, 3\), got \(4, 2, 3\)"),
    ({"positive": np.zeros((5, 4))}, r"positive must have the anchor's shape \(N, D\) = \(5, 3\), got \(5, 4\)"),
    ({"temperature": 0.0}, "temperature must be > 0, got 0.0"),
])
def test_info_nce_validation(kwargs, message):
    arguments = {"anchor": np.ones((5, 3)), "positive": np.ones((5, 3)),
                 "negatives": np.ones((7, 3)), "temperature": 0.1} | kwargs
    with pytest.raises(ValueError, match=message):
        info_nce(**arguments)


def test_similarity_validation():
    with pytest.raises(ValueError, match=r"broadcast against each other, got shapes \(3, 4\) and \(2, 4\)"):
        cosine_similarity(np.ones((3, 4)), np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"same length along axis 1, got shapes \(3, 4\) and \(3, 1\)"):
        euclidean_distance(np.ones((3, 4)), np.ones((3, 1)))
    with pytest.raises(ValueError, match="axis=2 is out of range"):
        cosine_similarity(np.ones((3, 4)), np.ones((3, 4)), axis=2)
