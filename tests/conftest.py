"""Fixtures every test package may use: the real datasets, read from the folder named by the
environment variable GRADCRAFT_DATA (skipped, naming it, when it is unset)."""

import os
from pathlib import Path

import pytest

DATA_VARIABLE = "GRADCRAFT_DATA"


def real_data_folder(folder: str) -> Path:
    """$GRADCRAFT_DATA/<folder>, or a skip naming GRADCRAFT_DATA.

    Unset: skip (a fresh clone has no datasets; the README says how to get them). Set to
    something that is not a directory: fail, since a typo must not silently skip the tests CI
    means to run. A directory without this dataset's folder: skip, naming the folder (MNIST
    alone is a normal setup; CIFAR-10 is not on every machine).
    """
    value = os.environ.get(DATA_VARIABLE)
    if not value:
        pytest.skip(f"real-data test: {DATA_VARIABLE} is not set; set it to a folder holding mnist/, "
                    "fashion-mnist/ and cifar-10-batches-py/ (see the README, 'Run the tests')")
    root = Path(value).expanduser()
    if not root.is_dir():
        pytest.fail(f"{DATA_VARIABLE}={value} is not a directory")
    if not (root / folder).is_dir():
        pytest.skip(f"real-data test: {DATA_VARIABLE}={value} has no {folder}/ folder")
    return root


@pytest.fixture(scope="session")
def mnist_root() -> Path:
    """The data folder holding mnist/ (from GRADCRAFT_DATA)."""
    return real_data_folder("mnist")


@pytest.fixture(scope="session")
def fashion_mnist_root() -> Path:
    """The data folder holding fashion-mnist/ (from GRADCRAFT_DATA)."""
    return real_data_folder("fashion-mnist")


@pytest.fixture(scope="session")
def cifar10_root() -> Path:
    """The data folder holding cifar-10-batches-py/ (from GRADCRAFT_DATA)."""
    return real_data_folder("cifar-10-batches-py")


@pytest.fixture
def torch_vgg_small():
    """build(channels, size, bn, classes=10) -> the vgg_small network written in torch (float32):
    the independent twin the model and summary tests compare gradcraft's with."""
    import torch.nn as tnn

    def build(channels, size, bn, classes=10):
        layers, width_in = [], channels
        for width in (32, 64):
            for _ in range(2):
                layers.append(tnn.Conv2d(width_in, width, 3, padding=1))
                if bn:
                    layers.append(tnn.BatchNorm2d(width))
                layers.append(tnn.ReLU())
                width_in = width
            layers.append(tnn.MaxPool2d(2))
        layers += [tnn.Flatten(), tnn.Linear(64 * (size // 4) ** 2, 256), tnn.ReLU(), tnn.Linear(256, classes)]
        return tnn.Sequential(*layers)
    return build

