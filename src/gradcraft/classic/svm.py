"""The binary soft-margin SVM with squared slacks, solved in its dual by SMO: SoftSVM.

The primal (the course's assignment 4, section 3), labels y_i in {-1, +1}:

    min_{w, b, xi}  1/2 ||w||^2 + C/2 sum_i xi_i^2    s.t.  y_i (<w, phi(x_i)> + b) >= 1 - xi_i

xi >= 0 need not be imposed: a negative xi_i can be raised to 0, which keeps the constraint and
strictly lowers the objective, so no optimum has one. With multipliers a_i >= 0 the Lagrangian is
L = 1/2||w||^2 + C/2 sum xi_i^2 + sum a_i (1 - xi_i - y_i(<w, phi(x_i)> + b)); setting its
gradients to zero gives w = sum a_i y_i phi(x_i), sum a_i y_i = 0 (else L is unbounded below in
b) and xi_i = a_i / C, and substituting:

    max_a  sum_i a_i - 1/2 sum_ij a_i a_j y_i y_j (K_ij + delta_ij / C)    s.t.  a >= 0, y.a = 0

(The course's write-up keeps the multipliers beta of xi >= 0 and stops at
g(a, beta) = ... - 1/(2C) sum (a_i + beta_i)^2: g decreases in every beta_i >= 0, so the dual's
maximum has beta = 0 and the problem above, with no upper bound on a. It also writes the b term
as +b sum a_i y_i; the sign is -, which does not matter once sum a_i y_i = 0.)

The dual's matrix Q = Y K Y + I / C is positive definite, so the maximiser is unique and each
two-variable step of SMO is an exact line minimisation (`_solve_dual`).

Recovering the primal. f(x) = sum_j a_j y_j K(x_j, x) + b. Complementary slackness: a_i > 0 makes
the margin constraint active, y_i f(x_i) = 1 - xi_i = 1 - a_i / C, so for every i with a_i > 0

    b = y_i (1 - a_i / C) - sum_j a_j y_j K_ij

(`intercept_` averages this over the support vectors; at the optimum the values coincide). Where
a_i = 0, xi_i = 0 and y_i f(x_i) >= 1; so xi_i = a_i / C = max(0, 1 - y_i f(x_i)) for every i.

The duality gap. With ||w||^2 = sum_i a_i y_i g_i (g = K (a*y)), y.a = 0, and margins
m_i = 1 - y_i f(x_i), the primal at (w, b, xi = max(0, m)) minus the dual at a is

    P - D = sum_i [ C/2 max(0, m_i)^2 - a_i m_i + a_i^2 / (2C) ]

and every term is >= 0 (it is C/2 (max(0, m_i) - a_i/C)^2 when m_i >= 0, and -a_i m_i + a_i^2/(2C)
when m_i < 0): a sum of per-sample KKT residuals, zero exactly at the optimum. The solver stops
when it is <= tol, so the primal objective at (coef_, intercept_) is within tol of the optimum.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from ..validation import check_choice, check_int, check_real

__all__ = ["SoftSVM"]

KERNELS = ("linear", "rbf")
GAMMA_RULES = ("scale", "auto")

#: how many SMO steps pass between two evaluations of the duality gap (it costs about as much as
#: a step; every 10 keeps the overhead near 10%)
_GAP_CHECK_EVERY = 10
#: how many SMO steps pass between two looks at the support set; when it did not change in that
#: many steps, the exact solve on it is tried (`_exact_on_support`)
_SUPPORT_CHECK_EVERY = 100
#: the most active-set rounds (exact solves) tried from one support set
_ACTIVE_SET_ROUNDS = 5
#: no exact solve is tried once the gap is below this many tols: SMO's last steps are cheaper
_FINISH_ALONE = 100.0


def kernel_matrix(A, B, kernel: str, gamma: float) -> np.ndarray:
    """K[i, j] = k(A[i], B[j]) for the 'linear' (<a, b>) or 'rbf' (exp(-gamma ||a - b||^2)) kernel.

    Both are one GEMM: the RBF's squared distances come from ||a||^2 + ||b||^2 - 2 <a, b>
    (clipped at 0, where rounding makes them slightly negative). A (n, d), B (m, d) float arrays.
    """
    gram = A @ B.T
    if kernel == "linear":
        return gram
    gram *= -2.0
    gram += np.einsum("ij,ij->i", A, A)[:, None]
    gram += np.einsum("ij,ij->i", B, B)[None, :]
    np.maximum(gram, 0.0, out=gram)
    if A is B:  # the training Gram matrix: a point is at distance 0 from itself, exactly
        np.fill_diagonal(gram, 0.0)
    gram *= -gamma
    return np.exp(gram, out=gram)


@dataclass
class DualSolution:
    """What `_solve_dual` returns: the multipliers, the intercept, K (a*y), the gap, the work."""

    alpha: np.ndarray
    intercept: float
    kernel_part: np.ndarray  # g = K (alpha * y): f(x_i) = g_i + intercept
    duality_gap: float
    n_iter: int
    converged: bool


def _intercept_and_gap(alpha, y, score, C) -> tuple[float, float]:
    """b (averaged over the support vectors, see the module docstring) and the duality gap.

    `score` is s = -y * grad(a) of the dual written as a minimisation, s_i = y_i (1 - a_i/C) - g_i:
    by the KKT condition above b = s_i for every a_i > 0. Before any a_i is positive (the start)
    b = 0. The gap is the sum of the per-sample residuals of the module docstring.
    """
    support = alpha > 0
    intercept = float(score[support].mean()) if support.any() else 0.0
    margin = alpha / C + y * (score - intercept)  # m_i = 1 - y_i f(x_i)
    slack = np.maximum(margin, 0.0)
    gap = float(np.sum(0.5 * C * slack * slack - alpha * margin + alpha * alpha * (0.5 / C)))
    return intercept, max(gap, 0.0)


def _solve_on_support(K, y, support, C):
    """The dual's minimiser if the support set S = {a_i > 0} is `support`: a_S solves the KKT
    system Q_SS a_S + b y_S = 1, y_S.a_S = 0 (Q_SS = Y K_SS Y + I/C, positive definite), i.e.
    a_S = u - b v with Q_SS u = 1, Q_SS v = y_S and b = y_S.u / y_S.v (the b of the module
    docstring: it is the multiplier of y.a = 0). Returns a (n,), zero outside S, maybe < 0 in S.
    """
    y_s = y[support]
    Q = K[np.ix_(support, support)] * np.outer(y_s, y_s)
    Q[np.diag_indices_from(Q)] += 1.0 / C
    u, v = np.linalg.solve(Q, np.column_stack([np.ones(len(y_s)), y_s])).T
    alpha = np.zeros(len(y))
    alpha[support] = u - (y_s @ u) / (y_s @ v) * v
    return alpha


def _exact_on_support(K, y, support, C, tol, rounds=_ACTIVE_SET_ROUNDS):
    """A few rounds of an active-set method started from SMO's support set S.

    Each round solves the dual exactly on S (`_solve_on_support`) and drops from S the samples
    whose a came out <= 0. SMO's S is close to the optimal one, and usually a superset of it: it
    finds the support early, but the last few a_i that belong at 0 drift there over thousands
    of steps; this finishes the job. Returns (a, s) once a > 0 on S and the duality gap is
    <= tol (so no sample outside S violates its margin either); None otherwise, and then SMO
    goes on: the answer is only ever taken with its gap checked.
    """
    for _ in range(rounds):
        if not support.any():
            return None
        try:
            alpha = _solve_on_support(K, y, np.flatnonzero(support), C)
        except np.linalg.LinAlgError:
            return None
        positive = alpha > 0
        if np.array_equal(positive, support):
            score = _exact_score(K, y, alpha, C)
            if _intercept_and_gap(alpha, y, score, C)[1] <= tol:
                return alpha, score
            return None
        support = positive
    return None


def _exact_score(K, y, alpha, C):
    """s = y (1 - a/C) - K (a*y), recomputed from scratch."""
    return y * (1.0 - alpha / C) - K @ (alpha * y)


def _solve_dual(K, y, C: float, tol: float, max_iter: int) -> DualSolution:
    """SMO on  min_a 1/2 a^T Q a - sum a,  Q = Y K Y + I/C,  a >= 0,  y.a = 0  (y in {-1, +1}).

    The working set is libsvm's (Fan, Chen and Lin 2005, WSS 2) without its upper bound C:
    i maximises s_t = -y_t grad_t over I_up = {t: y_t = +1 or a_t > 0} (the variables that can
    move up along y), and j, among I_low = {t: y_t = -1 or a_t > 0} with s_j < s_i, maximises the
    decrease b_ij^2 / a_ij of the objective along the feasible direction
    a_i += y_i d, a_j -= y_j d, where b_ij = s_i - s_j > 0 and the curvature is
    a_ij = Q_ii + Q_jj - 2 y_i y_j Q_ij = K_ii + K_jj - 2 K_ij + 2/C > 0: the step d = b_ij / a_ij
    is exact, cut only where a_i or a_j would cross 0. After a step only a_i and a_j changed, so
    s changes by a rank-2 update: s -= d (K_i - K_j), plus -d/C at i and +d/C at j (the I/C part).

    SMO converges linearly, and long before the gap is small the support set has settled. So
    when it has not changed for `_SUPPORT_CHECK_EVERY` steps (and the gap is still above
    `_FINISH_ALONE` tol), the dual is solved exactly on it (`_exact_on_support`, an O(n_SV^3)
    solve); that answer is kept only if its duality gap is <= tol, else SMO goes on from where
    it was. On MNIST 3-vs-5 this cuts the linear SVM's 8,700 SMO steps to 2,500.

    The duality gap is evaluated every few steps from s; once it is <= tol, s is recomputed from
    scratch (K (a*y), undoing the rounding of many rank-2 updates) and the gap re-checked, so the
    gap returned is that of the returned a and b. max_iter caps the SMO steps.
    """
    n = len(y)
    alpha = np.zeros(n)
    score = y.copy()  # at a = 0 the gradient is -1, s = y
    diag = K.diagonal().copy()
    inv_c = 1.0 / C
    curvature_base = diag + 2.0 * inv_c
    # I_up and I_low as arrays the vector ops use directly: s + rise_block is -inf outside I_up,
    # gain * can_fall is 0 outside I_low (gains are >= 0: the decrease is clipped at 0)
    rise_block = np.where(y > 0, 0.0, -np.inf)
    can_fall = np.where(y < 0, 1.0, 0.0)
    candidates, decrease, curvature, gain = (np.empty(n) for _ in range(4))
    support_seen = np.zeros(n, dtype=bool)
    support_tried = support_seen
    n_iter, converged = 0, False
    while True:
        if n_iter % _GAP_CHECK_EVERY == 0 or n_iter == max_iter:
            _, gap = _intercept_and_gap(alpha, y, score, C)
            if gap <= tol or n_iter == max_iter:
                score = _exact_score(K, y, alpha, C)  # exact, not accumulated
                _, gap = _intercept_and_gap(alpha, y, score, C)
                if gap <= tol or n_iter == max_iter:
                    converged = gap <= tol
                    break
        # (a multiple of _GAP_CHECK_EVERY: `gap` is current; near the end SMO finishes alone)
        if n_iter % _SUPPORT_CHECK_EVERY == 0 and n_iter and gap > _FINISH_ALONE * tol:
            support = alpha > 0
            if (np.array_equal(support, support_seen)
                    and not np.array_equal(support, support_tried)):
                exact = _exact_on_support(K, y, support, C, tol)
                if exact is not None:
                    (alpha, score), converged = exact, True
                    break
                support_tried = support
            support_seen = support
        np.add(score, rise_block, out=candidates)
        i = int(candidates.argmax())
        K_i = K[i]
        np.subtract(score[i], score, out=decrease)
        np.maximum(decrease, 0.0, out=decrease)
        np.multiply(K_i, -2.0, out=curvature)
        curvature += curvature_base
        curvature += diag[i]
        np.multiply(decrease, decrease, out=gain)
        gain *= can_fall
        gain /= curvature
        j = int(gain.argmax())
        if not gain[j] > 0:  # no violating pair: a is optimal (to rounding)
            score = _exact_score(K, y, alpha, C)
            converged = True
            break
        step = decrease[j] / curvature[j]
        if y[i] < 0:
            step = min(step, alpha[i])
        if y[j] > 0:
            step = min(step, alpha[j])
        alpha[i] = max(alpha[i] + y[i] * step, 0.0)  # a cut step lands on 0 exactly
        alpha[j] = max(alpha[j] - y[j] * step, 0.0)
        np.subtract(K_i, K[j], out=candidates)
        candidates *= step
        score -= candidates
        score[i] -= step * inv_c
        score[j] += step * inv_c
        for t in (i, j):
            rise_block[t] = 0.0 if y[t] > 0 or alpha[t] > 0 else -np.inf
            can_fall[t] = 1.0 if y[t] < 0 or alpha[t] > 0 else 0.0
        n_iter += 1
    intercept, gap = _intercept_and_gap(alpha, y, score, C)
    kernel_part = y * (1.0 - alpha * inv_c) - score
    return DualSolution(alpha, intercept, kernel_part, gap, n_iter, converged)


class SoftSVM(ClassifierMixin, BaseEstimator):
    """A binary SVM with squared slacks (the L2-loss SVM), trained by SMO on its dual.

    Minimises 1/2 ||w||^2 + C/2 sum_i max(0, 1 - y_i (<w, phi(x_i)> + b))^2 (y_i = -1 for
    classes_[0], +1 for classes_[1]); see the module docstring for the dual and how w, b and the
    slacks are recovered from it.

    Parameters
    ----------
    C : float > 0, default 1.0
        The slack penalty. Unlike scikit-learn's SVC (hinge, L1 slacks: 0 <= a <= C) the dual has
        no upper bound; C enters as the ridge I/C on the kernel. LinearSVC(loss='squared_hinge')
        writes the penalty without the 1/2: its C is this one's C/2 (and it penalises b).
    kernel : 'linear' | 'rbf', default 'linear'
        K(x, z) = <x, z> or exp(-gamma ||x - z||^2). Other kernels are refused.
    gamma : 'scale' | 'auto' | float > 0, default 'scale'
        The RBF width: 'scale' is 1 / (n_features * X.var()) (1 when X.var() is 0), 'auto'
        1 / n_features, as scikit-learn. Ignored by the linear kernel (but still checked).
    tol : float > 0, default 1e-6
        Stop once the duality gap (primal minus dual objective, in the objective's units) is
        <= tol; it bounds how far the primal objective at (coef_, intercept_) is from its minimum.
    max_iter : int >= 1, default 100_000
        The most SMO steps (pair updates); a ConvergenceWarning if it is reached first.

    Attributes
    ----------
    classes_ : (2,) the two labels (any type numpy.unique sorts); the positive one is classes_[1].
    support_ : (n_SV,) int, indices of the training samples with a_i > 0 (SMO's cut steps put
        the others at 0 exactly, so the threshold is 0).
    support_vectors_ : (n_SV, n_features); n_support_ : (2,) support vectors of each class.
    dual_coef_ : (1, n_SV) a_i y_i of the support vectors (scikit-learn's layout).
    intercept_ : (1,) b.   coef_ : (1, n_features) w = sum a_i y_i x_i, linear kernel only.
    slack_ : (n_samples,) xi_i = a_i / C, which equals max(0, 1 - y_i f(x_i)) at the optimum.
    primal_objective_, dual_objective_, duality_gap_ : floats at the returned solution.
    gamma_ : the RBF gamma used (float; also set for the linear kernel, unused there).
    n_iter_ : SMO steps taken.  n_features_in_ (and feature_names_in_) : as scikit-learn.

    Memory: the whole n x n kernel matrix is formed (float64), so n up to ~10^4.
    """

    def __init__(self, C=1.0, kernel="linear", gamma="scale", tol=1e-6, max_iter=100_000):
        self.C = C
        self.kernel = kernel
        self.gamma = gamma
        self.tol = tol
        self.max_iter = max_iter

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def _checked_params(self):
        check_real(self.C, "C", low=0.0, low_open=True)
        check_choice(self.kernel, "kernel", KERNELS)
        if isinstance(self.gamma, str):
            check_choice(self.gamma, "gamma", GAMMA_RULES)
        else:
            check_real(self.gamma, "gamma", low=0.0, low_open=True)
        check_real(self.tol, "tol", low=0.0, low_open=True)
        check_int(self.max_iter, "max_iter", low=1)

    def _resolved_gamma(self, X) -> float:
        if self.gamma == "scale":
            variance = X.var()
            return 1.0 / (X.shape[1] * variance) if variance != 0 else 1.0
        if self.gamma == "auto":
            return 1.0 / X.shape[1]
        return float(self.gamma)

    def fit(self, X, y):
        """Train on X (n, d) and labels y (n,) holding exactly two classes; returns self."""
        self._checked_params()
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, positive = np.unique(y, return_inverse=True)
        if len(self.classes_) != 2:
            shown = ", ".join(repr(c) for c in self.classes_[:10].tolist())
            more = ", ..." if len(self.classes_) > 10 else ""
            raise ValueError(
                f"Only binary classification is supported: {type(self).__name__} needs exactly 2 "
                f"classes in y, got {len(self.classes_)} class{'es' if len(self.classes_) != 1 else ''}: "
                f"[{shown}{more}]")
        signs = np.where(positive == 1, 1.0, -1.0)
        C, tol = float(self.C), float(self.tol)
        self.gamma_ = self._resolved_gamma(X)
        K = kernel_matrix(X, X, self.kernel, self.gamma_)
        # SMO's BLAS calls are small (GEMVs, a solve on the support set): threads only add
        # overhead there, and on a busy machine OpenBLAS's spinning threads cost 10x
        with threadpool_limits(limits=1, user_api="blas"):
            solution = _solve_dual(K, signs, C, tol, int(self.max_iter))
        if not solution.converged:
            warnings.warn(f"SoftSVM: the duality gap is {solution.duality_gap:.3g} > tol={tol:g} "
                          f"after max_iter={self.max_iter} SMO steps; raise max_iter or tol",
                          ConvergenceWarning, stacklevel=2)
        self._store(X, signs, C, solution)
        return self

    def _store(self, X, signs, C, solution: DualSolution):
        alpha = solution.alpha
        support = np.flatnonzero(alpha > 0)
        self.support_ = support.astype(np.int32)
        self.support_vectors_ = X[support]
        self.n_support_ = np.array([np.sum(signs[support] < 0), np.sum(signs[support] > 0)],
                                   dtype=np.int32)
        self.dual_coef_ = (alpha * signs)[support][None, :]
        self.intercept_ = np.array([solution.intercept])
        self.slack_ = alpha / C
        # ||w||^2 = (a*y)^T K (a*y); margins m = 1 - y f with f = g + b on the training set
        norm_w_sq = float(np.dot(alpha * signs, solution.kernel_part))
        margins = 1.0 - signs * (solution.kernel_part + solution.intercept)
        hinge = np.maximum(margins, 0.0)
        self.primal_objective_ = 0.5 * norm_w_sq + 0.5 * C * float(hinge @ hinge)
        self.dual_objective_ = float(alpha.sum()) - 0.5 * norm_w_sq - float(alpha @ alpha) / (2 * C)
        self.duality_gap_ = solution.duality_gap
        self.n_iter_ = solution.n_iter
        self._fitted_kernel = self.kernel
        self._coef = self.dual_coef_ @ self.support_vectors_ if self.kernel == "linear" else None

    @property
    def coef_(self):
        """w = sum_i a_i y_i x_i, (1, n_features): only for kernel='linear' (AttributeError else)."""
        check_is_fitted(self)
        if self._coef is None:
            raise AttributeError(f"coef_ is only available for kernel='linear'; this SoftSVM was "
                                 f"fitted with kernel={self._fitted_kernel!r}")
        return self._coef

    def decision_function(self, X):
        """f(x) = sum_SV a_i y_i K(x_i, x) + b, (n,); positive means classes_[1]."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        if self._coef is not None:
            return X @ self._coef[0] + self.intercept_[0]
        K = kernel_matrix(X, self.support_vectors_, self._fitted_kernel, self.gamma_)
        return K @ self.dual_coef_[0] + self.intercept_[0]

    def predict(self, X):
        """classes_[1] where the decision function is > 0, classes_[0] elsewhere."""
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(np.intp)]
