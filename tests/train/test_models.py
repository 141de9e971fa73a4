"""models.mlp / build_model: structure, parameter count, PyTorch parity, seeding, bad input."""

import numpy as np
import pytest
import torch

import gradcraft as gc
from gradcraft.models import build_model, mlp


def test_layers_names_and_parameter_count():
    model = mlp(64, hidden=(32, 16), num_classes=10, dropout=0.5)
    # Flatten, Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear
    assert list(model.state_dict()) == ["1.weight", "1.bias", "4.weight", "4.bias", "7.weight", "7.bias"]
    assert model.num_parameters() == (64 * 32 + 32) + (32 * 16 + 16) + (16 * 10 + 10)  # 2,778


def test_matches_torch_with_the_same_weights():
    model = mlp(64, hidden=(20,), num_classes=5, activation="tanh")
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 20), torch.nn.Tanh(), torch.nn.Linear(20, 5))
    net.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((7, 1, 8, 8)).astype(np.float32)  # NCHW in
    expected = net(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(model(gc.tensor(x)).data, expected, rtol=1e-5, atol=1e-6)


def test_pytorch_default_initialisation_bounds():
    weight = mlp(100, hidden=(50,), num_classes=3).state_dict()["1.weight"]
    assert np.abs(weight).max() <= 1 / np.sqrt(100) and np.abs(weight).max() > 0.09  # U(-0.1, 0.1)


def test_seed_decides_weights_and_dropout_masks():
    x = gc.tensor(np.ones((4, 16), np.float32))
    a, b, c = (mlp(16, (32,), 3, dropout=0.5, seed=s) for s in (1, 1, 2))
    assert np.array_equal(a(x).data, b(x).data)           # same seed: same weights and masks
    assert not np.array_equal(a.state_dict()["1.weight"], c.state_dict()["1.weight"])
    first, second = a(x).data, a(x).data                   # the masks change from call to call
    assert not np.array_equal(first, second)
    a.eval()
    assert np.array_equal(a(x).data, a(x).data)           # and vanish in eval mode


def test_build_model_flattens_the_input_shape():
    model = build_model("mlp", (1, 28, 28), 10, hidden=(8,))
    assert model.state_dict()["1.weight"].shape == (8, 784)


@pytest.mark.parametrize("kwargs, message", [
    (dict(activation="gelu"), "activation must be one of 'relu', 'leaky_relu', 'sigmoid', 'tanh', got 'gelu'"),
    (dict(hidden=(8, 0)), r"hidden\[1\] must be a positive int, got 0"),
    (dict(hidden=()), r"hidden must hold at least one layer width, e.g. hidden=\(256, 256\), got \(\)"),
    (dict(dropout=1.0), r"dropout must be in \[0, 1\), got 1.0"),
    (dict(seed=-1), "seed must be a non-negative int"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mlp(16, **{"hidden": (8,), **kwargs})
    with pytest.raises(ValueError, match="model must be one of 'mlp', 'lenet5', 'vgg-small', 'resnet-small', got 'cnn9'"):
        build_model("cnn9", (1, 8, 8), 10)


@pytest.mark.parametrize("kwargs, message", [
    (dict(hidden=(8, 2.5)), r"hidden\[1\] must be an int, got 2.5 \(float\)"),
    (dict(hidden="8"), r"hidden must be an int or a sequence of ints, got '8' \(str\)"),
    (dict(dropout="0.5"), r"dropout must be a real number, got '0.5' \(str\)"),
    (dict(seed=1.0), r"seed must be an int, got 1.0 \(float\)"),
])
def test_arguments_of_the_wrong_type(kwargs, message):
    with pytest.raises(TypeError, match=message):
        mlp(16, **{"hidden": (8,), **kwargs})
