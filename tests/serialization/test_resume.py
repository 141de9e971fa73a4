"""Resuming from a checkpoint continues exactly as the uninterrupted run with the same seed."""

import numpy as np
import pytest

from gradcraft import optim
from gradcraft.data import DataLoader, TensorDataset
from gradcraft.serialization import load, save

OPTIMIZERS = {
    "sgd-momentum": lambda params: optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=1e-4),
    "adam": lambda params: optim.Adam(params, lr=0.01),
}


def run_epochs(model, optimizer, loader, epochs, train_step):
    losses = []
    for _ in range(epochs):
        for x, y in loader:
            losses.append(train_step(model, optimizer, x, y))
    return losses


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_two_plus_two_epochs_equal_four(tmp_path, name, make_model, train_step, toy_data):
    dataset = TensorDataset(*toy_data)

    straight = make_model(0)
    straight_optimizer = OPTIMIZERS[name](straight.parameters())
    straight_loader = DataLoader(dataset, batch_size=7, shuffle=True, seed=123)
    straight_losses = run_epochs(straight, straight_optimizer, straight_loader, 4, train_step)

    first = make_model(0)
    first_optimizer = OPTIMIZERS[name](first.parameters())
    first_loader = DataLoader(dataset, batch_size=7, shuffle=True, seed=123)
    first_losses = run_epochs(first, first_optimizer, first_loader, 2, train_step)
    assert first_loader.epoch == 2
    path = tmp_path / "epoch2.safetensors"
    save(first, path, optimizer=first_optimizer, metadata={"epoch": first_loader.epoch})

    # A fresh process, in effect: new model (different initial weights), optimizer, loader.
    resumed = make_model(1)
    resumed_optimizer = OPTIMIZERS[name](resumed.parameters())
    metadata = load(resumed, path, optimizer=resumed_optimizer)
    resumed_loader = DataLoader(dataset, batch_size=7, shuffle=True, seed=123)
    resumed_loader.set_epoch(metadata["epoch"])
    resumed_losses = run_epochs(resumed, resumed_optimizer, resumed_loader, 2, train_step)

    assert first_losses + resumed_losses == straight_losses
    for key, value in straight.state_dict().items():
        assert np.array_equal(resumed.state_dict()[key], value), key
    straight_state = straight_optimizer.state_dict()["state"]
    resumed_state = resumed_optimizer.state_dict()["state"]
    for index, entries in straight_state.items():
        for state_name, value in entries.items():
            assert np.array_equal(resumed_state[index][state_name], value), (index, state_name)


def test_resuming_without_the_optimizer_state_diverges(tmp_path, make_model, train_step, toy_data):
    """The check above can fail: dropping Adam's state after 2 epochs changes the result."""
    dataset = TensorDataset(*toy_data)
    straight = make_model(0)
    straight_optimizer = optim.Adam(straight.parameters(), lr=0.01)
    run_epochs(straight, straight_optimizer, DataLoader(dataset, batch_size=7, shuffle=True, seed=1),
               4, train_step)

    first = make_model(0)
    first_optimizer = optim.Adam(first.parameters(), lr=0.01)
    run_epochs(first, first_optimizer, DataLoader(dataset, batch_size=7, shuffle=True, seed=1),
               2, train_step)
    save(first, tmp_path / "weights-only.safetensors")
    resumed = make_model(1)
    load(resumed, tmp_path / "weights-only.safetensors")
    loader = DataLoader(dataset, batch_size=7, shuffle=True, seed=1)
    loader.set_epoch(2)
    run_epochs(resumed, optim.Adam(resumed.parameters(), lr=0.01), loader, 2, train_step)
    assert not np.array_equal(resumed.state_dict()["0.weight"], straight.state_dict()["0.weight"])
