"""k-nearest-neighbour classification: KNNClassifier.

Brute force, fully vectorised: the test rows are taken a chunk at a time (`chunk_size`), and
each chunk's distances to the whole training set are one array, filled by one GEMM (l2,
cosine) or by blocks of a broadcast |a - b| (l1). The k nearest are then chosen without sorting
or partitioning whole rows (see `_nearest_columns`), with ties always going to the lower
training index.
"""

from __future__ import annotations

from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..backend import xp
from ..validation import check_bool, check_choice, check_int

__all__ = ["KNNClassifier"]

METRICS = ("l2", "l1", "cosine")
WEIGHTS = ("uniform", "distance")

#: what one chunk's distance array (chunk rows x training samples) may take when `chunk_size`
#: is None; the chunk's other arrays are a few percent of it. On MNIST the GEMM ran fastest
#: with 768 to 1,024 test rows a chunk (4.7 s for 10,000 rows; 5.1 s with 256)
CHUNK_BYTES = 192 * 2**20
#: the l1 metric's broadcast |a - b| temporary (test rows x training rows x features): kept
#: about cache-sized, since it is written and summed at once
L1_BLOCK_BYTES = 4 * 2**20
#: test rows per l1 block (training rows per block follow from L1_BLOCK_BYTES)
L1_BLOCK_ROWS = 16


