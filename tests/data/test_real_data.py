"""The real datasets in $GRADCRAFT_DATA (skipped when it is unset), against published facts:
the files' md5 sums (as torchvision checks them), sizes, first labels, pixel statistics."""

import hashlib

import numpy as np
import pytest

from gradcraft.data import Standardizer, load_dataset, load_mnist

PUBLISHED_MD5 = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
}


@pytest.mark.parametrize("folder, root", [("mnist", "mnist_root"), ("fashion-mnist", "fashion_mnist_root")])
def test_files_are_the_published_ones(request, folder, root):
    directory = request.getfixturevalue(root) / folder
    for name, md5 in PUBLISHED_MD5[folder].items():
        assert hashlib.md5((directory / name).read_bytes()).hexdigest() == md5


def test_mnist_loads_with_the_published_sizes(real_mnist):
    x, y = real_mnist.train.arrays
    tx, ty = real_mnist.test.arrays
    assert x.shape == (60000, 1, 28, 28) and tx.shape == (10000, 1, 28, 28)
    assert x.dtype == np.float32 and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0
    # The first training labels of MNIST, as everyone who printed them knows: 5 0 4 1 9 2 1 3 1 4
    np.testing.assert_array_equal(y[:10], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
    np.testing.assert_array_equal(ty[:5], [7, 2, 1, 0, 4])
    assert set(np.unique(y)) == set(range(10))


def test_mnist_pixel_statistics_are_the_well_known_ones(real_mnist):
    # torchvision's classic Normalize((0.1307,), (0.3081,)) constants for MNIST training images.
    scaler = Standardizer(per="channel").fit(real_mnist.train.arrays[0])
    assert scaler.mean.shape == (1, 1, 1, 1)
    assert abs(scaler.mean.item() - 0.1307) < 1e-4
    assert abs(scaler.std.item() - 0.3081) < 1e-4


def test_fashion_mnist_has_1000_test_images_per_class(fashion_mnist_root):
    raw = load_mnist(fashion_mnist_root, "fashion-mnist")
    assert raw["train_images"].shape == (60000, 28, 28)
    assert raw["test_images"].shape == (10000, 28, 28)
    np.testing.assert_array_equal(np.bincount(raw["test_labels"]), [1000] * 10)


def test_cifar10_has_the_published_sizes_and_balanced_classes(cifar10_root):
    # CIFAR-10 (Krizhevsky, 2009): 50,000 training and 10,000 test images of 32x32x3 pixels,
    # 6,000 per class: 5,000 in training and 1,000 in test.
    splits = load_dataset("cifar10", root=cifar10_root)
    x, y = splits.train.arrays
    tx, ty = splits.test.arrays
    assert x.shape == (50000, 3, 32, 32) and tx.shape == (10000, 3, 32, 32)
    assert x.dtype == np.float32 and 0.0 <= x.min() and x.max() <= 1.0
    np.testing.assert_array_equal(np.bincount(y), [5000] * 10)
    np.testing.assert_array_equal(np.bincount(ty), [1000] * 10)
