"""TSNE against scikit-learn: its affinities (`_joint_probabilities`, `_joint_probabilities_nn`),
the KL gradient against torch autograd, Barnes-Hut against the exact gradient, the KL it
reports, trustworthiness on digits, determinism, bad input, and the estimator checks."""

import numpy as np
import pytest
import torch
from scipy.spatial.distance import pdist, squareform
from sklearn.datasets import load_digits
from sklearn.manifold import trustworthiness
from sklearn.manifold._t_sne import _joint_probabilities, _joint_probabilities_nn
from sklearn.metrics import pairwise_distances
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.estimator_checks import parametrize_with_checks

from gradcraft.classic import TSNE
from gradcraft.classic.affinities import (joint_probabilities, nearest_neighbors,
                                          sparse_joint_probabilities)
from gradcraft.classic.tsne import (barnes_hut_kl_and_gradient, exact_kl_and_gradient,
                                    fft_kl_and_gradient, sparse_kl_and_gradient)
from gradcraft.classic.fft_repulsion import repulsion_fft


@pytest.fixture(scope="module")
def digits():
    return load_digits().data.astype(np.float64)


@pytest.fixture(scope="module")
def small(digits):
    return digits[:300]


# ------------------------------------------------------------------ affinities

@pytest.mark.parametrize("perplexity", [5.0, 30.0])
def test_exact_p_is_sklearns(small, perplexity):
    distances = pairwise_distances(small, squared=True)
    expected = squareform(_joint_probabilities(distances, perplexity, 0))
    got = joint_probabilities(distances, perplexity)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-18)
    assert got.sum() == pytest.approx(1.0)


def test_neighbours_are_sklearns(small):
    idx, d2 = nearest_neighbors(small, 90, chunk_elements=10_000)  # several chunks
    dist, expected_idx = NearestNeighbors(n_neighbors=90).fit(small).kneighbors()
    np.testing.assert_allclose(d2, dist ** 2, rtol=1e-9, atol=1e-8)
    # ties may be ordered differently; the sets of neighbours at distinct distances agree
    assert np.mean(np.sort(idx, 1) == np.sort(expected_idx, 1)) > 0.99


def test_sparse_p_is_sklearns_given_the_same_neighbours(small):
    from scipy.sparse import csr_matrix
    k = 91
    dist, idx = NearestNeighbors(n_neighbors=k).fit(small).kneighbors()
    n = len(small)
    graph = csr_matrix(((dist ** 2).ravel(), idx.ravel(), np.arange(0, n * k + 1, k)), shape=(n, n))
    expected = _joint_probabilities_nn(graph, 30.0, 0).toarray()
    got = sparse_joint_probabilities(idx, dist ** 2, 30.0)
    np.testing.assert_allclose(got.to_dense(), expected, rtol=1e-6, atol=1e-18)
    assert np.all(np.diff(got.rows) >= 0)  # CSR order


# ------------------------------------------------------------------ the objective

def _torch_kl(p, y, dof):
    yt = torch.tensor(y, requires_grad=True)
    pt = torch.tensor(p)
    d2 = ((yt[:, None, :] - yt[None, :, :]) ** 2).sum(-1)
    w = (1 + d2 / dof) ** (-(dof + 1) / 2)
    off = ~torch.eye(len(p), dtype=torch.bool)
    q = w[off] / w[off].sum()
    kl = (pt[off] * torch.log(pt[off] / q)).sum()
    kl.backward()
    return kl.item(), yt.grad.numpy()


@pytest.mark.parametrize("n_components", [2, 3])
def test_exact_gradient_is_torch_autograd_of_kl(n_components):
    rng = np.random.default_rng(0)
    n = 40
    p = rng.random((n, n))
    p = p + p.T
    np.fill_diagonal(p, 0.0)
    p /= p.sum()
    y = rng.normal(size=(n, n_components))
    dof = max(n_components - 1, 1)
    expected_kl, expected_grad = _torch_kl(p, y, dof)
    kl, grad = exact_kl_and_gradient(p, y, float(dof))
    assert kl == pytest.approx(expected_kl, rel=1e-12)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-9, atol=1e-13)