class KNNClassifier(ClassifierMixin, BaseEstimator):
    """k-nearest-neighbour classifier (brute force), scikit-learn's KNeighborsClassifier
    (algorithm='brute') under the course's names.

    Parameters
    ----------
    k : int, default 1
        Neighbours that vote (scikit-learn's `n_neighbors`); at most the training set's size.
    metric : {'l2', 'l1', 'cosine'}, default 'l2'
        Euclidean, Manhattan, or cosine distance 1 - a.b / (|a| |b|) (a zero vector is at
        distance 1 from everything, as in scikit-learn).
    weights : {'uniform', 'distance'}, default 'uniform'
        'distance' weighs each neighbour by 1 / distance; a test point that coincides with
        training points (distance 0) gets their votes only, each weighing 1 (scikit-learn's rule).
    chunk_size : int or None, default None
        Test rows whose distances to the whole training set are computed at once: memory is
        about chunk_size x n_train x itemsize bytes. None takes as many rows as fit in
        `CHUNK_BYTES` (192 MiB): about 840 rows for MNIST's 60,000 float32 training images.

    Distances are computed in the training data's dtype (float32 stays float32, other input
    becomes float64; test data is cast to it): l2 as sqrt(max(|a|^2 - 2 a.b + |b|^2, 0)), cosine
    as 1 - a.b / (|a| |b|) clipped to [0, 2], l1 as the sum of |a - b|.

    Ties. Among training points at the same distance the lower training index is the nearer
    (kneighbors lists it first, and it is the one chosen when only some of the tied points fit
    among the k). scikit-learn leaves that order unspecified. A vote tie goes to the smallest
    class label (the first of `classes_`), as scikit-learn's. Ties are judged on the computed
    distances: exact ones (duplicates, integer-valued data) always follow the rule, while two
    distances equal in exact arithmetic may differ in their last bit after rounding.

    `metric` is read by `fit` (it prepares the training norms for it); `k` and `weights` are
    read at prediction time, as scikit-learn reads its `n_neighbors` and `weights`.

    Attributes: `classes_` (sorted labels: ints, strings, anything np.unique sorts),
    `n_features_in_`, `n_samples_fit_`, and `feature_names_in_` for a DataFrame.
    """

    def __init__(self, k=1, metric="l2", weights="uniform", chunk_size=None):
        self.k = k
        self.metric = metric
        self.weights = weights
        self.chunk_size = chunk_size

    def fit(self, X, y):
        """Store the training set (no copy when it is already float32 or float64). Returns self."""
        k = check_int(self.k, "k", low=1)
        metric = check_choice(self.metric, "metric", METRICS)
        check_choice(self.weights, "weights", WEIGHTS)
        self._checked_chunk_size()
        X, y = validate_data(self, X, y, dtype=[xp.float64, xp.float32])
        check_classification_targets(y)
        _check_neighbours(k, "k", X.shape[0])
        self.classes_, self._y = xp.unique(y, return_inverse=True)
        self._fit_X = X
        self._fit_metric = metric  # what _train_norms were computed for
        self._train_norms = _train_norms(metric, X)
        self.n_samples_fit_ = X.shape[0]
        return self

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        """(distances, indices) of each row's n_neighbors nearest training points, nearest first
        (equal distances: lower index first), as scikit-learn's `kneighbors`.

        X=None queries the training set itself, each point not counting as its own neighbour.
        n_neighbors defaults to `k`. Distances have the training data's dtype.
        """
        check_is_fitted(self)
        name = "k" if n_neighbors is None else "n_neighbors"
        n_neighbors = check_int(self.k if n_neighbors is None else n_neighbors, name, low=1)
        return_distance = check_bool(return_distance, "return_distance")
        query_is_train = X is None
        if query_is_train:
            queries = self._fit_X
            # the point itself is excluded, so one training point fewer is available
            _check_neighbours(n_neighbors, name, self.n_samples_fit_ - 1,
                              "the training set minus the query point itself")
        else:
            queries = validate_data(self, X, reset=False, dtype=self._fit_X.dtype)
            _check_neighbours(n_neighbors, name, self.n_samples_fit_)
        distances, indices = self._kneighbors(queries, n_neighbors, query_is_train)
        return (distances, indices) if return_distance else indices

    def predict_proba(self, X):
        """Vote shares, (n_samples, n_classes) in the order of `classes_` (float64)."""
        check_is_fitted(self)
        weights = check_choice(self.weights, "weights", WEIGHTS)
        distances, indices = self.kneighbors(X)
        votes = _vote_weights(distances, weights)
        labels = self._y[indices]
        proba = xp.zeros((len(indices), len(self.classes_)))
        rows = xp.arange(len(indices))
        for j in range(indices.shape[1]):  # a loop over the k neighbours, not over test points
            proba[rows, labels[:, j]] += votes[:, j]
        total = proba.sum(axis=1, keepdims=True)
        total[total == 0.0] = 1.0  # all weights 0 cannot happen with 1/d, but never divide by 0
        proba /= total
        return proba

    def predict(self, X):
        """The label with the largest vote share; a tie goes to the first of `classes_`."""
        check_is_fitted(self)
        # argmax returns the first maximum: the smallest label among the tied ones
        return self.classes_[xp.argmax(self.predict_proba(X), axis=1)]

    # -- the search ---------------------------------------------------------------------------

    def _checked_chunk_size(self):
        return None if self.chunk_size is None else check_int(self.chunk_size, "chunk_size", low=1)

    def _kneighbors(self, queries, k, query_is_train):
        train = self._fit_X
        n_train, n_queries = train.shape[0], queries.shape[0]
        layout = _BlockLayout(n_train, k)
        rows = self._checked_chunk_size()
        if rows is None:
            rows = CHUNK_BYTES // (layout.width * train.itemsize)
        rows = max(1, min(rows, n_queries))
        # One distance buffer, reused by every chunk: no page faults after the first, and the
        # padding columns (past n_train) stay +inf, so they are never among the nearest.
        buffer = xp.empty((rows, layout.width), dtype=train.dtype)
        buffer[:, n_train:] = xp.inf
        distances = xp.empty((n_queries, k), dtype=train.dtype)
        indices = xp.empty((n_queries, k), dtype=xp.intp)
        for start in range(0, n_queries, rows):
            stop = min(start + rows, n_queries)
            keys = buffer[:stop - start]
            query_norms = _fill_keys(self._fit_metric, queries[start:stop], train,
                                     self._train_norms, keys[:, :n_train])
            if query_is_train:  # a point is not its own neighbour
                own = xp.arange(stop - start)
                keys[own, start + own] = xp.inf
            columns, nearest_keys = _nearest_columns(keys, n_train, k, layout)
            found = _finish_distances(self._fit_metric, nearest_keys, query_norms)
            # sort the k found only: by distance, then by training index
            order = xp.lexsort((columns, found), axis=-1)
            distances[start:stop] = xp.take_along_axis(found, order, axis=1)
            indices[start:stop] = xp.take_along_axis(columns, order, axis=1)
        return distances, indices


