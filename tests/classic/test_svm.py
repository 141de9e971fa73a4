"""SoftSVM (squared-slack SVM by SMO on the dual) against solves written here and scikit-learn.

Reference values come from: the primal solved in this file (scipy's L-BFGS, polished by exact
generalised-Newton steps), the dual solved here by scipy's SLSQP, scikit-learn's LinearSVC (the
same loss with a penalised intercept) and SVC (the hinge SVM), and arithmetic written in the test.
"""

import numpy as np
import pytest
from scipy.optimize import minimize
from sklearn.datasets import load_digits, make_blobs, make_classification, make_moons
from sklearn.exceptions import NotFittedError
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.svm import SVC, LinearSVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from gradcraft.classic import SoftSVM


def overlapping(n=80, d=5, seed=0):
    """Two overlapping Gaussian classes, labels -1/+1 (many margin violators)."""
    X, y = make_classification(n_samples=n, n_features=d, n_informative=min(3, d), n_redundant=0,
                               flip_y=0.1, class_sep=0.8, random_state=seed)
    return X, np.where(y == 1, 1.0, -1.0)


def primal_objective(w, b, X, y, C):
    slack = np.maximum(0.0, 1.0 - y * (X @ w + b))
    return 0.5 * w @ w + 0.5 * C * slack @ slack


