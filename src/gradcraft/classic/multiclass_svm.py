"""The multiclass SVM of Crammer and Singer: MulticlassSVM, solved by dual coordinate ascent.

Primal (liblinear's MCSVM_CS, so scikit-learn's LinearSVC(multi_class='crammer_singer')):

    P(W) = 1/2 ||W||_F^2 + C sum_i max_r (w_r.x_i - w_{y_i}.x_i + e_i^r),   e_i^r = 1[r != y_i]

i.e. 1/2 ||W||^2 + C sum_i max_hinge_i. Dividing by nC gives the course's form (seeds/002 §1)
(1/n) sum_i max_hinge_i + (lambda/2) ||W||^2 with lambda = 1/(nC); the course's f is lambda = 0,
the limit C -> infinity. With fit_intercept, x gets a constant feature `intercept_scaling`
(liblinear's bias) whose weights are penalised like the others: intercept_ = intercept_scaling * W[:, -1].

Dual (Keerthi et al. 2008, "A sequential dual method for large scale multi-class linear SVMs"):

    min_alpha D(alpha) = 1/2 ||W(alpha)||^2 + sum_{i,r} e_i^r alpha_i^r,   W(alpha)_r = sum_i alpha_i^r x_i
    s.t. sum_r alpha_i^r = 0,  alpha_i^{y_i} <= C,  alpha_i^r <= 0 (r != y_i)

and P(W(alpha)) + D(alpha) >= 0 is the duality gap (0 at the optimum). The solver visits one
sample at a time and minimises D exactly over its K variables alpha_i: with
g_r = w_r.x_i + e_i^r (dD/dalpha_i^r) and A = ||x_i||^2, that sub-problem is

    min 1/2 A ||a||^2 + sum_r B_r a_r,  B = g - A alpha_i,   sum_r a_r = 0, a_r <= C_r

whose solution is a_r = min(C_r, (beta - B_r) / A) for the beta that makes sum_r a_r = 0
(found by sorting, `_solve_sample`). Sample i satisfies the optimality conditions when

    max_r g_r - min_{r: alpha_i^r < C_r} g_r <= 0

(no mass can move from one class to another and lower D); the run stops when that violation is
below `tol` for every sample (liblinear's stopping rule). A sample with alpha_i = 0 violates by
exactly its hinge loss, so each epoch visits only the samples whose violation exceeds tol / 10,
measured for all samples at once from one matrix product (liblinear's shrinking, in spirit).

On linearly separable data the course's argument (seeds/002 §1) gives zero training error for a
minimiser of the unpenalised loss. It needs *strict* separation (a unique argmax for every
sample): then W* scaled by 1/|M| puts every margin s_y - max_{r != y} s_r >= 1. For the
penalised problem the hard-margin solution is the soft one once C exceeds its largest dual
variable, so at large C every training margin is >= 1 (up to tol) and the training error is 0.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from ..validation import check_bool, check_int, check_real
from .linear import classifier_inputs

__all__ = ["MulticlassSVM", "crammer_singer_objective"]


def crammer_singer_objective(W, X, labels, C: float) -> float:
    """P(W) = 1/2 ||W||^2 + C sum_i max(0, max_{r != y_i} w_r.x_i + 1 - w_{y_i}.x_i).

    W (K, d), X (n, d) (with the intercept column appended when there is one), labels (n,) in [0, K).
    """
    C = check_real(C, "C", low=0.0, low_open=True)
    return 0.5 * float(np.vdot(W, W)) + C * float(_hinge(X @ W.T, labels).sum())


def _hinge(scores, labels):
    """max(0, max_{r != y} s_r + 1 - s_y) per sample: the Crammer-Singer loss."""
    rows = np.arange(len(labels))
    shifted = scores + 1.0
    shifted[rows, labels] = scores[rows, labels]  # e_i^y = 0
    return shifted.max(axis=1) - scores[rows, labels]


def _violations(gradient, can_grow):
    """max_r g_r - min_{r: alpha < C_r} g_r per sample (n,): 0 at the optimum of each sub-problem."""
    return gradient.max(axis=1) - np.where(can_grow, gradient, np.inf).min(axis=1)


def _solve_sample(B, A, label, C):
    """argmin 1/2 A ||a||^2 + B.a subject to sum(a) = 0, a_y <= C, a_r <= 0 (r != y).

    The KKT conditions give a_r = min(C_r, (beta - B_r) / A). Writing D_r = B_r + A C_r, the
    classes with a_r < C_r are those with D_r > beta, so beta is the mean of (D_r - A C_r) over
    the largest D's: with D sorted in decreasing order, beta_k = (sum_{r<k} D_r - A C) / k, and
    k grows while the next D is still above beta (Crammer and Singer's fixed-point, liblinear's
    solve_sub_problem).
    """
    D = B.copy()
    D[label] += A * C
    order = sorted(D.tolist(), reverse=True)
    beta = order[0] - A * C
    k = 1
    while k < len(order) and beta < k * order[k]:
        beta += order[k]
        k += 1
    beta /= k
    bound = np.zeros_like(B)
    bound[label] = C
    return np.minimum(bound, (beta - B) / A)


class MulticlassSVM(ClassifierMixin, BaseEstimator):
    """The Crammer-Singer multiclass linear SVM, 1/2 ||W||^2 + C sum_i max-hinge_i, by dual
    coordinate ascent.

    Parameters
    ----------
    C : float > 0, default 1.0
        The weight of the hinge term (LinearSVC's C). The course's lambda is 1 / (n C).
    tol : float > 0, default 1e-4
        Stop when every sample's KKT violation max_r g_r - min_{r: alpha_i^r < C_r} g_r is
        below tol (liblinear's eps; LinearSVC's default tol).
    max_iter : int >= 1, default 1000
        Epochs (passes over the samples that still violate); a ConvergenceWarning if reached.
    fit_intercept : bool, default True
    intercept_scaling : float > 0, default 1.0
        The constant feature appended to x; its weight is penalised (as in liblinear), so a large
        value makes the intercept nearly unpenalised.
    seed : int or None, default 0
        Seeds the order in which each epoch visits the samples.

    Attributes
    ----------
    coef_ : (K, d), or (1, d) = w_1 - w_0 for two classes (as LinearSVC does);
    intercept_ : (K,) or (1,); classes_; n_iter_ (epochs run);
    objective_history_ : the primal P(W) at the start of each epoch and at the end;
    dual_gap_ : P(W) + D(alpha) at the end (>= 0; 0 at the optimum), dual_coef_ : alpha (n, K).
    """

    def __init__(self, C=1.0, tol=1e-4, max_iter=1000, fit_intercept=True, intercept_scaling=1.0,
                 seed=0):
        self.C = C
        self.tol = tol
        self.max_iter = max_iter
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.seed = seed

    def _checked_params(self):
        check_real(self.C, "C", low=0.0, low_open=True)
        check_real(self.tol, "tol", low=0.0, low_open=True)
        check_int(self.max_iter, "max_iter", low=1)
        check_bool(self.fit_intercept, "fit_intercept")
        check_real(self.intercept_scaling, "intercept_scaling", low=0.0, low_open=True)
        if self.seed is not None:
            check_int(self.seed, "seed", low=0)

    def fit(self, X, y):
        """Solve the dual on X (n, d) and labels y (n,); returns self."""
        self._checked_params()
        X, labels = classifier_inputs(self, X, y)
        if self.fit_intercept:
            X = np.hstack([X, np.full((len(X), 1), float(self.intercept_scaling))])
        # one BLAS thread: the products are small, and idle BLAS threads spinning between them
        # slow the per-sample Python loop several times over on a loaded machine
        with threadpool_limits(limits=1, user_api="blas"):
            W, alpha = self._solve(X, labels, float(self.C))
        self.dual_coef_ = alpha
        self._set_coef(W)
        return self

    def _solve(self, X, labels, C):
        n, K = len(X), len(self.classes_)
        rows = np.arange(n)
        W = np.zeros((K, X.shape[1]))
        alpha = np.zeros((n, K))
        bounds = np.zeros((n, K))
        bounds[rows, labels] = C
        margins = np.ones((n, K))
        margins[rows, labels] = 0.0
        squared_norms = np.einsum("ij,ij->i", X, X)
        rng = np.random.default_rng(self.seed)
        self.objective_history_ = []
        converged = False
        for epoch in range(self.max_iter + 1):
            gradient = X @ W.T + margins
            # g_r = s_r + e^r, so max_r g_r - g_y is the max-hinge (g_y = s_y): P from the same product
            hinge = gradient.max(axis=1) - gradient[rows, labels]
            self.objective_history_.append(0.5 * float(np.vdot(W, W)) + C * float(hinge.sum()))
            violation = np.where(squared_norms > 0, _violations(gradient, alpha < bounds), 0.0)
            converged = violation.max() <= self.tol
            if converged or epoch == self.max_iter:
                break
            # visit every sample violating by more than tol / 10, not only those above tol: a
            # little more work per epoch, fewer epochs to get every violation below tol
            violating = np.flatnonzero(violation > 0.1 * self.tol)
            for i in rng.permutation(violating):
                x, A, label = X[i], squared_norms[i], labels[i]
                B = W @ x + margins[i] - A * alpha[i]
                new = _solve_sample(B, A, label, C)
                W += np.outer(new - alpha[i], x)
                alpha[i] = new
        self.n_iter_ = max(epoch, 1)
        self.dual_gap_ = self.objective_history_[-1] + 0.5 * float(np.vdot(W, W)) + float(
            np.vdot(margins, alpha))
        if not converged:
            warnings.warn(f"MulticlassSVM did not converge in max_iter={self.max_iter} epochs "
                          f"(duality gap {self.dual_gap_:.3g}); increase max_iter",
                          ConvergenceWarning, stacklevel=3)
        return W, alpha

    def _set_coef(self, W):
        if self.fit_intercept:
            W, intercept = W[:, :-1], self.intercept_scaling * W[:, -1]
        else:
            intercept = np.zeros(len(W))
        if len(self.classes_) == 2:  # one score s_1 - s_0, as LinearSVC stores it
            W, intercept = W[1:] - W[:1], intercept[1:] - intercept[:1]
        self.coef_, self.intercept_ = np.ascontiguousarray(W), intercept

    def decision_function(self, X):
        """W x + b, (n, K); for two classes (n,) = s_1 - s_0 (positive: classes_[1])."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        scores = X @ self.coef_.T + self.intercept_
        return scores[:, 0] if len(self.classes_) == 2 else scores

    def predict(self, X):
        """The class of the highest score (the first among ties; classes_[0] when s_1 = s_0)."""
        scores = self.decision_function(X)
        index = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]
