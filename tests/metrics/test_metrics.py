"""gradcraft.metrics against scikit-learn, plus hand-checked edge cases and error messages."""

import numpy as np
import pytest
import sklearn.metrics as skm

import gradcraft as gc
from gradcraft.metrics import accuracy, confusion_matrix, precision_recall, top_k_error


def random_case(seed, n=200, k=7):
    rng = np.random.default_rng(seed)
    scores = rng.normal(size=(n, k)).astype(np.float32)
    labels = rng.integers(0, k, size=n)
    return scores, labels


@pytest.mark.parametrize("seed", range(4))
def test_accuracy_matches_sklearn_for_scores_and_predictions(seed):
    scores, labels = random_case(seed)
    predicted = scores.argmax(axis=1)
    expected = skm.accuracy_score(labels, predicted)
    assert accuracy(scores, labels) == pytest.approx(expected, abs=1e-15)
    assert accuracy(predicted, labels) == pytest.approx(expected, abs=1e-15)
    assert accuracy(gc.tensor(scores), gc.tensor(labels)) == pytest.approx(expected, abs=1e-15)
    assert isinstance(accuracy(scores, labels), float)


def test_accuracy_by_hand():
    assert accuracy(np.array([0, 1, 2, 2]), np.array([0, 1, 1, 2])) == 0.75
    assert accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 1])) == 0.5


@pytest.mark.parametrize("seed, k", [(0, 1), (1, 2), (2, 3), (3, 5), (4, 6)])
def test_top_k_error_matches_sklearn(seed, k):
    scores, labels = random_case(seed)
    expected = 1.0 - skm.top_k_accuracy_score(labels, scores, k=k, labels=np.arange(7))
    assert top_k_error(scores, labels, k=k) == pytest.approx(expected, abs=1e-12)


def test_top_k_error_by_hand_including_ties():
    scores = np.array([[0.1, 0.5, 0.4, 0.0],   # label 2 is 2nd
                       [0.9, 0.1, 0.2, 0.3],   # label 1 is 4th
                       [0.2, 0.2, 0.1, 0.0]])  # label 1 ties for 1st: counts as in the top 1
    labels = np.array([2, 1, 1])
    assert top_k_error(scores, labels, k=1) == pytest.approx(2 / 3)
    assert top_k_error(scores, labels, k=2) == pytest.approx(1 / 3)
    assert top_k_error(scores, labels, k=4) == 0.0


@pytest.mark.parametrize("seed", range(3))
def test_confusion_matrix_and_precision_recall_match_sklearn(seed):
    scores, y_true = random_case(seed, n=150, k=6)
    y_pred = scores.argmax(axis=1)
    y_pred[y_pred == 4] = 0  # class 4 never predicted: precision 0 by convention
    labels = np.arange(6)
    matrix = confusion_matrix(y_true, y_pred, num_classes=6)
    np.testing.assert_array_equal(matrix, skm.confusion_matrix(y_true, y_pred, labels=labels))
    assert matrix.dtype == np.int64
    precision, recall = precision_recall(y_true, y_pred, num_classes=6)
    np.testing.assert_allclose(precision, skm.precision_score(
        y_true, y_pred, labels=labels, average=None, zero_division=0), rtol=1e-15)
    np.testing.assert_allclose(recall, skm.recall_score(
        y_true, y_pred, labels=labels, average=None, zero_division=0), rtol=1e-15)
    assert precision[4] == 0.0


def test_confusion_matrix_by_hand_rows_are_true_classes():
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 2])
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred),
                                  [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, num_classes=4)[3], [0, 0, 0, 0])
    precision, recall = precision_recall(y_true, y_pred)
    np.testing.assert_allclose(precision, [1 / 2, 1 / 2, 1.0])
    np.testing.assert_allclose(recall, [1 / 2, 1.0, 2 / 3])


