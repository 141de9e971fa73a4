"""soft_threshold, ista/fista and the ISTA/FISTA regressors against arithmetic, PyTorch's
softshrink, scikit-learn's Lasso (alpha = lam / n) and the convergence theorems."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import Lasso
from sklearn.utils.estimator_checks import parametrize_with_checks

from gradcraft.classic import FISTA, ISTA, fista, ista, soft_threshold
from gradcraft.classic.proximal import ProximalResult


def lasso_objective(A, b, lam, x):
    return 0.5 * np.sum((A @ x - b) ** 2) + lam * np.abs(x).sum()


def sklearn_lasso(A, b, lam, fit_intercept=False):
    """scikit-learn's minimiser of 1/2 |Ax + c - b|^2 + lam |x|_1 (its alpha is lam / n)."""
    model = Lasso(alpha=lam / A.shape[0], fit_intercept=fit_intercept, tol=1e-14, max_iter=10**6)
    return model.fit(A, b)


def problem(seed, n, p, fraction=0.1):
    """A Gaussian A, b from a sparse x plus noise, lam a fraction of lam_max = |A^T b|_inf."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, p))
    x = np.zeros(p)
    x[rng.choice(p, max(1, p // 10), replace=False)] = 3 * rng.standard_normal(max(1, p // 10))
    b = A @ x + 0.5 * rng.standard_normal(n) + 2.0
    return A, b, fraction * np.abs(A.T @ b).max()


def ill_conditioned_problem():
    """Correlated columns of decaying scale: ISTA crawls here."""
    rng = np.random.default_rng(1)
    A = rng.standard_normal((100, 40)) @ np.diag(np.logspace(0, -1.5, 40))
    A += 0.9 * rng.standard_normal((100, 1))
    b = rng.standard_normal(100)
    return A, b, 0.1 * np.abs(A.T @ b).max()


# --- soft_threshold --------------------------------------------------------------------------

def test_soft_threshold_by_hand():
    # x > t: x - t; x < -t: x + t; |x| <= t: 0
    out = soft_threshold([3.0, -0.5, -2.0, 0.2, 1.0, -1.0, 0.0], 1.0)
    np.testing.assert_array_equal(out, [2.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0])
    assert not np.signbit(out[[1, 3, 4, 5, 6]]).any()  # +0.0, never -0.0
    assert isinstance(out, np.ndarray) and out.dtype == np.float64


def test_soft_threshold_matches_torch_softshrink():
    x = np.random.default_rng(0).standard_normal((4, 5)) * 2
    for t in (0.0, 0.3, 1.5):
        expected = torch.nn.functional.softshrink(torch.tensor(x), t).numpy()
        np.testing.assert_array_equal(soft_threshold(x, t), expected)


def test_soft_threshold_with_a_threshold_per_component_and_dtypes():
    x = np.array([[3.0, -3.0, 0.5], [1.0, -1.0, -4.0]], dtype=np.float32)
    out = soft_threshold(x, np.array([1.0, 2.0, 0.0]))  # broadcast over the rows
    np.testing.assert_array_equal(out, [[2.0, -1.0, 0.5], [0.0, 0.0, -4.0]])
    assert soft_threshold(x, 1.0).dtype == np.float32
    np.testing.assert_array_equal(soft_threshold([5, -5], 2), [3.0, -3.0])  # ints give float64


@pytest.mark.parametrize("t, error, words", [
    (-0.1, ValueError, ["t must be >= 0", "-0.1"]),
    ("1", TypeError, ["t must be a real number", "'1'"]),
    (np.array([1.0, -2.0]), ValueError, ["t must be >= 0", "-2.0"]),
    (np.array([1.0, np.nan]), ValueError, ["t must be >= 0", "nan"]),
    (np.array([1.0, 2.0, 3.0]), ValueError, ["(3,)", "(2,)", "broadcast"]),
    (np.ones((2, 1)), ValueError, ["t of shape (2, 1) does not broadcast to the shape of x, (2,)"]),
])
def test_soft_threshold_refuses_bad_thresholds(t, error, words):
    with pytest.raises(error) as caught:
        soft_threshold([1.0, 2.0], t)
    assert all(word in str(caught.value) for word in words), caught.value


def test_soft_threshold_refuses_non_real_x():
    with pytest.raises(TypeError, match="x must be an array of real numbers, got dtype complex"):
        soft_threshold(np.array([1j]), 1.0)


# --- the functions ---------------------------------------------------------------------------

@pytest.mark.parametrize("solver", [ista, fista])
@pytest.mark.parametrize("seed, n, p", [(0, 80, 30), (1, 40, 60)])
def test_functions_agree_with_sklearn_lasso(solver, seed, n, p):
    A, b, lam = problem(seed, n, p, fraction=0.1)
    expected = sklearn_lasso(A, b, lam).coef_
    result = solver(A, b, lam, tol=1e-15, max_iter=20000)
    assert isinstance(result, ProximalResult) and result.converged
    np.testing.assert_allclose(result.x, expected, atol=1e-6)
    assert result.objective[-1] == pytest.approx(lasso_objective(A, b, lam, expected), rel=1e-10)
    assert result.objective.shape == (result.n_iter + 1,)
    assert result.objective[0] == pytest.approx(0.5 * b @ b)  # F(x0 = 0)


def test_ista_objective_is_monotone_and_fista_needs_far_fewer_iterations():
    A, b, lam = ill_conditioned_problem()
    best = lasso_objective(A, b, lam, sklearn_lasso(A, b, lam).coef_)
    slow = ista(A, b, lam, tol=0.0, max_iter=4000)
    fast = fista(A, b, lam, tol=0.0, max_iter=4000)
    for history in (slow.objective, ista(A, b, lam, step="backtracking", max_iter=500).objective):
        assert np.all(np.diff(history) <= 1e-13 * history[1:])  # non-increasing (to rounding)

    def first_within(history, gap):
        reached = np.flatnonzero(history - best <= gap * best)
        return reached[0] if reached.size else np.inf

    ista_iterations, fista_iterations = first_within(slow.objective, 1e-3), first_within(fast.objective, 1e-3)
    # measured: ISTA ~2500 iterations, FISTA ~170 to a gap of 1e-3 (relative)
    assert fista_iterations * 5 <= ista_iterations < np.inf
    assert first_within(fast.objective, 1e-9) < 4000 and fast.restarts > 0


def test_sublinear_rates_one_over_k_for_ista_and_k_squared_for_fista():
    # n < p: not strongly convex, so the rates of the theorems show: with step 1/L and x0 = 0,
    #   ISTA:  F(x_k) - F* <= L |x*|^2 / (2k)        FISTA: F(x_k) - F* <= 2 L |x*|^2 / (k+1)^2
    rng = np.random.default_rng(1)
    A, b = rng.standard_normal((40, 120)), rng.standard_normal(40)
    lam = 0.05 * np.abs(A.T @ b).max()
    x_star = sklearn_lasso(A, b, lam).coef_
    best = lasso_objective(A, b, lam, x_star)
    L = np.linalg.norm(A, 2) ** 2
    k = np.arange(1, 1001)
    ista_gap = ista(A, b, lam, step=1 / L, tol=0.0, max_iter=1000).objective[1:] - best
    fista_gap = fista(A, b, lam, step=1 / L, tol=0.0, max_iter=1000, restart=False).objective[1:] - best
    radius = x_star @ x_star
    assert np.all(ista_gap <= L * radius / (2 * k))
    assert np.all(fista_gap <= 2 * L * radius / (k + 1) ** 2)
    # loosely: k * gap stays level for ISTA over k = 30..300 (no faster than 1/k), while FISTA's
    # gap at k = 300 is a hundred times smaller than ISTA's
    assert ista_gap[299] * 300 >= 0.5 * ista_gap[29] * 30
    assert fista_gap[299] * 100 <= ista_gap[299]


def test_restart_speeds_fista_up_on_a_strongly_convex_problem():
    A, b, lam = problem(3, 200, 50, fraction=0.05)
    plain = fista(A, b, lam, tol=1e-12, restart=False)
    restarted = fista(A, b, lam, tol=1e-12)
    assert restarted.restarts > 0 and plain.restarts == 0
    assert restarted.n_iter < plain.n_iter


def test_step_choices_reach_the_same_minimiser():
    A, b, lam = problem(4, 60, 20)
    expected = sklearn_lasso(A, b, lam).coef_
    L = np.linalg.norm(A, 2) ** 2
    for solver in (ista, fista):
        default = solver(A, b, lam, tol=1e-15, max_iter=20000)
        assert default.step == pytest.approx(1 / L, rel=1e-4)  # L from below, within 1e-4
        assert default.step >= 1 / L
        backtracked = solver(A, b, lam, step="backtracking", tol=1e-15, max_iter=20000)
        assert 1 / (2 * L) <= backtracked.step  # L doubles from a lower bound: never above 2 L
        fixed = solver(A, b, lam, step=0.5 / L, tol=1e-15, max_iter=20000)
        for result in (default, backtracked, fixed):
            np.testing.assert_allclose(result.x, expected, atol=1e-6)


def test_lam_above_lam_max_gives_zero_at_once():
    A, b, _ = problem(5, 30, 10)
    lam_max = np.abs(A.T @ b).max()  # x = 0 is optimal iff lam >= |A^T b|_inf
    for solver in (ista, fista):
        result = solver(A, b, 1.01 * lam_max)
        np.testing.assert_array_equal(result.x, np.zeros(10))
        assert result.converged and result.n_iter == 1


def test_x0_and_zero_matrix():
    A, b, lam = problem(6, 30, 10)
    expected = sklearn_lasso(A, b, lam).coef_
    started = fista(A, b, lam, x0=expected, tol=1e-15)
    np.testing.assert_allclose(started.x, expected, atol=1e-8)
    assert started.n_iter < 20
    zero = ista(np.zeros((5, 3)), np.ones(5), 0.5)  # f is constant: x = 0
    np.testing.assert_array_equal(zero.x, np.zeros(3))


@pytest.mark.parametrize("call, error, words", [
    (lambda A, b: ista(A, b, -1.0), ValueError, ["lam must be >= 0", "-1.0"]),
    (lambda A, b: fista(A, b, "1"), TypeError, ["lam must be a real number", "'1'"]),
    (lambda A, b: ista(A, b, 1.0, step=0.0), ValueError, ["step must be > 0", "0.0"]),
    (lambda A, b: fista(A, b, 1.0, step=-1e-3), ValueError, ["step must be > 0", "-0.001"]),
    (lambda A, b: fista(A, b, 1.0, step="armijo"), ValueError, ["step must be", "'armijo'"]),
    (lambda A, b: fista(A, b, 1.0, step=True), TypeError, ["step must be", "True (bool)"]),
    (lambda A, b: ista(A, b[:4], 1.0), ValueError, ["b must have shape (5,)", "(5, 3)", "(4,)"]),
    (lambda A, b: ista(A, b[:, None], 1.0), ValueError, ["b must have shape (5,)", "(5, 1)"]),
    (lambda A, b: ista(A[0], b, 1.0), ValueError, ["A must be a 2-D array", "(3,)"]),
    (lambda A, b: fista(A, b, 1.0, x0=np.zeros(4)), ValueError, ["x0 must have shape (3,)", "(4,)"]),
    (lambda A, b: ista(A, b, 1.0, max_iter=0), ValueError, ["max_iter must be a positive int", "0"]),
    (lambda A, b: ista(A, b, 1.0, max_iter=2.0), TypeError, ["max_iter must be an int", "2.0"]),
    (lambda A, b: ista(A, b, 1.0, tol=-1.0), ValueError, ["tol must be >= 0", "-1.0"]),
    (lambda A, b: fista(A, b, 1.0, restart=1), TypeError, ["restart must be True or False", "1 (int)"]),
    (lambda A, b: ista(A.astype(complex), b, 1.0), TypeError, ["A must be an array of real numbers"]),
    (lambda A, b: ista(np.where(A > 0, np.nan, A), b, 1.0), ValueError, ["A contains NaN"]),
    (lambda A, b: ista(A, b, 1.0, step=1e3, max_iter=2000), ValueError, ["step=1000", "too large"]),
])
def test_bad_input_is_named(call, error, words):
    A = np.random.default_rng(0).standard_normal((5, 3))
    b = np.ones(5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the diverging case overflows first
        with pytest.raises(error) as caught:
            call(A, b)
    assert all(word in str(caught.value) for word in words), caught.value


# --- the regressors --------------------------------------------------------------------------

@parametrize_with_checks([ISTA(), FISTA()])
def test_sklearn_estimator_checks(estimator, check):
    # scikit-learn itself skips two checks here: check_array_api_input (SCIPY_ARRAY_API unset)
    # and check_regressor_data_not_an_array (pandas is not installed). None is skipped by us.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # ISTA on the checks' ill-posed data
        check(estimator)


@pytest.mark.parametrize("Model", [ISTA, FISTA])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("seed, n, p", [(7, 100, 25), (8, 50, 70)])
def test_regressors_agree_with_sklearn_lasso(Model, fit_intercept, seed, n, p):
    X, y, lam = problem(seed, n, p, fraction=0.1)
    expected = sklearn_lasso(X, y, lam, fit_intercept=fit_intercept)
    model = Model(lam=lam, tol=1e-15, max_iter=50000, fit_intercept=fit_intercept).fit(X, y)
    np.testing.assert_allclose(model.coef_, expected.coef_, atol=1e-6)
    assert model.intercept_ == pytest.approx(expected.intercept_, abs=1e-6)
    np.testing.assert_allclose(model.predict(X[:5]), expected.predict(X[:5]), atol=1e-5)
    assert model.score(X, y) == pytest.approx(expected.score(X, y), abs=1e-8)
    assert model.objective_history_.shape == (model.n_iter_ + 1,)
    assert model.step_ > 0


def test_regressor_warns_when_max_iter_is_reached_and_checks_arguments_at_fit():
    X, y, lam = ill_conditioned_problem()
    with pytest.warns(ConvergenceWarning, match="ISTA did not converge in max_iter=5"):
        ISTA(lam=lam, max_iter=5).fit(X, y)
    with pytest.raises(ValueError, match="lam must be >= 0, got -1.0"):
        FISTA(lam=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="max_iter must be a positive int, got 0"):
        ISTA(max_iter=0).fit(X, y)
    with pytest.raises(TypeError, match="fit_intercept must be True or False"):
        ISTA(fit_intercept="yes").fit(X, y)


def test_regressor_refuses_predict_before_fit_and_other_feature_counts():
    X, y, lam = problem(9, 30, 6)
    with pytest.raises(NotFittedError):
        FISTA().predict(X)
    model = FISTA(lam=lam).fit(X, y)
    with pytest.raises(ValueError, match="6 features"):
        model.predict(X[:, :4])