def solve_primal(X, y, C):
    """min 1/2||w||^2 + C/2 sum max(0, 1 - y(w.x + b))^2, smooth in (w, b): L-BFGS, then exact
    Newton steps on the generalised Hessian I' + C Xa_S^T Xa_S (S: the samples with a positive
    slack, Xa = [X, 1], I' without the b entry) — finite once S is right (Keerthi-DeCoste)."""
    n, d = X.shape
    Xa = np.hstack([X, np.ones((n, 1))])
    ridge = np.eye(d + 1)
    ridge[d, d] = 0.0

    def value_grad(theta):
        slack = np.maximum(0.0, 1.0 - y * (Xa @ theta))
        value = 0.5 * theta[:d] @ theta[:d] + 0.5 * C * slack @ slack
        return value, ridge @ theta - C * Xa.T @ (y * slack)

    theta = minimize(value_grad, np.zeros(d + 1), jac=True, method="L-BFGS-B",
                     options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": 10_000}).x
    for _ in range(50):
        value, grad = value_grad(theta)
        active = (1.0 - y * (Xa @ theta)) > 0
        hessian = ridge + C * Xa[active].T @ Xa[active]
        step = np.linalg.solve(hessian, grad)
        t = 1.0
        while value_grad(theta - t * step)[0] > value - 1e-4 * t * grad @ step and t > 1e-10:
            t /= 2
        theta = theta - t * step
        if np.linalg.norm(grad) < 1e-13:
            break
    return theta[:d], theta[d]


# --------------------------------------------------------------------------------------------
# agreement with the primal solved here


@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
def test_linear_matches_the_primal_solved_in_the_test(C):
    X, y = overlapping()
    w, b = solve_primal(X, y, C)
    model = SoftSVM(C=C, kernel="linear", tol=1e-12).fit(X, y)
    np.testing.assert_allclose(model.coef_[0], w, atol=1e-6)
    np.testing.assert_allclose(model.intercept_[0], b, atol=1e-6)
    reference = primal_objective(w, b, X, y, C)
    assert abs(model.primal_objective_ - reference) <= 1e-6 * max(1.0, reference)
    assert model.coef_.shape == (1, X.shape[1]) and model.intercept_.shape == (1,)


def test_rbf_matches_the_dual_solved_in_the_test():
    # the kernel dual max sum a - 1/2 a^T (YKY + I/C) a, a >= 0, y.a = 0, by SLSQP
    X, y = make_moons(n_samples=40, noise=0.25, random_state=1)
    y = np.where(y == 1, 1.0, -1.0)
    C, gamma = 2.0, 0.7
    Q = np.outer(y, y) * rbf_kernel(X, X, gamma=gamma) + np.eye(len(y)) / C
    result = minimize(lambda a: (0.5 * a @ Q @ a - a.sum(), Q @ a - 1.0), np.zeros(len(y)),
                      jac=True, method="SLSQP", bounds=[(0, None)] * len(y),
                      constraints=[{"type": "eq", "fun": lambda a: a @ y, "jac": lambda a: y}],
                      options={"ftol": 1e-15, "maxiter": 1000})
    model = SoftSVM(C=C, kernel="rbf", gamma=gamma, tol=1e-12).fit(X, y)
    alpha = np.zeros(len(y))
    alpha[model.support_] = model.dual_coef_[0] * y[model.support_]
    np.testing.assert_allclose(alpha, result.x, atol=1e-5)
    assert model.dual_objective_ == pytest.approx(-result.fun, rel=1e-9)


# --------------------------------------------------------------------------------------------
# optimality: gap, KKT, slacks, the recovered primal


@pytest.mark.parametrize("kernel", ["linear", "rbf"])
def test_duality_gap_kkt_and_slacks_at_convergence(kernel):
    X, y = overlapping(n=120, d=4, seed=3)
    C, tol = 3.0, 1e-6
    model = SoftSVM(C=C, kernel=kernel, tol=tol).fit(X, y)
    alpha = np.zeros(len(y))
    alpha[model.support_] = model.dual_coef_[0] * y[model.support_]
    # the objectives recomputed here from the fitted attributes alone
    if kernel == "linear":
        K = X @ X.T
        np.testing.assert_allclose(model.coef_[0], X.T @ (alpha * y), atol=1e-12)
    else:
        K = rbf_kernel(X, X, gamma=model.gamma_)
    f = model.decision_function(X)
    np.testing.assert_allclose(f, K @ (alpha * y) + model.intercept_[0], atol=1e-9)
    norm_w_sq = (alpha * y) @ K @ (alpha * y)
    slack = np.maximum(0.0, 1.0 - y * f)
    primal = 0.5 * norm_w_sq + 0.5 * C * slack @ slack
    dual = alpha.sum() - 0.5 * norm_w_sq - alpha @ alpha / (2 * C)
    assert model.primal_objective_ == pytest.approx(primal, rel=1e-10)
    assert model.dual_objective_ == pytest.approx(dual, rel=1e-10)
    assert 0.0 <= primal - dual <= tol + 1e-9
    assert model.duality_gap_ <= tol
    assert model.duality_gap_ == pytest.approx(primal - dual, abs=1e-9)
    # KKT: a >= 0, y.a = 0, y f = 1 - a/C where a > 0, y f >= 1 where a = 0
    assert alpha.min() >= 0.0 and abs(alpha @ y) <= 1e-10 * alpha.sum()
    support = alpha > 0
    np.testing.assert_allclose((y * f)[support], 1.0 - alpha[support] / C, atol=2e-3)
    assert np.all((y * f)[~support] >= 1.0 - 2e-3)
    # the slacks: xi = a / C, equal to max(0, 1 - y f)
    np.testing.assert_allclose(model.slack_, alpha / C, rtol=0, atol=0)
    np.testing.assert_allclose(model.slack_, slack, atol=2e-3)


def test_tighter_tol_gives_tighter_kkt():
    X, y = overlapping(n=120, d=4, seed=3)
    model = SoftSVM(C=3.0, tol=1e-12).fit(X, y)
    f, alpha = model.decision_function(X), model.slack_ * 3.0
    np.testing.assert_allclose(model.slack_, np.maximum(0.0, 1.0 - y * f), atol=1e-6)
    assert model.duality_gap_ <= 1e-12 and alpha.min() >= 0.0


@pytest.mark.parametrize("kernel", ["linear", "rbf"])
def test_plain_smo_and_the_active_set_finish_agree(monkeypatch, kernel):
    # the solver tries an exact solve on SMO's support set once it settles; without it (plain
    # SMO to the end) the answer is the same optimum
    import gradcraft.classic.svm as svm

    # (both within tol of the dual optimum, which is 1/C-strongly concave: each a is within
    # sqrt(2 C tol) of the optimal one)
    X, y = overlapping(n=150, d=6, seed=7)
    C, tol = 2.0, 1e-12
    finished = SoftSVM(C=C, kernel=kernel, tol=tol).fit(X, y)
    monkeypatch.setattr(svm, "_SUPPORT_CHECK_EVERY", 10**9)
    plain = SoftSVM(C=C, kernel=kernel, tol=tol).fit(X, y)
    assert plain.n_iter_ >= finished.n_iter_
    np.testing.assert_array_equal(np.sort(plain.support_), np.sort(finished.support_))
    bound = np.sqrt(2 * C * tol)
    np.testing.assert_allclose(plain.dual_coef_, finished.dual_coef_, atol=2 * bound)
    np.testing.assert_allclose(plain.intercept_, finished.intercept_, atol=2 * bound)


def test_hard_margin_limit_is_the_max_margin_separator():
    X, y = make_blobs(n_samples=60, centers=[[-2, -1], [2, 1.5]], cluster_std=0.8,
                      random_state=0)
    reference = SVC(kernel="linear", C=1e6, tol=1e-10).fit(X, y)
    assert np.all(reference.dual_coef_ != 1e6 * np.sign(reference.dual_coef_))  # separable
    model = SoftSVM(C=1e6, kernel="linear", tol=1e-10).fit(X, y)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, rtol=1e-3, atol=1e-4)
    # the same (few) support vectors; all slacks ~ 0 (xi = a/C)
    assert set(model.support_) == set(reference.support_)
    assert model.slack_.max() < 1e-5


