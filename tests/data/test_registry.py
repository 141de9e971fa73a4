"""load_dataset: the default digits dataset (checked against scikit-learn), validation splits,
names and errors."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from gradcraft.data import DATASETS, load_dataset


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


@pytest.fixture(scope="module")
def sklearn_digits():
    return load_digits()


def test_names():
    assert DATASETS == ("digits", "mnist", "fashion-mnist", "cifar10")
    with pytest.raises(ValueError, match="unknown dataset 'imagenet'; valid names: digits, mnist, "
                                         "fashion-mnist, cifar10"):
        load_dataset("imagenet")


def test_digits_is_the_default_and_needs_no_files(monkeypatch):
    monkeypatch.delenv("GRADCRAFT_DATA", raising=False)
    data = load_dataset()
    assert data.name == "digits"
    assert (len(data.train), len(data.test)) == (1437, 360)


def test_digits_shapes_dtypes_and_scaling(digits, sklearn_digits):
    x, y = digits.train.arrays
    tx, ty = digits.test.arrays
    assert x.shape == (1437, 1, 8, 8) and tx.shape == (360, 1, 8, 8)
    assert x.dtype == np.float32 and y.dtype == np.int64 and ty.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0  # pixel values 0..16 divided by 16
    assert set(np.unique(x * 16)) <= set(range(17))
    assert digits.input_shape == (1, 8, 8) and digits.num_classes == 10
    assert digits.class_names == tuple("0123456789")
    assert digits.val is None


def test_digits_split_is_sklearns_stratified_80_20_with_seed_0(digits, sklearn_digits):
    train_idx, test_idx = train_test_split(np.arange(1797), test_size=0.2,
                                           stratify=sklearn_digits.target, random_state=0)
    images = sklearn_digits.images.astype(np.float32) / 16
    np.testing.assert_array_equal(digits.train.arrays[0][:, 0], images[train_idx])
    np.testing.assert_array_equal(digits.test.arrays[0][:, 0], images[test_idx])
    np.testing.assert_array_equal(digits.test.arrays[1], sklearn_digits.target[test_idx])
    # Stratified: each class's share of the test set within one sample of 20%.
    per_class = np.bincount(sklearn_digits.target)
    in_test = np.bincount(digits.test.arrays[1])
    assert np.all(np.abs(in_test - 0.2 * per_class) <= 1)


def test_validation_split_is_stratified_disjoint_and_seeded(digits):
    data = load_dataset("digits", val_fraction=0.25, seed=1)
    assert len(data.val) == 360 and len(data.train) == 1437 - 360  # ceil(0.25 * 1437) = 360
    combined = np.concatenate([data.train.arrays[0], data.val.arrays[0]]).reshape(1437, -1)
    original = digits.train.arrays[0].reshape(1437, -1)
    # The same multiset of rows: sort rows lexicographically and compare.
    np.testing.assert_array_equal(combined[np.lexsort(combined.T)], original[np.lexsort(original.T)])
    per_class = np.bincount(digits.train.arrays[1])
    assert np.all(np.abs(np.bincount(data.val.arrays[1]) - 0.25 * per_class) <= 1)
    np.testing.assert_array_equal(data.test.arrays[1], digits.test.arrays[1])
    again = load_dataset("digits", val_fraction=0.25, seed=1)
    np.testing.assert_array_equal(again.val.arrays[0], data.val.arrays[0])
    other = load_dataset("digits", val_fraction=0.25, seed=2)
    assert not np.array_equal(other.val.arrays[0], data.val.arrays[0])


def test_bad_val_fraction():
    with pytest.raises(ValueError, match=r"val_fraction must be in \[0, 1\), got 1.0"):
        load_dataset("digits", val_fraction=1.0)
    with pytest.raises(ValueError, match="val_fraction=0.001 cannot make a stratified validation"):
        load_dataset("digits", val_fraction=0.001)


def test_file_datasets_without_root_name_their_files(monkeypatch):
    monkeypatch.delenv("GRADCRAFT_DATA", raising=False)
    with pytest.raises(ValueError, match=r"--data-dir.*GRADCRAFT_DATA.*cifar-10-batches-py/ with "
                                         r"data_batch_1, .*test_batch"):
        load_dataset("cifar10")
    with pytest.raises(ValueError, match="fashion-mnist/ with train-images-idx3-ubyte.gz"):
        load_dataset("fashion_mnist")