def _sparse_problem(small):
    idx, d2 = nearest_neighbors(small, 91)
    p = sparse_joint_probabilities(idx, d2, 30.0)
    y = np.random.default_rng(1).normal(size=(len(small), 2)) * 5
    return p, y


def test_barnes_hut_with_angle_0_is_the_exact_gradient(small):
    p, y = _sparse_problem(small)
    dense = p.to_dense()
    _, expected = exact_kl_and_gradient(dense, y)
    _, got = barnes_hut_kl_and_gradient(p, y, 0.0)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10 * np.abs(expected).max())
    # and its KL over the edges is the dense KL (the zero entries of P contribute nothing)
    expected_kl, _, = _torch_kl(np.where(dense > 0, dense, 1e-300), y, 1)
    assert barnes_hut_kl_and_gradient(p, y, 0.0)[0] == pytest.approx(expected_kl, rel=1e-6)


def test_barnes_hut_error_shrinks_with_the_angle(small):
    p, y = _sparse_problem(small)
    _, exact = exact_kl_and_gradient(p.to_dense(), y)
    errors = []
    for angle in (0.5, 0.2, 0.05):
        _, got = barnes_hut_kl_and_gradient(p, y, angle)
        errors.append(np.linalg.norm(got - exact) / np.linalg.norm(exact))
    assert errors[0] < 0.05
    assert errors[2] < errors[1] < errors[0]


def test_fft_gradient_is_close_to_the_exact_one(small):
    p, y = _sparse_problem(small)
    # below 1000 points the 'fft' method sums directly: exact
    _, exact = exact_kl_and_gradient(p.to_dense(), y)
    np.testing.assert_allclose(fft_kl_and_gradient(p, y)[1], exact, rtol=1e-9, atol=1e-14)
    interpolated = lambda emb: repulsion_fft(emb, direct_below=0)  # noqa: E731
    for scale in (1.0, 2.0):  # a grid of the least size, and one of boxes of side 1
        exact_kl, exact = exact_kl_and_gradient(p.to_dense(), y * scale)
        kl, got = sparse_kl_and_gradient(p, y * scale, interpolated)
        # about Barnes-Hut's error at angle 0.5 (FIt-SNE's defaults: 3 nodes a box of side 1)
        assert np.linalg.norm(got - exact) / np.linalg.norm(exact) < 0.05
        assert kl == pytest.approx(exact_kl, rel=1e-3)


def test_one_dimensional_embedding_is_the_two_dimensional_one_on_a_line(small):
    p, y = _sparse_problem(small)
    line = y[:, :1]
    _, expected = exact_kl_and_gradient(p.to_dense(), line)
    _, got = barnes_hut_kl_and_gradient(p, line, 0.0)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------ fitting

def test_kl_divergence_is_the_kl_of_the_embedding(small):
    model = TSNE(method="exact", perplexity=20.0, n_iter=300, random_state=0).fit(small)
    p = _joint_probabilities(pairwise_distances(small, squared=True), 20.0, 0)
    w = 1.0 / (1.0 + pdist(model.embedding_, "sqeuclidean"))
    q = np.maximum(w / (2.0 * w.sum()), np.finfo(float).eps)
    expected = 2.0 * np.dot(p, np.log(p / q))
    assert model.kl_divergence_ == pytest.approx(expected, rel=1e-9)
    assert model.n_iter_ == 299 and model.embedding_.shape == (300, 2)
    assert model.learning_rate_ == 50.0  # max(300 / 12 / 4, 50)


@pytest.mark.parametrize("method", ["exact", "barnes_hut"])
def test_trustworthiness_on_a_digits_subset_is_sklearns(digits, method):
    from sklearn.manifold import TSNE as SklearnTSNE
    from threadpoolctl import threadpool_limits
    x = digits[::5]  # 360 points of every class
    settings = dict(method=method, perplexity=30.0, init="pca", random_state=0, max_iter=500)
    ours = trustworthiness(x, TSNE(**settings).fit_transform(x), n_neighbors=5)
    with threadpool_limits(1):  # OpenMP threads only fight over a shared machine
        theirs = trustworthiness(x, SklearnTSNE(**settings).fit_transform(x), n_neighbors=5)
    assert abs(ours - theirs) <= 0.01