# --------------------------------------------------------------------------------------------
# scikit-learn


def test_linear_svc_squared_hinge_nearly_agrees():
    # LinearSVC minimises 1/2||w~||^2 + C' sum max(0, 1 - y w~.x~)^2 with x~ = [x, s]: no 1/2 in
    # front of the loss (so C' = C/2 is this problem) and b = s w_b is penalised by
    # b^2 / (2 s^2). With s = 30 that penalty is tiny and liblinear's dual coordinate descent
    # still converges (with s = 100 it needs > 10^6 passes): agreement to ~1e-6, not to rounding.
    X, y = overlapping(n=150, d=5, seed=4)
    C = 1.0
    model = SoftSVM(C=C, tol=1e-12).fit(X, y)
    reference = LinearSVC(loss="squared_hinge", penalty="l2", dual=True, C=C / 2,
                          intercept_scaling=30.0, tol=1e-10, max_iter=1_000_000,
                          random_state=0).fit(X, y)
    assert reference.n_iter_ < 1_000_000  # converged
    np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-5)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, atol=1e-5)
    np.testing.assert_allclose(model.decision_function(X), reference.decision_function(X),
                               atol=1e-4)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))
    # and LinearSVC's C = C (forgetting the 1/2) is visibly another problem
    other = LinearSVC(C=C, dual=True, intercept_scaling=30.0, tol=1e-10, max_iter=1_000_000,
                      random_state=0).fit(X, y)
    assert np.abs(other.coef_ - model.coef_).max() > 1e-4  # 100x the C/2 discrepancy


def test_rbf_accuracy_is_svc_s():
    # SVC solves the hinge (L1-slack) SVM, a different problem: accuracies only
    digits = load_digits()
    keep = np.isin(digits.target, (3, 5))
    X, y = digits.data[keep] / 16.0, digits.target[keep]
    X_train, y_train, X_test, y_test = X[::2], y[::2], X[1::2], y[1::2]
    ours = SoftSVM(C=1.0, kernel="rbf").fit(X_train, y_train).score(X_test, y_test)
    theirs = SVC(C=1.0, kernel="rbf").fit(X_train, y_train).score(X_test, y_test)
    assert ours >= theirs - 0.02 and ours > 0.95