def test_errors_name_the_argument_and_shapes():
    scores = np.zeros((64, 10), dtype=np.float32)
    with pytest.raises(ValueError, match=r"labels must have shape \(N,\) = \(64,\), got \(64, 10\)"):
        accuracy(scores, scores)
    with pytest.raises(ValueError, match=r"labels must have shape \(N,\) = \(64,\), got \(63,\)"):
        accuracy(scores, np.zeros(63, dtype=int))
    with pytest.raises(ValueError, match="predictions must be integer class indices, got dtype float64"):
        accuracy(np.array([0.0, 1.0]), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"got shape \(2, 2, 2\)"):
        accuracy(np.zeros((2, 2, 2)), np.array([0, 1]))
    with pytest.raises(ValueError, match="at least one sample"):
        accuracy(np.zeros(0, dtype=int), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match=r"k must be an int in \[1, 10\].*got 11"):
        top_k_error(scores, np.zeros(64, dtype=int), k=11)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 10\), got a label 10"):
        top_k_error(scores, np.full(64, 10), k=5)
    with pytest.raises(ValueError, match="scores contain NaN"):
        top_k_error(np.full((2, 3), np.nan), np.array([0, 1]), k=1)
    with pytest.raises(ValueError, match=r"scores must have shape \(N, K\)"):
        top_k_error(np.zeros(5), np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match=r"\[0, 3\), got a label 5"):
        confusion_matrix(np.array([0, 5]), np.array([0, 1]), num_classes=3)
    with pytest.raises(ValueError, match="y_true must be class indices >= 0, got -1"):
        confusion_matrix(np.array([-1, 0]), np.array([0, 1]))


def test_accuracy_refuses_labels_beyond_the_score_columns():
    # 1-based labels 1..3 with 3 score columns: label 3 has no column, so this is a bug in the
    # caller's labels, not an accuracy of 1/3.
    scores = np.array([[0.1, 0.8, 0.1], [0.7, 0.2, 0.1], [0.2, 0.2, 0.6]])
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\) for scores of 3 classes, got a label 3"):
        accuracy(scores, np.array([1, 2, 3]))
    assert accuracy(scores, np.array([1, 0, 0])) == pytest.approx(2 / 3)  # by hand: rows 0 and 1 right


# ---------------------------------------------------------------- numeric arguments: the policy
# A wrong type raises TypeError, a wrong value ValueError, both naming the argument
# (`gradcraft.validation`); torch.topk is the reference for k where it checks it.


@pytest.mark.parametrize("k, shown", [(2.5, r"2.5 \(float\)"), ("3", r"'3' \(str\)"), (True, r"True \(bool\)"),
                                      (None, r"None \(NoneType\)")])
def test_top_k_of_a_wrong_type(k, shown):
    scores, labels = random_case(0, n=8, k=5)
    with pytest.raises(TypeError, match="k must be an int, got " + shown):
        top_k_error(scores, labels, k=k)
    if k == 2.5:
        import torch

        with pytest.raises(TypeError):  # "topk(): argument 'k' (position 1) must be int, not float"
            torch.from_numpy(scores).topk(k)


@pytest.mark.parametrize("k", [0, 6])
def test_top_k_outside_one_to_the_class_count(k):
    # torch.topk raises a RuntimeError for k > K ("selected index k out of range") and returns
    # nothing for k = 0; a top-0 error of 1 would be meaningless, so both are refused
    scores, labels = random_case(0, n=8, k=5)
    with pytest.raises(ValueError, match=rf"k must be an int in \[1, 5\], got {k}"):
        top_k_error(scores, labels, k=k)


def test_top_k_numpy_int_is_an_int():
    scores, labels = random_case(0, n=50, k=5)
    assert top_k_error(scores, labels, k=np.int64(2)) == top_k_error(scores, labels, k=2)


@pytest.mark.parametrize("function", [confusion_matrix, precision_recall])
def test_num_classes_of_a_wrong_type_and_value(function):
    y = np.array([0, 1, 1])
    with pytest.raises(TypeError, match=r"num_classes must be an int, got 3.0 \(float\)"):
        function(y, y, num_classes=3.0)
    with pytest.raises(TypeError, match=r"num_classes must be an int, got '3' \(str\)"):
        function(y, y, num_classes="3")
    with pytest.raises(ValueError, match="num_classes must be a positive int, got 0"):
        function(y, y, num_classes=0)
    # a NumPy int is an int: scikit-learn's labels=range(3) gives the same 3x3 matrix
    np.testing.assert_array_equal(confusion_matrix(y, y, num_classes=np.int64(3)),
                                  skm.confusion_matrix(y, y, labels=range(3)))
