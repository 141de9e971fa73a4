"""Bad input gets one clear ValueError naming the argument and what was seen."""

import numpy as np
import pytest

from gradcraft.losses import (
    huber_hinge, max_hinge, multiclass_hinge, smooth_hinge, softmax_cross_entropy,
)

LOSSES = [softmax_cross_entropy, multiclass_hinge, max_hinge, huber_hinge, smooth_hinge]


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.__name__)
def test_labels_with_the_wrong_shape(loss):
    scores = np.zeros((64, 10), dtype=np.float32)
    with pytest.raises(ValueError, match=r"labels must have shape \(N,\) = \(64,\), got \(64, 10\)"):
        loss(scores, np.zeros((64, 10), dtype=np.int64))
    with pytest.raises(ValueError, match=r"labels must have shape \(N,\) = \(64,\), got \(63,\)"):
        loss(scores, np.zeros(63, dtype=np.int64))


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.__name__)
def test_labels_out_of_range(loss):
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\) for scores with 3 classes, "
                                         r"got values from -1 to 2"):
        loss(np.zeros((3, 3)), np.array([0, 2, -1]))
    with pytest.raises(ValueError, match=r"got values from 0 to 3"):
        loss(np.zeros((2, 3)), np.array([0, 3]))


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.__name__)
def test_float_labels_of_shape_n_are_not_class_indices(loss):
    with pytest.raises(ValueError, match=r"float targets must be probabilities with the shape of "
                                         r"scores \(2, 3\), got \(2,\); class indices must be integers"):
        loss(np.zeros((2, 3)), np.array([0.0, 1.0]))


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.__name__)
def test_reduction_must_be_known(loss):
    with pytest.raises(ValueError, match=r"reduction must be one of 'mean', 'sum', 'none', got 'avg'"):
        loss(np.zeros((2, 3)), np.array([0, 1]), reduction="avg")
    with pytest.raises(TypeError, match=r"reduction must be one of 'mean', 'sum', 'none', got None"):
        loss(np.zeros((2, 3)), np.array([0, 1]), reduction=None)


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.__name__)
def test_scores_shape_and_dtype(loss):
    with pytest.raises(ValueError, match=r"scores must have shape \(N, K\), or \(K,\) for one sample, "
                                         r"got \(2, 3, 4\)"):
        loss(np.zeros((2, 3, 4)), np.array([0, 1]))
    with pytest.raises(ValueError, match="scores must be a floating-point array, got dtype int64"):
        loss(np.zeros((2, 3), dtype=np.int64), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"labels for one sample, scores of shape \(3,\), must be a "
                                         r"single class index, got shape \(2,\)"):
        loss(np.zeros(3), np.array([0, 1]))


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.__name__)
def test_empty_batch(loss):
    scores, labels = np.zeros((0, 3)), np.zeros(0, dtype=np.int64)
    with pytest.raises(ValueError, match=r"reduction='mean' of an empty batch is undefined"):
        loss(scores, labels)
    assert loss(scores, labels, reduction="sum").item() == 0.0
    assert loss(scores, labels, reduction="none").shape == (0,)


def test_bad_hyper_parameters():
    scores, labels = np.zeros((2, 3)), np.array([0, 1])
    # the validation policy: a wrong value is a ValueError, a wrong type a TypeError
    with pytest.raises(ValueError, match="margin must be a finite number, got nan"):
        multiclass_hinge(scores, labels, margin=float("nan"))
    with pytest.raises(ValueError, match="label_smoothing must be in \\[0, 1\\], got 1.5"):
        softmax_cross_entropy(scores, labels, label_smoothing=1.5)
    with pytest.raises(TypeError, match=r"a must be a real number, got '1' \(str\)"):
        huber_hinge(scores, labels, a="1")
    with pytest.raises(TypeError, match=r"margin must be a real number, got True \(bool\)"):
        max_hinge(scores, labels, margin=True)


def test_soft_target_shape_mismatch():
    with pytest.raises(ValueError, match=r"shape of scores \(2, 3\), got \(2, 4\)"):
        softmax_cross_entropy(np.zeros((2, 3)), np.full((2, 4), 0.25))


def test_list_inputs_are_accepted_as_float32():
    out = multiclass_hinge([[1, 2, 3]], [0])  # integers in a list: converted like gc.tensor
    assert out.dtype == np.float32 and out.item() == 5.0  # (2 - 1 + 1) + (3 - 1 + 1)
