"""t-SNE: TSNE (exact, Barnes-Hut, FFT interpolation), scikit-learn's estimator and schedule.

The schedule is scikit-learn's (van der Maaten's): 250 iterations with P multiplied by
`early_exaggeration` and momentum 0.5, then the rest with momentum 0.8, each phase restarting
its momentum buffer and per-coordinate gains (+0.2 where the last update and the new gradient
disagree in sign, i.e. the descent keeps its direction; x0.8 elsewhere; floored at 0.01).
Progress is checked every 50 iterations (stop after `n_iter_without_progress` iterations
without a better KL, or when the gradient norm falls to `min_grad_norm`).

The objective's gradient, for Student-t kernels w_ij = (1 + d_ij^2 / a)^(-(a+1)/2) with
a = max(n_components - 1, 1) degrees of freedom and q_ij = w_ij / sum_{k != l} w_kl:

    dKL/dy_i = (2 (a + 1) / a) sum_j (p_ij - q_ij) (1 + d_ij^2 / a)^-1 (y_i - y_j)

which is 4 sum_j (p_ij - q_ij) (y_i - y_j) / (1 + d_ij^2) in 2-D. Barnes-Hut splits it as
4 (sum_j p_ij w_ij (y_i - y_j) - sum_j w_ij^2 (y_i - y_j) / Z): the first sum runs over the
sparse P's edges, the second is the quadtree's (`quadtree.repulsion`) or the interpolation's
(`fft_repulsion.repulsion_fft`, method='fft').
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data

from ..validation import check_choice, check_int, check_real
from .affinities import (MACHINE_EPSILON, joint_probabilities, nearest_neighbors,
                         sparse_joint_probabilities, squared_distances)
from .fft_repulsion import repulsion_fft
from .quadtree import repulsion

__all__ = ["TSNE"]

_EXPLORATION_ITER = 250  # iterations with early exaggeration and momentum 0.5
_CHECK_EVERY = 50
_MIN_GAIN = 0.01
_FLOAT32_TINY = float(np.finfo(np.float32).tiny)  # scikit-learn's floor in the Barnes-Hut KL


# ----------------------------------------------------------------------------- objectives

def exact_kl_and_gradient(p: np.ndarray, y: np.ndarray, dof: float = 1.0,
                          compute_error: bool = True):
    """KL(P || Q) and its gradient for dense P (n, n; zero diagonal) at embedding y (n, c).

    Q is kept at least machine epsilon off the diagonal, as scikit-learn's. Pairwise distances
    come from one GEMM; everything is O(n^2) arrays, no Python loop over points."""
    d2 = squared_distances(y, y)
    if dof != 1.0:
        d2 /= dof
    d2 += 1.0
    inverse = np.reciprocal(d2, out=d2)  # (1 + d^2/a)^-1
    w = inverse if dof == 1.0 else inverse ** ((dof + 1.0) / 2.0)
    np.fill_diagonal(w, 0.0)
    z = max(w.sum(), MACHINE_EPSILON)
    error = np.nan
    if compute_error:
        q = np.maximum(w / z, MACHINE_EPSILON)
        off = ~np.eye(len(p), dtype=bool)
        pm = np.maximum(p[off], MACHINE_EPSILON)
        error = float(pm @ np.log(pm / q[off]))
    # (p - q) * (1 + d^2/a)^-1 with q = w / z; the diagonal of w is 0 and of p is 0
    pq = p - w * (1.0 / z)
    pq *= inverse
    np.fill_diagonal(pq, 0.0)
    grad = pq.sum(axis=1)[:, None] * y - pq @ y
    grad *= 2.0 * (dof + 1.0) / dof
    return error, grad


def sparse_kl_and_gradient(p, y: np.ndarray, repulsion, compute_error: bool = True):
    """KL(P || Q) and its gradient for sparse P (`affinities.SparseAffinities`) at a 1-D or
    2-D y; `repulsion(y)` gives (sum_j w_ij^2 (y_i - y_j), Z) for 2-D points, by Barnes-Hut or
    by interpolation (a 1-D embedding is the 2-D one on the line y_2 = 0). The KL sums over P's
    edges with that Z (scikit-learn's estimate; both logs floored at float32's tiny)."""
    if y.shape[1] == 1:
        repulsive, z = repulsion(np.column_stack([y, np.zeros(len(y))]))
        repulsive = repulsive[:, :1]
    else:
        repulsive, z = repulsion(y)
    z = max(z, MACHINE_EPSILON)
    # attraction over each edge once (P is symmetric): +pw (y_i - y_j) at i, -pw (...) at j
    i, j, v = p.upper_rows, p.upper_cols, p.upper_values
    n = len(y)
    columns = [np.ascontiguousarray(y[:, axis]) for axis in range(y.shape[1])]
    diffs = [c[i] - c[j] for c in columns]
    d2 = diffs[0] * diffs[0]
    for d in diffs[1:]:
        d2 += d * d
    d2 += 1.0
    w = np.reciprocal(d2, out=d2)
    pw = v * w
    attractive = np.empty_like(y)
    for axis, d in enumerate(diffs):
        d *= pw
        attractive[:, axis] = (np.bincount(i, weights=d, minlength=n)
                               - np.bincount(j, weights=d, minlength=n))
    error = np.nan
    if compute_error:  # each edge stands for p_ij and p_ji
        q = np.maximum(w / z, _FLOAT32_TINY)
        error = 2.0 * float(v @ np.log(np.maximum(v, _FLOAT32_TINY) / q))
    return error, 4.0 * (attractive - repulsive / z)


def barnes_hut_kl_and_gradient(p, y: np.ndarray, angle: float, compute_error: bool = True):
    """`sparse_kl_and_gradient` with the repulsion by Barnes-Hut at `angle`."""
    return sparse_kl_and_gradient(p, y, lambda emb: repulsion(emb, angle), compute_error)


def fft_kl_and_gradient(p, y: np.ndarray, compute_error: bool = True):
    """`sparse_kl_and_gradient` with the repulsion by FFT-accelerated interpolation."""
    return sparse_kl_and_gradient(p, y, repulsion_fft, compute_error)


def _gradient_descent(objective, y, *, start, stop, momentum, learning_rate,
                      n_iter_without_progress, min_grad_norm, verbose):
    """scikit-learn's `_gradient_descent`: momentum, per-coordinate gains, checks every 50
    iterations. Returns (y, last iteration index)."""
    update = np.zeros_like(y)
    gains = np.ones_like(y)
    best_error, best_iter = np.inf, start
    i = start
    for i in range(start, stop):
        check = (i + 1) % _CHECK_EVERY == 0
        error, grad = objective(y, check)
        growing = update * grad < 0.0
        gains = np.where(growing, gains + 0.2, gains * 0.8)
        np.maximum(gains, _MIN_GAIN, out=gains)
        grad *= gains
        update = momentum * update - learning_rate * grad
        y = y + update
        if check:
            grad_norm = float(np.sqrt((grad * grad).sum()))
            if verbose >= 2:
                print(f"[t-SNE] Iteration {i + 1}: error = {error:.7f}, gradient norm = {grad_norm:.7f}")
            if error < best_error:
                best_error, best_iter = error, i
            elif i - best_iter > n_iter_without_progress:
                break
            if grad_norm <= min_grad_norm:
                break
    return y, i


def _pca_init(x: np.ndarray, n_components: int) -> np.ndarray:
    """The first principal components of x, signs as scikit-learn's PCA (each component's
    largest loading positive), scaled so that the first has standard deviation 1e-4.

    The components come from subspace iteration (a block power method on X^T X, applied as
    X^T (X V), with 10 extra directions and a fixed start; what scikit-learn's randomized PCA
    does): only matrix products with X, no (d, d) eigendecomposition.
    """
    centred = x - x.mean(axis=0)
    n, d = centred.shape
    if n_components > min(n, d):
        raise ValueError(f"init='pca' needs n_components <= min(n_samples, n_features) = "
                         f"{min(n, d)}, got n_components={n_components}; use init='random'")
    width = min(d, n_components + 10)
    basis = np.random.default_rng(0).standard_normal((d, width))
    for _ in range(12):
        basis, _ = np.linalg.qr(centred.T @ (centred @ basis))
    # Rayleigh-Ritz: the best directions inside the converged subspace
    projected = centred @ basis
    values, vectors = np.linalg.eigh(projected.T @ projected)
    components = (basis @ vectors[:, ::-1][:, :n_components]).T
    biggest = np.argmax(np.abs(components), axis=1)
    components *= np.sign(components[np.arange(n_components), biggest])[:, None]
    y = centred @ components.T
    scale = np.std(y[:, 0])
    return y / (scale if scale > 0 else 1.0) * 1e-4


# ----------------------------------------------------------------------------- estimator

class TSNE(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """t-distributed Stochastic Neighbour Embedding, scikit-learn's `TSNE` API.

    `fit(X)` / `fit_transform(X)` embed the training points; there is no `transform` for new
    points (as in scikit-learn). Fitted: `embedding_`, `kl_divergence_`, `n_iter_`,
    `learning_rate_`, `n_features_in_`.

    method='exact' is O(n^2) in time and memory, float64. method='barnes_hut' (1-D or 2-D) uses
    P over the int(3 perplexity + 1) nearest neighbours and a quadtree with `angle` for the
    repulsion; method='fft' (1-D or 2-D, not in scikit-learn) the same sparse P with the
    repulsion by FFT-accelerated interpolation on a grid (FIt-SNE: 3 nodes per box of side 1,
    at least 50 boxes a side; direct O(N^2) sums below 1,000 points), O(N) per iteration and the fastest here from a few thousand
    points; `angle` is ignored by it.

    Differs from scikit-learn: `n_iter` is accepted beside `max_iter` (max_iter wins when
    given) and may be below 250 (then every iteration is exaggerated); `kl_divergence_` is the
    KL of the returned embedding (scikit-learn reports the one before its last step); only the
    'euclidean' metric; 'exact' with n_components >= 3 uses the true gradient of the Student-t
    objective (scikit-learn's is off by a power of the kernel when the degrees of freedom are
    not 1); everything stays in float64 (scikit-learn's Barnes-Hut works in float32).
    """

    def __init__(self, n_components=2, *, perplexity=30.0, early_exaggeration=12.0,
                 learning_rate="auto", n_iter=1000, max_iter=None, n_iter_without_progress=300,
                 min_grad_norm=1e-7, metric="euclidean", init="pca", verbose=0,
                 random_state=None, method="barnes_hut", angle=0.5):
        self.n_components = n_components
        self.perplexity = perplexity
        self.early_exaggeration = early_exaggeration
        self.learning_rate = learning_rate
        self.n_iter = n_iter
        self.max_iter = max_iter
        self.n_iter_without_progress = n_iter_without_progress
        self.min_grad_norm = min_grad_norm
        self.metric = metric
        self.init = init
        self.verbose = verbose
        self.random_state = random_state
        self.method = method
        self.angle = angle

    # -- argument checks (in fit, scikit-learn's convention: __init__ only stores)

    def _checked_iterations(self) -> int:
        n_iter = check_int(self.n_iter, "n_iter", low=1)
        if self.max_iter is None:
            return n_iter
        max_iter = check_int(self.max_iter, "max_iter", low=1)
        if n_iter not in (1000, max_iter):
            raise ValueError(f"n_iter and max_iter name the same setting; got n_iter={n_iter} "
                             f"and max_iter={max_iter}")
        return max_iter

    def _check_params(self, n_samples: int):
        method = check_choice(self.method, "method", ("exact", "barnes_hut", "fft"))
        n_components = check_int(self.n_components, "n_components", low=1)
        if method != "exact" and n_components > 2:
            raise ValueError(f"n_components must be 1 or 2 for method={method!r} (a quadtree / "
                             f"a 2-D grid), got {n_components}; use method='exact'")
        perplexity = check_real(self.perplexity, "perplexity", low=0, low_open=True)
        if perplexity >= n_samples:
            raise ValueError(f"perplexity ({perplexity}) must be less than n_samples ({n_samples})")
        check_real(self.early_exaggeration, "early_exaggeration", low=1)
        if not (isinstance(self.learning_rate, str) and self.learning_rate == "auto"):
            if isinstance(self.learning_rate, str):
                raise ValueError(f"learning_rate must be 'auto' or a number > 0, got {self.learning_rate!r}")
            check_real(self.learning_rate, "learning_rate", low=0, low_open=True)
        check_int(self.n_iter_without_progress, "n_iter_without_progress", low=-1)
        check_real(self.min_grad_norm, "min_grad_norm", low=0)
        check_choice(self.metric, "metric", ("euclidean",))
        if not isinstance(self.init, np.ndarray):
            check_choice(self.init, "init", ("pca", "random"))
        check_real(self.angle, "angle", low=0, high=1)
        check_int(self.verbose, "verbose", low=0)
        return method, n_components, perplexity

    # -- fitting

    def _initial_embedding(self, x, n_components, random_state):
        if isinstance(self.init, np.ndarray):
            init = np.asarray(self.init, dtype=np.float64)
            if init.shape != (len(x), n_components):
                raise ValueError(f"init must have shape (n_samples, n_components) = "
                                 f"{(len(x), n_components)}, got {init.shape}")
            return init.copy()
        if self.init == "pca":
            return _pca_init(x, n_components)
        # scikit-learn's draw, so that equal seeds give equal starts
        return 1e-4 * random_state.standard_normal(size=(len(x), n_components)).astype(np.float32).astype(np.float64)

    def fit_transform(self, X, y=None):
        """Embed X (n_samples, n_features) and return the embedding (n_samples, n_components)."""
        x = validate_data(self, X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        x = np.asarray(x, dtype=np.float64)
        n_samples = len(x)
        method, n_components, perplexity = self._check_params(n_samples)
        max_iter = self._checked_iterations()
        random_state = check_random_state(self.random_state)
        if self.learning_rate == "auto":
            self.learning_rate_ = max(n_samples / self.early_exaggeration / 4.0, 50.0)
        else:
            self.learning_rate_ = float(self.learning_rate)

        if method == "exact":
            p = joint_probabilities(squared_distances(x, x), perplexity)
            dof = float(max(n_components - 1, 1))

            def objective(p_now):
                return lambda emb, check: exact_kl_and_gradient(p_now, emb, dof, check)
        else:
            k = min(n_samples - 1, int(3.0 * perplexity + 1))
            neighbors, sqd = nearest_neighbors(x, k)
            p = sparse_joint_probabilities(neighbors, sqd, perplexity)
            angle = float(self.angle)

            def objective(p_now):
                if method == "fft":
                    return lambda emb, check: fft_kl_and_gradient(p_now, emb, check)
                return lambda emb, check: barnes_hut_kl_and_gradient(p_now, emb, angle, check)
        self._affinities = p

        emb = self._initial_embedding(x, n_components, random_state)
        common = dict(learning_rate=self.learning_rate_, min_grad_norm=float(self.min_grad_norm),
                      verbose=self.verbose)
        explore = min(_EXPLORATION_ITER, max_iter)
        emb, it = _gradient_descent(objective(p * float(self.early_exaggeration)), emb,
                                    start=0, stop=explore, momentum=0.5,
                                    n_iter_without_progress=_EXPLORATION_ITER, **common)
        if max_iter > explore:
            emb, it = _gradient_descent(objective(p), emb, start=it + 1, stop=max_iter,
                                        momentum=0.8,
                                        n_iter_without_progress=int(self.n_iter_without_progress),
                                        **common)
        self.n_iter_ = it
        self.kl_divergence_ = objective(p)(emb, True)[0]
        if self.verbose:
            print(f"[t-SNE] KL divergence after {it + 1} iterations: {self.kl_divergence_:f}")
        self.embedding_ = emb
        return emb

    def fit(self, X, y=None):
        """Embed X; returns self (the embedding is `embedding_`)."""
        self.fit_transform(X)
        return self

    @property
    def _n_features_out(self):
        return self.embedding_.shape[1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags
