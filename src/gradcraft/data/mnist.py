"""MNIST and Fashion-MNIST from their four IDX .gz files.

Files are looked for, in order, in `root/<folder>/` (the layout the README describes: `mnist/`,
`fashion-mnist/`), in torchvision's `root/<MNIST|FashionMNIST>/raw/`, and in `root/` itself. Each
file may also be stored uncompressed (the same name without .gz).
"""

from __future__ import annotations

import numpy as np

from ..validation import check_choice
from .files import find_files, locate
from .idx import read_idx

__all__ = ["MNIST_FILES", "FASHION_MNIST_CLASSES", "load_mnist"]

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}

_FOLDERS = {"mnist": ("mnist", "MNIST/raw"), "fashion-mnist": ("fashion-mnist", "FashionMNIST/raw")}

FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                         "Shirt", "Sneaker", "Bag", "Ankle boot")


def load_mnist(root, name: str = "mnist") -> dict[str, np.ndarray]:
    """The raw arrays of MNIST or Fashion-MNIST (`name` is 'mnist' or 'fashion-mnist').

    Returns {'train_images': uint8 (N, 28, 28), 'train_labels': uint8 (N,), 'test_images',
    'test_labels'}. Verified: 28x28 images, as many labels as images, labels in 0..9; a missing,
    truncated or wrong file raises ValueError naming it.
    """
    name = check_choice(name, "name", _FOLDERS)
    directory = find_files(root, name, _FOLDERS[name], list(MNIST_FILES.values()))
    arrays = {}
    for key, filename in MNIST_FILES.items():
        path = locate(directory, filename)
        array = read_idx(path, expected_ndim=3 if key.endswith("images") else 1)
        if key.endswith("images") and array.shape[1:] != (28, 28):
            raise ValueError(f"{path}: expected images of 28x28 pixels, got shape {array.shape}")
        if array.dtype != np.uint8:
            raise ValueError(f"{path}: expected uint8 data, got {array.dtype}")
        arrays[key] = array
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if len(images) != len(labels):
            raise ValueError(
                f"{name} {split}: {len(images)} images but {len(labels)} labels in {directory} "
                f"({MNIST_FILES[split + '_images']}, {MNIST_FILES[split + '_labels']})"
            )
        if labels.size and labels.max() > 9:
            raise ValueError(
                f"{name} {split}: labels must lie in 0..9, found {labels.max()} in "
                f"{directory / MNIST_FILES[split + '_labels']}"
            )
    return arrays