def _check_neighbours(count, name, available, what="the training set"):
    if count > available:
        raise ValueError(f"{name}={count} is larger than {what} ({available} samples); "
                         f"{name} must be <= {available}")


def _vote_weights(distances, weights):
    """scikit-learn's `_get_weights`: ones, or 1/d where a row with a zero distance gives its
    zero-distance neighbours weight 1 and the others 0."""
    if weights == "uniform":
        return xp.ones(distances.shape)
    with xp.errstate(divide="ignore"):
        inverse = 1.0 / distances.astype(xp.float64)
    exact = xp.isinf(inverse)
    exact_rows = exact.any(axis=1)
    inverse[exact_rows] = exact[exact_rows]
    return inverse


# -- distances --------------------------------------------------------------------------------
#
# Each metric fills a chunk's (rows, n_train) array of *keys*: numbers that order the training
# points as the distances do, but cost one pass over the array less. `_finish_distances` turns
# the k keys found per row into distances.
#   l2:     key = |b|^2 - 2 a.b         distance = sqrt(max(key + |a|^2, 0))
#   cosine: key = -a.b / (|a| |b|)      distance = clip(1 + key, 0, 2)
#   l1:     key = distance


def _train_norms(metric, train):
    if metric == "l1":
        return None
    squared = xp.einsum("ij,ij->i", train, train)
    if metric == "l2":
        return squared
    return _inverse_norms(squared)


def _inverse_norms(squared):
    """1/|x|, and 0 for a zero vector (so its similarity with everything is 0)."""
    norms = xp.sqrt(squared)
    inverse = xp.zeros_like(norms)
    xp.divide(1.0, norms, out=inverse, where=norms > 0)
    return inverse


def _fill_keys(metric, queries, train, train_norms, out):
    """Write the keys of `queries` against every training row into `out`; return what
    `_finish_distances` needs from the queries."""
    if metric == "l1":
        _fill_l1(queries, train, out)
        return None
    if metric == "l2":
        # (-2a).b is exactly -2(a.b): scaling by a power of 2 is exact, and it is done on the
        # small chunk, not on the big product
        xp.matmul(queries * queries.dtype.type(-2), train.T, out=out)
        out += train_norms
        return xp.einsum("ij,ij->i", queries, queries)
    inverse = _inverse_norms(xp.einsum("ij,ij->i", queries, queries))
    xp.matmul(queries * -inverse[:, None], train.T, out=out)
    out *= train_norms
    return None


