"""t-SNE's input affinities: the perplexity search, the dense joint P of the exact method, the
k-nearest neighbours and the sparse joint P of the Barnes-Hut method.

Everything is vectorised across points: the binary search bisects every row's precision
beta_i = 1 / (2 sigma_i^2) at once, as scikit-learn's per-row Cython loop does one row at a
time (same start, same doubling/halving and bisection steps, same tolerance, so the same betas).
"""

from __future__ import annotations

import numpy as np

__all__ = []

MACHINE_EPSILON = np.finfo(np.float64).eps
_PERPLEXITY_TOLERANCE = 1e-5  # on the entropy, in nats (scikit-learn's)
_BINARY_SEARCH_STEPS = 100
_EMPTY_ROW_SUM = 1e-8  # a row whose Gaussian underflows everywhere: scikit-learn's guard


def squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """||a_i - b_j||^2 for all pairs by one GEMM: |a|^2 + |b|^2 - 2 a b^T, clipped at 0 (the
    cancellation can make a tiny distance slightly negative)."""
    d2 = np.einsum("ij,ij->i", a, a)[:, None] + np.einsum("ij,ij->i", b, b)[None, :]
    d2 -= 2.0 * (a @ b.T)
    np.maximum(d2, 0.0, out=d2)
    return d2


def _row_probabilities(sqd: np.ndarray, beta: np.ndarray, diagonal: np.ndarray | None):
    """exp(-beta_i d_ij) normalised per row, and each row's entropy H_i (nats).

    `diagonal` gives, per row, the column to leave out (the point itself), or None."""
    p = np.exp(-sqd * beta[:, None])
    if diagonal is not None:
        p[np.arange(len(p)), diagonal] = 0.0
    total = p.sum(axis=1)
    total[total == 0.0] = _EMPTY_ROW_SUM
    p /= total[:, None]
    # H = -sum p log p = log(sum) + beta * sum_j p_ij d_ij with p normalised
    entropy = np.log(total) + beta * np.einsum("ij,ij->i", sqd, p)
    return p, entropy


def conditional_probabilities(sqd: np.ndarray, perplexity: float, *,
                              exclude_self: bool) -> np.ndarray:
    """p_{j|i} whose row entropies are log(perplexity), by bisection on each row's beta.

    sqd: (n, m) squared distances, row i from point i; with `exclude_self` (the exact method,
    m == n) column i of row i is left out, otherwise (neighbour lists) every column counts.
    All rows are bisected together; a row stops moving once it is within tolerance, as in
    scikit-learn, and after 100 steps a row keeps the beta its last probabilities used.
    """
    sqd = np.asarray(sqd, dtype=np.float64)
    n = len(sqd)
    beta = np.ones(n)
    beta_min = np.full(n, -np.inf)
    beta_max = np.full(n, np.inf)
    target = np.log(perplexity)
    active = np.arange(n)  # rows still searching
    for step in range(_BINARY_SEARCH_STEPS):
        if active.size == 0:
            break
        diagonal = active if exclude_self else None
        _, entropy = _row_probabilities(sqd[active], beta[active], diagonal)
        excess = entropy - target
        moving = np.abs(excess) > _PERPLEXITY_TOLERANCE
        if step == _BINARY_SEARCH_STEPS - 1:
            break  # the last probabilities were computed at the current beta: keep it
        active, excess = active[moving], excess[moving]
        b = beta[active]
        # entropy too high -> the Gaussian is too wide -> raise beta (double until bracketed)
        up = excess > 0.0
        lo_new = np.where(up, b, beta_min[active])
        hi_new = np.where(up, beta_max[active], b)
        raised = np.where(np.isinf(hi_new), b * 2.0, (b + hi_new) / 2.0)
        lowered = np.where(np.isinf(lo_new), b / 2.0, (b + lo_new) / 2.0)
        beta[active] = np.where(up, raised, lowered)
        beta_min[active], beta_max[active] = lo_new, hi_new
    p, _ = _row_probabilities(sqd, beta, np.arange(n) if exclude_self else None)
    return p


