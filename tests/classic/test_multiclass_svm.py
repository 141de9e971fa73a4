"""MulticlassSVM (Crammer-Singer by dual coordinate ascent): the objective and predictions of
scikit-learn's LinearSVC(multi_class='crammer_singer'), the duality gap, zero training error
with every margin >= 1 on separable data at large C, the estimator checks, bad input."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_blobs
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from gradcraft.classic import MulticlassSVM, crammer_singer_objective


def primal(coef, intercept, X, y, C):
    """1/2 ||[W, b]||^2 + C sum_i max(0, max_{r != y} s_r + 1 - s_y): liblinear's objective (the
    intercept is the weight of a constant feature 1, so it is penalised)."""
    scores = X @ coef.T + intercept
    rows = np.arange(len(y))
    true = scores[rows, y]
    scores[rows, y] = -np.inf
    hinge = np.maximum(0.0, scores.max(axis=1) + 1 - true)
    return 0.5 * (np.sum(coef ** 2) + np.sum(intercept ** 2)) + C * hinge.sum()


def smallest_margin(model, X, y):
    """min_i s_{y_i} - max_{r != y_i} s_r."""
    scores = model.decision_function(X)
    rows = np.arange(len(y))
    true = scores[rows, y].copy()
    scores[rows, y] = -np.inf
    return (true - scores.max(axis=1)).min()


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_objective_and_predictions_match_linear_svc_on_digits(digits):
    X, y = digits
    C = 0.1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = LinearSVC(multi_class="crammer_singer", C=C, tol=1e-8, max_iter=100_000).fit(X, y)
    model = MulticlassSVM(C=C).fit(X, y)
    ours = primal(model.coef_, model.intercept_, X, y, C)
    theirs = primal(reference.coef_, reference.intercept_, X, y, C)
    # measured: 11.3268 for both, relative difference 1e-5
    assert ours == pytest.approx(theirs, rel=1e-4)
    assert model.objective_history_[-1] == pytest.approx(ours, rel=1e-12)
    assert np.mean(model.predict(X) == reference.predict(X)) >= 0.995
    assert model.score(X, y) == pytest.approx(reference.score(X, y), abs=0.002)
    # the gap P(W(alpha)) + D(alpha) >= 0 bounds the distance to the optimum
    assert 0 <= model.dual_gap_ <= 1e-3 * ours


def test_dual_coefficients_give_the_weights_and_the_gap():
    X, y = make_blobs(n_samples=90, n_features=4, centers=3, cluster_std=2.0, random_state=5)
    C = 0.5
    model = MulticlassSVM(C=C).fit(X, y)
    alpha = model.dual_coef_
    # the dual's constraints: sum_r alpha_i^r = 0, alpha_i^y <= C, alpha_i^r <= 0 elsewhere
    np.testing.assert_allclose(alpha.sum(axis=1), 0.0, atol=1e-12)
    rows = np.arange(len(y))
    assert np.all(alpha[rows, y] <= C + 1e-12)
    off = alpha.copy()
    off[rows, y] = 0
    assert np.all(off <= 0)
    # W = sum_i alpha_i x_i^T on x with the constant 1 appended
    augmented = np.hstack([X, np.ones((len(X), 1))])
    W = alpha.T @ augmented
    np.testing.assert_allclose(model.coef_, W[:, :-1], atol=1e-10)
    np.testing.assert_allclose(model.intercept_, W[:, -1], atol=1e-10)
    dual = 0.5 * np.sum(W ** 2) + off.sum()  # D = 1/2 ||W||^2 + sum_{i, r != y} 1 * alpha_i^r
    assert model.dual_gap_ == pytest.approx(primal(model.coef_, model.intercept_, X, y, C) + dual,
                                            rel=1e-9, abs=1e-9)
    assert model.dual_gap_ >= 0
    assert crammer_singer_objective(W, augmented, y, C) == pytest.approx(
        primal(model.coef_, model.intercept_, X, y, C), rel=1e-12)


def test_separable_blobs_zero_training_error_with_unit_margins():
    X, y = make_blobs(n_samples=200, n_features=8, centers=4, random_state=0)
    X = StandardScaler().fit_transform(X)
    tol = 1e-4
    model = MulticlassSVM(C=1e3, tol=tol).fit(X, y)
    assert model.score(X, y) == 1.0
    assert smallest_margin(model, X, y) >= 1 - tol


def test_digits_are_separable_at_large_C(digits):
    # C = 100: no dual variable reaches C (the largest is about 1.5), so the stopping rule
    # (every KKT violation <= tol) guarantees every margin >= 1 - tol: the hard-margin solution
    X, y = digits
    tol = 1e-3
    model = MulticlassSVM(C=100.0, tol=tol, max_iter=5000).fit(X, y)
    assert model.n_iter_ < 5000
    assert model.score(X, y) == 1.0
    assert smallest_margin(model, X, y) >= 1 - tol
    assert model.dual_coef_.max() < 100.0


def test_binary_problem_follows_linear_svc():
    X, y = make_blobs(n_samples=60, centers=[[-2, 0], [2, 1]], random_state=0)
    labels = np.where(y == 1, "b", "a")
    model = MulticlassSVM(C=1.0, tol=1e-8, max_iter=10_000).fit(X, labels)
    reference = LinearSVC(multi_class="crammer_singer", C=1.0, tol=1e-10, max_iter=100_000).fit(X, labels)
    assert model.coef_.shape == reference.coef_.shape == (1, 2)
    assert model.intercept_.shape == (1,)
    np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-4)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, atol=1e-4)
    decision = model.decision_function(X)
    assert decision.shape == (60,)
    np.testing.assert_array_equal(model.predict(X), np.where(decision > 0, "b", "a"))


def test_without_intercept_and_with_scaling():
    X, y = make_blobs(n_samples=90, n_features=3, centers=3, random_state=1)
    C = 0.3
    for fit_intercept, scaling in [(False, 1.0), (True, 5.0)]:
        model = MulticlassSVM(C=C, fit_intercept=fit_intercept, intercept_scaling=scaling,
                              tol=1e-6, max_iter=5000).fit(X, y)
        reference = LinearSVC(multi_class="crammer_singer", C=C, fit_intercept=fit_intercept,
                              intercept_scaling=scaling, tol=1e-9, max_iter=100_000).fit(X, y)
        np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-3)
        np.testing.assert_allclose(model.intercept_, reference.intercept_, atol=1e-3)
        if not fit_intercept:
            np.testing.assert_array_equal(model.intercept_, 0.0)


def test_deterministic_given_seed_and_warns_when_stopped_early():
    X, y = make_blobs(n_samples=90, centers=3, random_state=2)
    first = MulticlassSVM(seed=1).fit(X, y)
    again = MulticlassSVM(seed=1).fit(X, y)
    np.testing.assert_array_equal(first.coef_, again.coef_)
    with pytest.warns(ConvergenceWarning, match="did not converge in max_iter=2"):
        model = MulticlassSVM(max_iter=2).fit(X, y)
    assert model.n_iter_ == 2 and len(model.objective_history_) == 3


@pytest.mark.parametrize("params, error, words", [
    ({"C": 0.0}, ValueError, "C must be > 0, got 0.0"),
    ({"C": "1"}, TypeError, "C must be a real number"),
    ({"tol": -1e-3}, ValueError, "tol must be > 0"),
    ({"max_iter": 0}, ValueError, "max_iter must be a positive int, got 0"),
    ({"fit_intercept": 1}, TypeError, "fit_intercept must be True or False"),
    ({"intercept_scaling": 0.0}, ValueError, "intercept_scaling must be > 0"),
    ({"seed": -1}, ValueError, "seed must be a non-negative int"),
])
def test_bad_parameters_are_named(params, error, words):
    X, y = make_blobs(n_samples=20, centers=2, random_state=0)
    with pytest.raises(error, match=words):
        MulticlassSVM(**params).fit(X, y)


def test_bad_data():
    X, y = make_blobs(n_samples=20, centers=3, n_features=3, random_state=0)
    with pytest.raises(NotFittedError):
        MulticlassSVM().predict(X)
    model = MulticlassSVM().fit(X, y)
    with pytest.raises(ValueError, match="X has 4 features, but MulticlassSVM is expecting 3"):
        model.decision_function(np.hstack([X, X[:, :1]]))
    with pytest.raises(ValueError, match="at least 2 classes in y, got 1 class"):
        MulticlassSVM().fit(X, np.ones(20))
    with pytest.raises(ValueError, match="Unknown label type"):
        MulticlassSVM().fit(X, np.linspace(0, 1, 20))


@parametrize_with_checks([MulticlassSVM()])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)
