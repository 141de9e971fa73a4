"""Fixtures for the data tests: hand-packed IDX / CIFAR files, and the real datasets once.

The real datasets are read from the folder named by the environment variable GRADCRAFT_DATA;
their tests are skipped when it is unset.
"""

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

MNIST_NAMES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}


def idx_bytes(array: np.ndarray) -> bytes:
    """IDX encoding written out by hand from the format description (uint8 only):
    0x00 0x00 0x08 ndim, then big-endian uint32 sizes, then the bytes."""
    assert array.dtype == np.uint8
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


@pytest.fixture
def small_mnist():
    """A tiny MNIST-like dataset: 7 train and 3 test images (uint8) with labels."""
    rng = np.random.default_rng(123)
    arrays = {
        "train_images": rng.integers(0, 256, size=(7, 28, 28), dtype=np.uint8),
        "train_labels": np.array([5, 0, 4, 1, 9, 2, 1], dtype=np.uint8),
        "test_images": rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8),
        "test_labels": np.array([7, 2, 1], dtype=np.uint8),
    }
    arrays["train_images"][0, 0, 0] = 255
    arrays["train_images"][0, 0, 1] = 51
    arrays["train_images"][0, 0, 2] = 0
    return arrays


@pytest.fixture
def write_mnist():
    """write_mnist(directory, arrays, compress=True) writes the four IDX files."""

    def write(directory: Path, arrays: dict, compress: bool = True) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        for key, name in MNIST_NAMES.items():
            content = idx_bytes(arrays[key])
            if compress:
                (directory / name).write_bytes(gzip.compress(content))
            else:
                (directory / name.removesuffix(".gz")).write_bytes(content)
        return directory

    return write


@pytest.fixture(scope="session")
def real_mnist(mnist_root):
    import gradcraft.data as gd

    return gd.load_dataset("mnist", root=mnist_root)