def joint_probabilities(sqd: np.ndarray, perplexity: float) -> np.ndarray:
    """The exact method's P: (P_cond + P_cond^T) / sum, off-diagonal entries at least eps (as
    scikit-learn's condensed P), zero diagonal; (n, n) float64."""
    conditional = conditional_probabilities(sqd, perplexity, exclude_self=True)
    p = conditional + conditional.T
    p /= max(p.sum(), MACHINE_EPSILON)
    np.maximum(p, MACHINE_EPSILON, out=p)
    np.fill_diagonal(p, 0.0)
    return p


def nearest_neighbors(x: np.ndarray, k: int, *, chunk_elements: int = 4_000_000):
    """The k nearest other points of every row of x (exact, Euclidean): (indices, squared
    distances), both (n, k), sorted by distance. A point is never its own neighbour (by
    index: a duplicate point at distance 0 still is one). Chunks of rows bound the memory."""
    n = len(x)
    chunk = max(1, chunk_elements // max(n, 1))
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k))
    for start in range(0, n, chunk):
        rows = np.arange(start, min(start + chunk, n))
        d2 = squared_distances(x[rows], x)
        d2[np.arange(len(rows)), rows] = np.inf
        nearest = np.argpartition(d2, k - 1, axis=1)[:, :k] if k < n - 1 else \
            np.argsort(d2, axis=1)[:, :k]
        near_d2 = np.take_along_axis(d2, nearest, axis=1)
        order = np.argsort(near_d2, axis=1, kind="stable")
        indices[rows] = np.take_along_axis(nearest, order, axis=1)
        distances[rows] = np.take_along_axis(near_d2, order, axis=1)
    return indices, distances


class SparseAffinities:
    """The Barnes-Hut method's symmetric P over the neighbour graph, as CSR-ordered edges:
    `rows`, `cols`, `values` hold every ordered pair (i, j) with p_ij > 0 (both directions),
    sorted by (row, col); `indptr` is the CSR row pointer. Values sum to 1.

    `upper_rows`, `upper_cols`, `upper_values` hold each edge once (row < col): P is
    symmetric, so the gradient's edge sums visit half the edges and add to both ends."""

    def __init__(self, rows, cols, values, n):
        self.rows, self.cols, self.values, self.n = rows, cols, values, n
        self.indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))])
        upper = rows < cols
        self.upper_rows, self.upper_cols = rows[upper], cols[upper]
        self.upper_values = values[upper]

    def __mul__(self, factor: float) -> "SparseAffinities":
        """The same graph with every value times `factor` (early exaggeration)."""
        return SparseAffinities(self.rows, self.cols, self.values * factor, self.n)

    def to_dense(self) -> np.ndarray:
        dense = np.zeros((self.n, self.n))
        dense[self.rows, self.cols] = self.values
        return dense


def sparse_joint_probabilities(neighbors: np.ndarray, sqd: np.ndarray,
                               perplexity: float) -> SparseAffinities:
    """P over the kNN graph: conditional p_{j|i} over each row's k neighbours, then
    P + P^T (an edge found from both ends sums its two values) normalised to sum 1 - what
    scikit-learn's `_joint_probabilities_nn` does with sparse matrices."""
    n, k = neighbors.shape
    conditional = conditional_probabilities(sqd, perplexity, exclude_self=False)
    rows = np.repeat(np.arange(n), k)
    cols = neighbors.ravel()
    # both directions; equal keys (row, col) are one edge: sum them
    keys = np.concatenate([rows * n + cols, cols * n + rows])
    values = np.concatenate([conditional.ravel(), conditional.ravel()])
    unique_keys, inverse = np.unique(keys, return_inverse=True)
    summed = np.bincount(inverse, weights=values, minlength=len(unique_keys))
    summed /= max(summed.sum(), MACHINE_EPSILON)
    return SparseAffinities(unique_keys // n, unique_keys % n, summed, n)