# scikit-learn 1.9.1, TSNE(random_state=0) (perplexity 30, init='pca', 1000 iterations) on
# all 1797 digits: trustworthiness(n_neighbors=5) of its embeddings. Measured once; running
# them here would take over a minute.
SKLEARN_DIGITS_TRUSTWORTHINESS = {"exact": 0.9950581569866926, "barnes_hut": 0.9949664570445805}


def test_trustworthiness_on_all_digits_is_sklearns(digits):
    # the fastest of our methods on the full set; the others are compared on the subset above
    score = trustworthiness(digits, TSNE(method="fft", random_state=0).fit_transform(digits),
                            n_neighbors=5)
    for expected in SKLEARN_DIGITS_TRUSTWORTHINESS.values():
        assert abs(score - expected) <= 0.01


@pytest.mark.parametrize("method", ["exact", "barnes_hut", "fft"])
def test_same_random_state_same_embedding(small, method):
    fit = lambda seed: TSNE(method=method, init="random", n_iter=260, random_state=seed  # noqa: E731
                            ).fit_transform(small[:150])
    first = fit(3)
    np.testing.assert_array_equal(first, fit(3))
    assert not np.allclose(first, fit(4))


def test_init_array_is_the_start(small):
    start = np.random.default_rng(0).normal(size=(100, 2)) * 1e-4
    model = TSNE(method="exact", init=start, n_iter=1, perplexity=10.0).fit(small[:100])
    assert np.abs(model.embedding_ - start).max() < 1e-2  # one small step from it
    assert model.n_iter_ == 0


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(perplexity=100.0), ValueError, r"perplexity \(100.0\) must be less than n_samples \(50\)"),
    (dict(perplexity="30"), TypeError, "perplexity must be a real number"),
    (dict(method="barnes_hut", n_components=3), ValueError, "n_components must be 1 or 2"),
    (dict(method="foo"), ValueError, "method must be one of 'exact', 'barnes_hut', 'fft', got 'foo'"),
    (dict(learning_rate=0.0), ValueError, "learning_rate must be > 0, got 0.0"),
    (dict(learning_rate=-5), ValueError, "learning_rate must be > 0"),
    (dict(learning_rate="fast"), ValueError, "learning_rate must be 'auto' or a number"),
    (dict(angle=1.5), ValueError, "angle must be in"),
    (dict(metric="cosine"), ValueError, "metric must be one of 'euclidean'"),
    (dict(init="spectral"), ValueError, "init must be one of 'pca', 'random'"),
    (dict(init=np.zeros((3, 2))), ValueError, r"init must have shape \(n_samples, n_components\)"),
    (dict(n_iter=2.5), TypeError, "n_iter must be an int"),
    (dict(n_iter=300, max_iter=400), ValueError, "n_iter and max_iter"),
])
def test_bad_arguments_name_themselves(small, kwargs, error, match):
    kwargs = {"perplexity": 10.0, **kwargs}
    with pytest.raises(error, match=match):
        TSNE(**kwargs).fit(small[:50])


def test_one_sample_is_refused():
    with pytest.raises(ValueError, match="1 sample"):
        TSNE(perplexity=0.5).fit(np.ones((1, 4)))


def test_max_iter_is_accepted(small):
    assert TSNE(method="exact", max_iter=5, perplexity=5.0).fit(small[:40]).n_iter_ == 4


# ------------------------------------------------------------------ estimator checks

# scikit-learn runs its checks on TSNE(perplexity=2); fewer iterations keep them quick
@parametrize_with_checks([TSNE(perplexity=2, max_iter=250, method="exact"),
                          TSNE(perplexity=2, max_iter=250, method="barnes_hut"),
                          TSNE(perplexity=2, max_iter=250, method="fft")])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
