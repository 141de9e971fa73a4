"""Shared fixtures for the training-loop tests: small, fast, deterministic problems."""

import numpy as np
import pytest

from gradcraft import data, nn


@pytest.fixture(scope="session")
def digits():
    """The embedded digits with a validation split, standardised per channel: (train, val, test)."""
    splits = data.load_dataset("digits", val_fraction=0.1, seed=0)
    scaler = data.Standardizer(per="channel").fit(splits.train.arrays[0])
    return tuple(scaler.transform_dataset(s) for s in (splits.train, splits.val, splits.test))


@pytest.fixture
def blobs():
    """A tiny 3-class problem: 48 float32 points in 4-D (three shifted Gaussian clouds)."""
    rng = np.random.default_rng(7)
    labels = np.repeat(np.arange(3), 16)
    centres = np.array([[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0]], dtype=np.float32)
    features = (centres[labels] + rng.standard_normal((48, 4))).astype(np.float32)
    return data.TensorDataset(features, labels.astype(np.int64))


def tiny_mlp(seed=0, dropout=0.0, bias=True, hidden=8, inputs=4, classes=3):
    """inputs -> hidden -> classes, ReLU, optional dropout (its own generator)."""
    layers = [nn.Linear(inputs, hidden, bias=bias, rng=seed), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout, rng=seed + 100))
    layers.append(nn.Linear(hidden, classes, bias=bias, rng=seed + 1))
    return nn.Sequential(*layers)


@pytest.fixture
def make_tiny_mlp():
    return tiny_mlp


def parameters_of(model):
    """{name: copy of the array}: a snapshot of the weights."""
    return {name: p.data.copy() for name, p in model.named_parameters()}


@pytest.fixture
def snapshot():
    return parameters_of
