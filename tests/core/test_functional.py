"""gradcraft.functional: softmax / log_softmax (parity, stability at +-1000), one_hot, dropout."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradcraft as gc
import gradcraft.functional as F


def _softmax_rows(axis, shapes, layouts="C"):
    return [
        (f"softmax(axis={axis})", lambda x: F.softmax(x, axis=axis),
         lambda t: torch.softmax(t, dim=axis), (shape,), "any", layouts)
        for shape in shapes
    ] + [
        (f"log_softmax(axis={axis})", lambda x: F.log_softmax(x, axis=axis),
         lambda t: torch.log_softmax(t, dim=axis), (shape,), "any", layouts)
        for shape in shapes
    ]


CASES = (
    _softmax_rows(-1, [(4,), (3, 5), (2, 3, 4), (3, 1), (0, 4), (3, 0)])
    + _softmax_rows(0, [(4,), (3, 5), (1, 3)])
    + _softmax_rows(1, [(2, 3, 4)])
    + _softmax_rows(-1, [(4, 3)], "T")
    + _softmax_rows(0, [(3, 4)], "S")
    + [("softmax_default_axis", F.softmax, lambda t: torch.softmax(t, dim=-1), ((2, 3),))]
)


def test_parity_with_torch(case, parity):
    parity(case)


def test_gradcheck(case, gradcheck_case):
    gradcheck_case(case)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_and_log_softmax_are_stable_at_plus_minus_1000(dtype):
    logits = np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -999.0], [1000.0, 1000.0, 999.0]],
                      dtype=dtype)
    upstream = np.array([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0], [2.0, 1.0, -1.0]], dtype=dtype)
    for mine, ref in [(F.softmax, torch.softmax), (F.log_softmax, torch.log_softmax)]:
        x, t = gc.tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
        with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is fine
            out = mine(x, axis=-1)
            out.backward(upstream)
        expected = ref(t, dim=-1)
        expected.backward(torch.tensor(upstream))
        assert out.dtype == dtype and np.isfinite(out.data).all() and np.isfinite(x.grad).all()
        tol = 1e-6 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=tol, atol=tol)
        np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=tol, atol=tol)


def test_log_softmax_is_exact_where_softmax_underflows():
    # log_softmax([0, -1000]) = [0, -1000] (hand arithmetic); log(softmax) would give -inf
    out = F.log_softmax(gc.tensor(np.array([0.0, -1000.0])))
    np.testing.assert_allclose(out.data, [0.0, -1000.0])


def test_softmax_rows_sum_to_one():
    x = gc.tensor(np.random.default_rng(0).standard_normal((4, 6)).astype(np.float32))
    np.testing.assert_allclose(F.softmax(x, axis=1).data.sum(axis=1), np.ones(4), rtol=1e-6)
    np.testing.assert_allclose(F.softmax(x, axis=0).data.sum(axis=0), np.ones(6), rtol=1e-6)


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax])
def test_softmax_bad_axis(fn):
    with pytest.raises(ValueError, match=r"axis=2.*2 dimensions"):
        fn(gc.tensor(np.ones((2, 3))), axis=2)
    with pytest.raises(ValueError, match="0-d"):
        fn(gc.tensor(1.0))


# ----------------------------------------------------------------------------- one_hot
def test_one_hot_matches_torch():
    labels = np.array([2, 0, 1, 2])
    out = F.one_hot(labels, 4)
    expected = torch.nn.functional.one_hot(torch.tensor(labels), 4).numpy()
    np.testing.assert_array_equal(out.data, expected)
    assert out.dtype == np.float32 and out.shape == (4, 4)
    assert not out.requires_grad


def test_one_hot_infers_classes_and_accepts_tensors_and_nd_labels():
    assert F.one_hot(gc.tensor([0, 3])).shape == (2, 4)
    labels = np.array([[0, 1], [1, 2]])
    np.testing.assert_array_equal(
        F.one_hot(labels, 3, dtype=np.float64).data,
        torch.nn.functional.one_hot(torch.tensor(labels), 3).numpy())
    assert F.one_hot(np.zeros(0, dtype=np.int64), 3).shape == (0, 3)


def test_one_hot_bad_labels():
    with pytest.raises(ValueError, match=r"\[0, 3\).*5"):
        F.one_hot(np.array([0, 5]), 3)
    with pytest.raises(ValueError, match=r"\[0, 3\).*-1"):
        F.one_hot(np.array([-1, 2]), 3)
    with pytest.raises(ValueError, match="float"):
        F.one_hot(np.array([0.0, 1.0]), 3)


# ----------------------------------------------------------------------------- dropout
def test_dropout_p_is_the_drop_probability_and_survivors_are_scaled():
    x = gc.tensor(np.ones((200, 500)))
    out = F.dropout(x, p=0.2, training=True, rng=0).data
    kept = out != 0
    assert abs(kept.mean() - 0.8) < 0.01         # 100,000 draws: std of the mean is 0.0013
    np.testing.assert_allclose(out[kept], 1 / 0.8)  # inverted dropout: 1 / (1 - p)
    assert abs(out.mean() - 1.0) < 0.015          # expectation preserved


def test_dropout_gradient_uses_the_same_mask_and_scale():
    x = gc.tensor(np.arange(1.0, 13.0).reshape(3, 4), requires_grad=True)
    out = F.dropout(x, p=0.5, training=True, rng=np.random.default_rng(7))
    out.backward(np.ones((3, 4)))
    mask = out.data != 0
    np.testing.assert_array_equal(x.grad, np.where(mask, 2.0, 0.0))
    np.testing.assert_array_equal(out.data, np.where(mask, 2.0 * x.data, 0.0))


def test_dropout_same_seed_same_mask():
    x = gc.tensor(np.ones((8, 8)))
    a = F.dropout(x, 0.5, True, rng=123).data
    b = F.dropout(x, 0.5, True, rng=np.random.default_rng(123)).data
    c = F.dropout(x, 0.5, True, rng=124).data
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_dropout_generator_advances_between_calls():
    rng = np.random.default_rng(0)
    x = gc.tensor(np.ones((8, 8)))
    assert not np.array_equal(F.dropout(x, 0.5, True, rng).data, F.dropout(x, 0.5, True, rng).data)


def test_dropout_in_eval_mode_is_the_identity():
    x = gc.tensor(np.arange(6.0), requires_grad=True)
    out = F.dropout(x, p=0.7, training=False)
    np.testing.assert_array_equal(out.data, x.data)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones(6))


def test_dropout_extremes():
    x = gc.tensor(np.ones(5), requires_grad=True)
    np.testing.assert_array_equal(F.dropout(x, 0.0, True, rng=0).data, np.ones(5))
    out = F.dropout(x, 1.0, True, rng=0)
    np.testing.assert_array_equal(out.data, np.zeros(5))
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(5))


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan")])
def test_dropout_bad_p(p):
    with pytest.raises(ValueError, match="p must be in"):
        F.dropout(gc.tensor(np.ones(3)), p, True, rng=0)


def test_dropout_refuses_an_rng_that_is_not_a_generator_or_seed():
    with pytest.raises(TypeError, match="rng"):
        F.dropout(gc.tensor(np.ones(3)), 0.5, True, rng="seed")


# ----------------------------------------------------------------------------- activations
def test_functional_activations_are_the_array_functions():
    values = np.array([-2.0, -0.5, 0.5, 2.0])
    t = torch.tensor(values)
    np.testing.assert_allclose(F.relu(gc.tensor(values)).data, torch.relu(t).numpy())
    np.testing.assert_allclose(F.leaky_relu(gc.tensor(values), 0.2).data,
                               torch.nn.functional.leaky_relu(t, 0.2).numpy())
    np.testing.assert_allclose(F.sigmoid(gc.tensor(values)).data, torch.sigmoid(t).numpy(), rtol=1e-14)
    np.testing.assert_allclose(F.tanh(gc.tensor(values)).data, torch.tanh(t).numpy(), rtol=1e-14)


@pytest.mark.parametrize("ours, theirs", [(F.softmax, torch.softmax), (F.log_softmax, torch.log_softmax)])
def test_softmax_of_integer_scores_is_computed_in_float64_like_exp(ours, theirs):
    # Worked examples type integer scores; NumPy's rule for exp of integers is float64
    # (torch refuses integer softmax, so the expected values come from the float64 scores).
    scores = [[3, 1, -2], [0, 0, 5]]
    out = ours(gc.tensor(scores), axis=1)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, theirs(torch.tensor(scores, dtype=torch.float64), 1).numpy(),
                               rtol=1e-12)
