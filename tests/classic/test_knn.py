"""KNNClassifier against scikit-learn's KNeighborsClassifier(algorithm='brute'), against exact
integer arithmetic where ties decide, and scikit-learn's estimator checks."""

import functools

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from gradcraft.classic import KNNClassifier
from gradcraft.classic import knn as knn_module

SKLEARN_METRIC = {"l2": "euclidean", "l1": "manhattan", "cosine": "cosine"}
METRICS = tuple(SKLEARN_METRIC)
WEIGHTS = ("uniform", "distance")


def reference(k, metric="l2", weights="uniform"):
    return KNeighborsClassifier(n_neighbors=k, metric=SKLEARN_METRIC[metric], weights=weights,
                                algorithm="brute")


@functools.cache  # the arrays are shared: tests copy before writing into them
def digits_split(jitter):
    """digits (integer pixels 0..16: many exact distance ties), or with a small jitter that
    leaves no ties, so that neighbour indices are defined for scikit-learn too."""
    x, y = load_digits(return_X_y=True)
    if jitter:
        x = x + np.random.default_rng(0).normal(0.0, 1e-3, x.shape)
    return x[:1400], y[:1400], x[1400:]


@functools.cache
def random_split():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(700, 12))
    y = rng.integers(0, 4, size=700)
    return x[:500], y[:500], x[500:]


DATASETS = {"jittered digits": lambda: digits_split(jitter=True), "random": random_split}