def _fill_l1(queries, train, out):
    """Sum of |a - b| by blocks of (test rows, training rows, features), so the broadcast
    temporary stays within L1_BLOCK_BYTES whatever the sizes."""
    features = train.shape[1]
    test_rows = min(L1_BLOCK_ROWS, queries.shape[0])
    train_rows = max(1, min(train.shape[0], L1_BLOCK_BYTES // (train.itemsize * features * test_rows)))
    block = xp.empty((test_rows, train_rows, features), dtype=train.dtype)
    for i in range(0, queries.shape[0], test_rows):
        a = queries[i:i + test_rows, None, :]
        for j in range(0, train.shape[0], train_rows):
            b = train[None, j:j + train_rows, :]
            difference = block[:a.shape[0], :b.shape[1]]
            xp.subtract(a, b, out=difference)
            xp.abs(difference, out=difference)
            xp.sum(difference, axis=2, out=out[i:i + a.shape[0], j:j + b.shape[1]])


def _finish_distances(metric, keys, query_norms):
    if metric == "l2":
        squared = keys + query_norms[:, None]
        return xp.sqrt(xp.maximum(squared, 0, out=squared), out=squared)
    if metric == "cosine":
        return xp.clip(1 + keys, 0, 2)
    return keys


# -- choosing the k nearest -------------------------------------------------------------------


class _BlockLayout:
    """How a row of n_train keys is cut into blocks for `_nearest_columns`.

    The row is stored padded to `width` = blocks x size columns (padding +inf) and read as a
    (size, blocks) matrix, so block j holds columns j, j + blocks, j + 2 blocks, ...: block minima
    are then one vertical `min` over contiguous rows, the fastest reduction NumPy has.
    size ~ sqrt(n_train / k) balances the two small selections that follow (over `blocks`
    minima, then over k x size candidates). Without enough blocks to pay off (small training
    sets) the row is used whole: blocks is None and width is n_train.
    """

    def __init__(self, n_train, k):
        size = max(1, round((n_train / k) ** 0.5))
        if 4 * k * size > n_train:
            self.blocks, self.size, self.width = None, n_train, n_train
            return
        self.blocks = -(-n_train // size)
        self.size = size
        # the padding (< size <= blocks columns) falls in the last row: no block is all padding
        self.width = self.blocks * size


def _nearest_columns(keys, n_train, k, layout):
    """The training columns of each row's k smallest keys (ties: lower column) and the keys.

    A full-row argpartition is slow: on MNIST (10,000 x 60,000 keys) it alone took 15 s, three
    times the GEMM. This reads each row once (a vertical `min`) and selects among few entries. The k smallest block minima bound the row's k-th smallest key from above
    (they are k distinct entries), so every entry at or below that bound lies in the k blocks
    chosen, provided no other block ties that bound: then the k nearest are found among those k
    blocks' entries alone. A row where block minima do tie at the bound (exact ties) falls back
    to selecting on its whole row.
    """
    rows = keys.shape[0]
    if layout.blocks is None:
        columns = _k_smallest(keys[:, :n_train], k)
        return columns, xp.take_along_axis(keys, columns, axis=1)
    grid = keys.reshape(rows, layout.size, layout.blocks)
    block_min = grid.min(axis=1)
    chosen = xp.argpartition(block_min, k - 1, axis=1)[:, :k]
    bound = xp.take_along_axis(block_min, chosen[:, k - 1:], axis=1)
    clean = xp.count_nonzero(block_min <= bound, axis=1) == k
    columns = xp.empty((rows, k), dtype=xp.intp)
    found = xp.empty((rows, k), dtype=keys.dtype)

    picked = xp.flatnonzero(clean)
    if picked.size:
        # candidates in increasing column order (blocks sorted, read row by row of the grid), so
        # that the lower position among tied candidates is the lower training index
        blocks = xp.sort(chosen[picked], axis=1)[:, None, :]
        within = xp.arange(layout.size)[None, :, None]
        candidates = grid[picked[:, None, None], within, blocks].reshape(len(picked), -1)
        candidate_columns = (within * layout.blocks + blocks).reshape(len(picked), -1)
        position = _k_smallest(candidates, k)
        columns[picked] = xp.take_along_axis(candidate_columns, position, axis=1)
        found[picked] = xp.take_along_axis(candidates, position, axis=1)

    tied = xp.flatnonzero(~clean)
    if tied.size:
        whole = keys[tied, :n_train]
        columns[tied] = _k_smallest(whole, k)
        found[tied] = xp.take_along_axis(whole, columns[tied], axis=1)
    return columns, found


def _k_smallest(values, k):
    """Positions of the k smallest entries of each row (unordered); among equal values the
    lower position wins.

    argpartition picks the k-th smallest value exactly but breaks ties at it arbitrarily. A row
    with more entries at or below that value than k is fixed up: everything strictly below it,
    then the first of the entries equal to it (cumsum counts them in position order).
    """
    chosen = xp.argpartition(values, k - 1, axis=1)[:, :k].copy()  # free the full index array
    kth = xp.take_along_axis(values, chosen[:, k - 1:], axis=1)
    ambiguous = xp.flatnonzero(xp.count_nonzero(values <= kth, axis=1) > k)
    if ambiguous.size:
        rows, bound = values[ambiguous], kth[ambiguous]
        below = rows < bound
        at = rows == bound
        wanted = k - xp.count_nonzero(below, axis=1)
        keep = below | (at & (xp.cumsum(at, axis=1, dtype=xp.int32) <= wanted[:, None]))
        chosen[ambiguous] = xp.nonzero(keep)[1].reshape(len(ambiguous), k)
    return chosen
