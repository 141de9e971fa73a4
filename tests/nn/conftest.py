"""Shared helpers for the nn tests: a model using every kind of attribute, and its torch twin."""

import numpy as np
import pytest
import torch

from gradcraft import nn


class Net(nn.Module):
    """A Linear attribute, a parameter-free layer, a list of layers, a bare Parameter, a buffer
    and a nested Sequential: every way a module can own state."""

    def __init__(self, dtype=np.float32):
        super().__init__()
        self.fc1 = nn.Linear(4, 8, dtype=dtype, rng=0)
        self.act = nn.ReLU()
        self.blocks = [nn.Linear(8, 8, dtype=dtype, rng=1), nn.Linear(8, 8, bias=False, dtype=dtype, rng=2)]
        self.scale = nn.Parameter(np.full(8, 1.5, dtype=dtype))
        self.register_buffer("running", np.arange(8, dtype=dtype))
        self.head = nn.Sequential(nn.Linear(8, 3, dtype=dtype, rng=3), nn.Softmax(axis=-1))

    def forward(self, x):
        x = self.act(self.fc1(x))
        for block in self.blocks:
            x = self.act(block(x))
        return self.head(x * self.scale)


class TorchNet(torch.nn.Module):
    """The same architecture written the usual PyTorch way (ModuleList, registered Parameter)."""

    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8)
        self.act = torch.nn.ReLU()
        self.blocks = torch.nn.ModuleList([torch.nn.Linear(8, 8), torch.nn.Linear(8, 8, bias=False)])
        self.scale = torch.nn.Parameter(torch.full((8,), 1.5))
        self.register_buffer("running", torch.arange(8, dtype=torch.float32))
        self.head = torch.nn.Sequential(torch.nn.Linear(8, 3), torch.nn.Softmax(dim=-1))

    def forward(self, x):
        x = self.act(self.fc1(x))
        for block in self.blocks:
            x = self.act(block(x))
        return self.head(x * self.scale)


@pytest.fixture
def net():
    return Net()


@pytest.fixture
def torch_net():
    torch.manual_seed(0)
    return TorchNet()