@pytest.mark.parametrize("data", DATASETS)
@pytest.mark.parametrize("k", [1, 3, 5])
@pytest.mark.parametrize("weights", WEIGHTS)
@pytest.mark.parametrize("metric", METRICS)
def test_matches_sklearn(data, k, weights, metric):
    x, y, tx = DATASETS[data]()
    ours = KNNClassifier(k=k, metric=metric, weights=weights).fit(x, y)
    theirs = reference(k, metric, weights).fit(x, y)
    distances, indices = ours.kneighbors(tx)
    expected_distances, expected_indices = theirs.kneighbors(tx)
    np.testing.assert_array_equal(indices, expected_indices)
    np.testing.assert_allclose(distances, expected_distances, rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(ours.predict(tx), theirs.predict(tx))
    np.testing.assert_allclose(ours.predict_proba(tx), theirs.predict_proba(tx), rtol=1e-10, atol=1e-12)
    assert ours.score(tx, theirs.predict(tx)) == 1.0


@pytest.mark.parametrize("metric", METRICS)
def test_distances_match_sklearn_with_ties(metric):
    # raw digits: the neighbours' order among ties is scikit-learn's own, but the sorted
    # distances are defined
    x, y, tx = digits_split(jitter=False)
    distances, _ = KNNClassifier(k=6, metric=metric).fit(x, y).kneighbors(tx)
    expected, _ = reference(6, metric).fit(x, y).kneighbors(tx)
    np.testing.assert_allclose(distances, expected, rtol=1e-10, atol=1e-10)


def test_kneighbors_of_the_training_set_excludes_each_point():
    x, y, _ = digits_split(jitter=True)
    ours = KNNClassifier(k=4).fit(x, y)
    theirs = reference(4).fit(x, y)
    distances, indices = ours.kneighbors()
    expected_distances, expected_indices = theirs.kneighbors()
    np.testing.assert_array_equal(indices, expected_indices)
    np.testing.assert_allclose(distances, expected_distances, rtol=1e-10, atol=1e-10)
    assert not (indices == np.arange(len(x))[:, None]).any()
    only = ours.kneighbors(x[:5], n_neighbors=2, return_distance=False)
    np.testing.assert_array_equal(only, theirs.kneighbors(x[:5], n_neighbors=2, return_distance=False))


def test_float32_input_stays_float32_and_matches_sklearn():
    x, y, tx = random_split()
    x32, tx32 = x.astype(np.float32), tx.astype(np.float32)
    ours = KNNClassifier(k=3).fit(x32, y)
    distances, indices = ours.kneighbors(tx32)
    expected_distances, expected_indices = reference(3).fit(x32, y).kneighbors(tx32)
    assert distances.dtype == np.float32
    np.testing.assert_array_equal(indices, expected_indices)
    np.testing.assert_allclose(distances, expected_distances, rtol=1e-5)
    # float64 test data is cast to the training data's float32
    np.testing.assert_array_equal(ours.kneighbors(tx)[1], indices)


def test_string_labels():
    x, y, tx = digits_split(jitter=True)
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
    ours = KNNClassifier(k=3).fit(x, names[y])
    theirs = reference(3).fit(x, names[y])
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    np.testing.assert_array_equal(ours.predict(tx), theirs.predict(tx))
    np.testing.assert_allclose(ours.predict_proba(tx), theirs.predict_proba(tx))


# -- ties -------------------------------------------------------------------------------------


def exact_nearest(x, tx, k, metric):
    """The k nearest by (distance, training index), from integer arithmetic."""
    difference = tx[:, None, :].astype(np.int64) - x[None, :, :].astype(np.int64)
    if metric == "l2":
        distance = (difference ** 2).sum(axis=2)
    else:
        distance = np.abs(difference).sum(axis=2)
    index = np.broadcast_to(np.arange(len(x)), distance.shape)
    return np.lexsort((index, distance), axis=1)[:, :k]


def grid_ties():
    # 27 distinct points, each repeated ~45 times in a random order, and queries on and off the
    # grid: the k nearest are a few among dozens of equally distant points
    rng = np.random.default_rng(2)
    x = rng.integers(0, 3, size=(1200, 3))
    tx = rng.integers(-1, 4, size=(150, 3))
    return x, tx


def planted_duplicates():
    # integer points with a few exact copies of each query's own point planted at random places
    rng = np.random.default_rng(3)
    x = rng.integers(0, 17, size=(1500, 16))
    tx = rng.integers(0, 17, size=(120, 16))
    for point in tx:
        x[rng.choice(len(x), size=rng.integers(2, 8), replace=False)] = point
    return x, tx


def small_ties():
    # a training set too small for blocks: whole-row selection
    rng = np.random.default_rng(4)
    return rng.integers(0, 2, size=(25, 2)), rng.integers(0, 2, size=(30, 2))


@pytest.mark.parametrize("metric", ["l2", "l1"])
@pytest.mark.parametrize("k", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("make", [grid_ties, planted_duplicates, small_ties])
def test_equal_distances_go_to_the_lower_training_index(make, k, metric):
    x, tx = make()
    y = np.arange(len(x)) % 3
    expected = exact_nearest(x, tx, k, metric)
    for chunk_size in (None, 1, 7):
        model = KNNClassifier(k=k, metric=metric, chunk_size=chunk_size).fit(x.astype(float), y)
        np.testing.assert_array_equal(model.kneighbors(tx.astype(float))[1], expected)


def test_vote_ties_go_to_the_smallest_label_as_in_sklearn():
    x, y, tx = random_split()
    for k in (2, 4):
        for labels in (y, np.array(["d", "c", "b", "a"])[y]):
            ours = KNNClassifier(k=k).fit(x, labels)
            predicted = ours.predict(tx)
            np.testing.assert_array_equal(predicted, reference(k).fit(x, labels).predict(tx))
            # and the rule itself, on the rows whose vote is tied
            votes = labels[ours.kneighbors(tx)[1]]
            tied = [i for i, row in enumerate(votes)
                    if sorted(np.unique(row, return_counts=True)[1])[-2:] == [k // 2, k // 2]]
            assert len(tied) > 10
            for i in tied:
                assert predicted[i] == min(np.unique(votes[i]))


def test_distance_weights_at_zero_distance():
    # two training points coincide with the query: they vote with weight 1 each, the third
    # neighbour (distance 1) with weight 0, as in scikit-learn
    x = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [5.0, 5.0]])
    y = np.array([0, 1, 1, 0])
    tx = np.array([[0.0, 0.0], [2.0, 0.0]])
    proba = KNNClassifier(k=3, weights="distance").fit(x, y).predict_proba(tx)
    # second query: distances 1, 2, 2 -> weights 1, 1/2, 1/2 for labels 1, 0, 1
    np.testing.assert_allclose(proba, [[0.5, 0.5], [0.25, 0.75]])
    np.testing.assert_allclose(proba, reference(3, weights="distance").fit(x, y).predict_proba(tx))


def test_distance_weights_on_training_points_match_sklearn():
    x, y, _ = digits_split(jitter=True)
    ours = KNNClassifier(k=3, weights="distance").fit(x, y)
    np.testing.assert_allclose(ours.predict_proba(x[:200]),
                               reference(3, weights="distance").fit(x, y).predict_proba(x[:200]))


def test_cosine_with_zero_vectors_matches_sklearn():
    x, y, tx = random_split()
    x, tx = x.copy(), tx.copy()
    x[5] = 0.0
    tx[:3] = 0.0  # at distance 1 from everything: the k lowest indices
    distances, indices = KNNClassifier(k=3, metric="cosine").fit(x, y).kneighbors(tx)
    expected, _ = reference(3, "cosine").fit(x, y).kneighbors(tx)
    np.testing.assert_allclose(distances, expected, atol=1e-12)
    np.testing.assert_array_equal(indices[:3], [[0, 1, 2]] * 3)


# -- chunking ---------------------------------------------------------------------------------


@pytest.mark.parametrize("metric", METRICS)
def test_chunk_size_does_not_change_results(metric, monkeypatch):
    x, y, tx = digits_split(jitter=False)
    tx = tx[:150]
    baseline = KNNClassifier(k=5, metric=metric, weights="distance").fit(x, y)
    distances, indices = baseline.kneighbors(tx)
    proba = baseline.predict_proba(tx)
    # l1 also cuts the training set into blocks: make them small, so both loops run many times
    monkeypatch.setattr(knn_module, "L1_BLOCK_BYTES", 3 * 64 * 8 * 100)
    for chunk_size in (1, 2, 7, 64, 10_000):
        model = KNNClassifier(k=5, metric=metric, weights="distance", chunk_size=chunk_size).fit(x, y)
        chunk_distances, chunk_indices = model.kneighbors(tx)
        np.testing.assert_array_equal(chunk_indices, indices)
        if metric == "cosine":  # a GEMM of other shapes may round the last bit differently
            np.testing.assert_allclose(chunk_distances, distances, rtol=1e-14, atol=1e-15)
        else:  # integer data: every distance is exact
            np.testing.assert_array_equal(chunk_distances, distances)
        np.testing.assert_allclose(model.predict_proba(tx), proba, rtol=1e-13)


def test_default_chunk_keeps_to_the_memory_budget(monkeypatch):
    x, y, tx = random_split()
    monkeypatch.setattr(knn_module, "CHUNK_BYTES", 8 * 500 * 9)  # room for 9 rows of 500
    seen = []
    original = knn_module._fill_keys

    def spy(metric, queries, *rest):
        seen.append(len(queries))
        return original(metric, queries, *rest)

    monkeypatch.setattr(knn_module, "_fill_keys", spy)
    KNNClassifier(k=3).fit(x, y).predict(tx)
    assert max(seen) <= 9 and sum(seen) == len(tx)


# -- scikit-learn's estimator checks ----------------------------------------------------------


@parametrize_with_checks([KNNClassifier(), KNNClassifier(k=3, metric="l1", weights="distance"),
                          KNNClassifier(k=2, metric="cosine", chunk_size=3)])
def test_sklearn_estimator_checks(estimator, check):
    # none is skipped here; scikit-learn itself skips its pandas checks when pandas is not
    # installed and its array-API checks unless SCIPY_ARRAY_API is set
    check(estimator)


# -- bad input --------------------------------------------------------------------------------


def test_k_larger_than_the_training_set():
    x, y, tx = random_split()
    with pytest.raises(ValueError, match=r"k=501 is larger than the training set \(500 samples\)"):
        KNNClassifier(k=501).fit(x, y)
    model = KNNClassifier(k=3).fit(x, y)
    with pytest.raises(ValueError, match=r"n_neighbors=501 .*500 samples"):
        model.kneighbors(tx, n_neighbors=501)
    with pytest.raises(ValueError, match=r"n_neighbors=500 .*query point itself \(499 samples\)"):
        model.kneighbors(n_neighbors=500)
    model.set_params(k=600)
    with pytest.raises(ValueError, match=r"k=600 .*500 samples"):
        model.predict(tx)


def test_feature_count_must_match_fit():
    x, y, tx = random_split()
    model = KNNClassifier().fit(x, y)
    with pytest.raises(ValueError, match="X has 11 features, but KNNClassifier is expecting 12"):
        model.predict(tx[:, :11])


def test_predict_before_fit():
    with pytest.raises(NotFittedError):
        KNNClassifier().predict(np.zeros((2, 3)))


@pytest.mark.parametrize("params, error, message", [
    ({"metric": "foo"}, ValueError, r"metric must be one of 'l2', 'l1', 'cosine', got 'foo'"),
    ({"weights": "foo"}, ValueError, r"weights must be one of 'uniform', 'distance', got 'foo'"),
    ({"k": 0}, ValueError, r"k must be a positive int, got 0"),
    ({"k": 1.5}, TypeError, r"k must be an int, got 1.5 \(float\)"),
    ({"chunk_size": 0}, ValueError, r"chunk_size must be a positive int, got 0"),
])
def test_bad_parameters(params, error, message):
    x, y, _ = random_split()
    with pytest.raises(error, match=message):
        KNNClassifier(**params).fit(x, y)


def test_bad_kneighbors_arguments():
    x, y, tx = random_split()
    model = KNNClassifier().fit(x, y)
    with pytest.raises(TypeError, match=r"n_neighbors must be an int, got 2.0 \(float\)"):
        model.kneighbors(tx, n_neighbors=2.0)
    with pytest.raises(TypeError, match=r"return_distance must be True or False, got 'yes'"):
        model.kneighbors(tx, return_distance="yes")


# -- real data --------------------------------------------------------------------------------


def test_mnist_subset_matches_sklearn(mnist_root):
    from gradcraft.data import load_mnist

    arrays = load_mnist(mnist_root)
    x = arrays["train_images"][:10_000].reshape(10_000, -1).astype(np.float32) / np.float32(255)
    y = arrays["train_labels"][:10_000]
    tx = arrays["test_images"][:2_000].reshape(2_000, -1).astype(np.float32) / np.float32(255)
    ty = arrays["test_labels"][:2_000]
    predicted = KNNClassifier(k=3).fit(x, y).predict(tx)
    expected = reference(3).fit(x, y).predict(tx)
    np.testing.assert_array_equal(predicted, expected)
    # the first 2,000 test images are the harder half: 92.35% with this training subset
    assert np.mean(predicted == ty) > 0.92