def test_gamma_scale_and_auto_are_sklearn_s():
    X, y = overlapping(n=50, d=3)
    model = SoftSVM(kernel="rbf").fit(X, y)
    assert model.gamma_ == pytest.approx(1.0 / (3 * X.var()))
    assert SoftSVM(kernel="rbf", gamma="auto").fit(X, y).gamma_ == pytest.approx(1.0 / 3)
    np.testing.assert_allclose(model.decision_function(X[:7]),
                               rbf_kernel(X[:7], model.support_vectors_, gamma=model.gamma_)
                               @ model.dual_coef_[0] + model.intercept_[0], atol=1e-12)


def test_any_two_labels_and_sklearn_s_sign_convention():
    X, y = overlapping(n=60, d=3, seed=5)
    labels = np.where(y > 0, "dog", "cat")
    model = SoftSVM().fit(X, labels)
    assert list(model.classes_) == ["cat", "dog"]
    decision = model.decision_function(X)
    np.testing.assert_array_equal(model.predict(X), np.where(decision > 0, "dog", "cat"))
    reference = SVC(kernel="linear").fit(X, labels)  # positive decision: classes_[1] too
    assert np.mean(np.sign(decision) == np.sign(reference.decision_function(X))) >= 0.9
    assert model.n_support_.sum() == len(model.support_)
    np.testing.assert_array_equal(model.support_vectors_, X[model.support_])
    assert model.dual_coef_.shape == (1, len(model.support_))


def test_coef_only_for_the_linear_kernel():
    X, y = overlapping(n=40, d=3)
    model = SoftSVM(kernel="rbf").fit(X, y)
    with pytest.raises(AttributeError, match="kernel='linear'"):
        model.coef_


def test_max_iter_reached_warns():
    from sklearn.exceptions import ConvergenceWarning
    X, y = overlapping()
    with pytest.warns(ConvergenceWarning, match="duality gap"):
        model = SoftSVM(max_iter=3).fit(X, y)
    assert model.n_iter_ == 3


# --------------------------------------------------------------------------------------------
# bad input


def test_more_than_two_labels_names_them():
    X, y = make_classification(n_samples=60, n_classes=3, n_informative=3, random_state=0)
    with pytest.raises(ValueError, match=r"exactly 2 classes in y, got 3 classes: \[0, 1, 2\]"):
        SoftSVM().fit(X, y)
    with pytest.raises(ValueError, match=r"got 1 class: \['a'\]"):
        SoftSVM().fit(X[:5], ["a"] * 5)


@pytest.mark.parametrize("params, error, match", [
    ({"C": 0.0}, ValueError, "C must be > 0, got 0.0"),
    ({"C": -1.0}, ValueError, "C must be > 0"),
    ({"C": "1"}, TypeError, "C must be a real number"),
    ({"gamma": 0.0, "kernel": "rbf"}, ValueError, "gamma must be > 0, got 0.0"),
    ({"gamma": "large"}, ValueError, "gamma must be one of 'scale', 'auto', got 'large'"),
    ({"kernel": "poly"}, ValueError, "kernel must be one of 'linear', 'rbf', got 'poly'"),
    ({"tol": 0.0}, ValueError, "tol must be > 0"),
    ({"max_iter": 0}, ValueError, "max_iter must be a positive int"),
])
def test_bad_parameters_name_the_argument(params, error, match):
    X, y = overlapping(n=20, d=2)
    with pytest.raises(error, match=match):
        SoftSVM(**params).fit(X, y)


def test_feature_count_mismatch_and_predict_before_fit():
    X, y = overlapping(n=30, d=4)
    with pytest.raises(NotFittedError):
        SoftSVM().predict(X)
    model = SoftSVM(kernel="rbf").fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but SoftSVM is expecting 4"):
        model.predict(X[:, :3])


# --------------------------------------------------------------------------------------------
# scikit-learn's estimator checks: all pass, none skipped by us (the tag multi_class=False makes
# them use binary data, and adds check_classifier_not_supporting_multiclass, which checks the
# refusal). scikit-learn itself skips two of them per estimator in this environment: the
# array-API check (SCIPY_ARRAY_API unset) and the pandas check (pandas not installed).


@parametrize_with_checks([SoftSVM(), SoftSVM(kernel="rbf", C=10.0)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
