"""Small models, optimizers and a training step shared by the serialization tests."""

import numpy as np
import pytest

import gradcraft as gc
from gradcraft import nn, optim
from gradcraft.functional import log_softmax, one_hot


def _make_model(seed: int, hidden: int = 8, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return nn.Sequential(nn.Linear(6, hidden, rng=rng, dtype=dtype), nn.Tanh(),
                         nn.Linear(hidden, 3, rng=rng, dtype=dtype))


def _train_step(model, optimizer, x, y):
    """One step of mean cross-entropy: -sum(one_hot(y) * log_softmax(model(x))) / N."""
    optimizer.zero_grad()
    logits = model(x)
    loss = -(log_softmax(logits, axis=1) * one_hot(y, 3, dtype=logits.dtype)).sum() / len(y)
    loss.backward()
    optimizer.step()
    return loss.item()


@pytest.fixture
def make_model():
    return _make_model


@pytest.fixture
def train_step():
    return _train_step


@pytest.fixture
def toy_data():
    rng = np.random.default_rng(42)
    x = rng.normal(size=(40, 6)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0.5).astype(np.int64)
    return x, y


@pytest.fixture
def trained(make_model, train_step, toy_data):
    """A model and Adam optimizer after three steps (so the optimizer has state)."""
    model = make_model(0)
    optimizer = optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.99), weight_decay=1e-3)
    x, y = toy_data
    for _ in range(3):
        train_step(model, optimizer, gc.tensor(x), gc.tensor(y))
    return model, optimizer
