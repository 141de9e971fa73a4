"""plot_embedding and plot_decision_regions: the artists drawn, the colours of the regions
against scikit-learn's predictions, the files written and the errors."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression

from gradcraft.viz import plot_decision_regions, plot_embedding

PNG = b"\x89PNG\r\n\x1a\n"


def scatters(axes):
    return [c for c in axes.collections if isinstance(c, PathCollection)]


def blobs(centers=2, seed=0):
    return make_blobs(n_samples=60, centers=centers, n_features=2, cluster_std=0.8,
                      random_state=seed)


# --- plot_embedding --------------------------------------------------------------------------

def test_embedding_has_one_collection_per_class_and_a_legend(tmp_path):
    Y = np.arange(20.0).reshape(10, 2)
    labels = np.array(["b", "a", "c", "a", "b", "a", "c", "a", "b", "a"])
    path = tmp_path / "embedding.png"
    figure = plot_embedding(Y, labels, path=path, title="t-SNE")
    assert isinstance(figure, Figure) and path.read_bytes()[:8] == PNG
    axes, = figure.axes
    drawn = scatters(axes)
    assert [c.get_label() for c in drawn] == ["a", "b", "c"]  # sorted labels
    assert [len(c.get_offsets()) for c in drawn] == [5, 3, 2]
    np.testing.assert_array_equal(drawn[2].get_offsets(), Y[labels == "c"])
    colours = {tuple(c.get_facecolor()[0]) for c in drawn}
    assert len(colours) == 3  # one colour per class
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["a", "b", "c"]
    assert (axes.get_xlabel(), axes.get_ylabel(), axes.get_title()) == \
        ("dimension 1", "dimension 2", "t-SNE")


def test_embedding_of_20_classes_has_20_colours_and_of_21_a_colorbar():
    Y = np.random.default_rng(0).standard_normal((63, 2))
    figure = plot_embedding(Y, np.arange(63) % 20)
    drawn = scatters(figure.axes[0])
    assert len(drawn) == 20 and len({tuple(c.get_facecolor()[0]) for c in drawn}) == 20
    figure = plot_embedding(Y, np.arange(63) % 21)
    assert len(figure.axes) == 2  # the plot and its colorbar
    drawn, = scatters(figure.axes[0])
    assert len(drawn.get_offsets()) == 63 and figure.axes[0].get_legend() is None
    np.testing.assert_array_equal(drawn.get_array(), np.arange(63) % 21)


def test_embedding_without_labels_is_one_collection(tmp_path):
    path = tmp_path / "plain.svg"  # the format follows the suffix
    figure = plot_embedding(np.zeros((4, 2)), path=path)
    drawn, = scatters(figure.axes[0])
    assert len(drawn.get_offsets()) == 4 and figure.axes[0].get_legend() is None
    assert b"<svg" in path.read_bytes()[:400]


@pytest.mark.parametrize("Y, labels, error, words", [
    (np.zeros((5, 3)), None, ValueError, ["Y must have shape (n, 2)", "(5, 3)"]),
    (np.zeros(10), None, ValueError, ["Y must have shape (n, 2)", "(10,)"]),
    (np.zeros((0, 2)), None, ValueError, ["Y has no points"]),
    (np.array([[0.0, np.nan]]), None, ValueError, ["Y contains NaN"]),
    (np.array([["a", "b"]]), None, TypeError, ["Y must be an array of real numbers"]),
    (np.zeros((5, 2)), [0, 1, 0], ValueError, ["labels must have shape (5,)", "(3,)"]),
])
def test_embedding_errors_name_the_argument(Y, labels, error, words):
    with pytest.raises(error) as caught:
        plot_embedding(Y, labels)
    assert all(word in str(caught.value) for word in words), caught.value


def test_embedding_refuses_a_missing_directory():
    with pytest.raises(FileNotFoundError, match="plot_embedding: directory .* does not exist"):
        plot_embedding(np.zeros((2, 2)), path="/nonexistent-dir/e.png")


# --- plot_decision_regions -------------------------------------------------------------------

def region_colour(contours: ContourSet, point) -> tuple:
    """The fill colour of the contour band whose polygons contain `point`."""
    inside = [i for i, path in enumerate(contours.get_paths()) if path.contains_point(point)]
    assert len(inside) == 1, inside
    return tuple(contours.get_facecolor()[inside[0]][:3])


@pytest.mark.parametrize("centers", [2, 3])
def test_regions_far_on_each_side_have_the_colour_of_sklearns_prediction(tmp_path, centers):
    X, y = blobs(centers)
    model = LogisticRegression().fit(X, y)
    path = tmp_path / "regions.png"
    figure = plot_decision_regions(model, X, y, path=path, resolution=120, title="blobs")
    assert path.read_bytes()[:8] == PNG
    axes, = figure.axes
    contours, = [c for c in axes.collections if isinstance(c, ContourSet)]
    drawn = scatters(axes)
    colour_of = {int(c.get_label()): tuple(c.get_facecolor()[0][:3]) for c in drawn}
    assert sorted(colour_of) == list(range(centers)) and len(set(colour_of.values())) == centers
    assert sum(len(c.get_offsets()) for c in drawn) == len(X)
    # the grid covers the data with a margin
    (x_low, x_high), (y_low, y_high) = axes.get_xlim(), axes.get_ylim()
    assert x_low < X[:, 0].min() and X[:, 0].max() < x_high
    assert y_low < X[:, 1].min() and X[:, 1].max() < y_high
    # probes: the centre of each class and the far corners of the grid (just inside)
    inset_x, inset_y = 0.01 * (x_high - x_low), 0.01 * (y_high - y_low)
    probes = [X[y == k].mean(axis=0) for k in range(centers)]
    probes += [(x, y_) for x in (x_low + inset_x, x_high - inset_x)
               for y_ in (y_low + inset_y, y_high - inset_y)]
    predicted = model.predict(np.array(probes))
    for point, label in zip(probes, predicted):
        assert region_colour(contours, point) == pytest.approx(colour_of[label])
    assert set(predicted[:centers]) == set(range(centers))  # every class's region is probed
    assert contours.get_alpha() < 1  # pale regions under opaque points
    assert (axes.get_xlabel(), axes.get_ylabel(), axes.get_title()) == \
        ("feature 1", "feature 2", "blobs")


def test_regions_predicted_once_on_the_grid_with_string_labels():
    X, y = blobs(2)
    names = np.array(["cat", "dog"])[y]
    calls = []

    class Nearest:  # a classifier by hand: the class of the nearer centre
        centres = np.array([X[y == 0].mean(axis=0), X[y == 1].mean(axis=0)])

        def predict(self, grid):
            calls.append(grid.shape)
            distances = ((grid[:, None, :] - self.centres[None]) ** 2).sum(axis=2)
            return np.array(["cat", "dog"])[distances.argmin(axis=1)]

    figure = plot_decision_regions(Nearest(), X, names, resolution=50)
    assert calls == [(2500, 2)]
    axes, = figure.axes
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["cat", "dog"]
    contours, = [c for c in axes.collections if isinstance(c, ContourSet)]
    cat, dog = to_rgba("tab:blue")[:3], to_rgba("tab:orange")[:3]
    assert region_colour(contours, Nearest.centres[0]) == pytest.approx(cat)
    assert region_colour(contours, Nearest.centres[1]) == pytest.approx(dog)


@pytest.mark.parametrize("model, X, y, options, error, words", [
    ("not a model", np.zeros((3, 2)), [0, 1, 0], {}, TypeError, ["model must be a fitted classifier", "'not a model' (str)"]),
    (None, np.zeros((3, 4)), [0, 1, 0], {}, ValueError, ["X must have shape (n, 2) (two features)", "(3, 4)"]),
    (None, np.zeros((3, 2)), [0, 1], {}, ValueError, ["y must have shape (3,)", "(2,)"]),
    (None, np.zeros((3, 2)), [0, 1, 0], {"resolution": 1}, ValueError, ["resolution must be an int >= 2", "1"]),
    (None, np.zeros((3, 2)), [0, 1, 0], {"resolution": 10.0}, TypeError, ["resolution must be an int", "10.0"]),
])
def test_decision_region_errors_name_the_argument(model, X, y, options, error, words):
    if model is None:
        model = LogisticRegression().fit(np.array([[0.0, 0.0], [1.0, 1.0]]), [0, 1])
    with pytest.raises(error) as caught:
        plot_decision_regions(model, X, y, **options)
    assert all(word in str(caught.value) for word in words), caught.value


def test_decision_regions_refuse_a_regressor_like_output():
    class TwoColumns:
        def predict(self, grid):
            return np.zeros((len(grid), 2))

    with pytest.raises(ValueError, match=r"returned shape \(100, 2\); a classifier returns one label"):
        plot_decision_regions(TwoColumns(), np.zeros((3, 2)), [0, 1, 0], resolution=10)


def test_a_failing_save_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "embedding.png"
    path.write_bytes(b"the previous figure")

    def half_written(self, target, **kwargs):
        target.write(b"half")
        raise RuntimeError("the renderer crashed")

    monkeypatch.setattr(Figure, "savefig", half_written)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        plot_embedding(np.zeros((3, 2)), [0, 1, 0], path=path)
    assert path.read_bytes() == b"the previous figure"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["embedding.png"]  # no temporary left
