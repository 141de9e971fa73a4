"""Model files move both ways between gradcraft and PyTorch, with no renaming: a file written by
`gc.save` loads into the equivalent torch module through `safetensors.torch.load_file` and a
strict `load_state_dict` (also when saved with an optimizer, metadata and extra tensors), and a
torch state dict saved either way loads into gradcraft."""

import numpy as np
import pytest
import safetensors.torch
import torch

import gradcraft as gc
from gradcraft import nn, optim

X = np.random.default_rng(3).normal(size=(7, 6)).astype(np.float32)


def gradcraft_mlp(seed=0):
    rng = np.random.default_rng(seed)
    return nn.Sequential(nn.Linear(6, 8, rng=rng), nn.ReLU(), nn.Linear(8, 3, rng=rng))


def torch_mlp(seed=1):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))


def torch_outputs(net, x=X):
    with torch.no_grad():
        return net(torch.from_numpy(x)).numpy()


def trained_with_adam(model, train_step, toy_data):
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    x, y = toy_data
    for _ in range(2):
        train_step(model, optimizer, gc.tensor(x), gc.tensor(y))
    return optimizer


@pytest.mark.parametrize("with_optimizer", [False, True])
@pytest.mark.parametrize("with_metadata", [False, True])
def test_a_gradcraft_file_loads_strictly_into_the_torch_module(tmp_path, with_optimizer, with_metadata,
                                                               train_step, toy_data):
    model = gradcraft_mlp()
    optimizer = trained_with_adam(model, train_step, toy_data)
    path = tmp_path / "model.safetensors"
    gc.save(model, path, optimizer=optimizer if with_optimizer else None,
            metadata={"epoch": 2, "classes": ["a", "b", "c"]} if with_metadata else None,
            extra_tensors={"ema.0.weight": np.ones((8, 6), np.float32)} if with_optimizer else None)

    net = torch_mlp()
    assert not np.allclose(torch_outputs(net), model(gc.tensor(X)).data)      # before: other weights
    result = net.load_state_dict(safetensors.torch.load_file(path), strict=True)
    assert (result.missing_keys, result.unexpected_keys) == ([], [])
    for key, value in model.state_dict().items():
        assert np.array_equal(net.state_dict()[key].numpy(), value), key
    np.testing.assert_allclose(torch_outputs(net), model(gc.tensor(X)).data, rtol=1e-6, atol=1e-6)
    assert gc.load(gradcraft_mlp(seed=5), path) == ({"epoch": 2, "classes": ["a", "b", "c"]}
                                                    if with_metadata else {})


def test_a_torch_state_dict_saved_by_safetensors_loads_into_gradcraft(tmp_path):
    net = torch_mlp(seed=4)
    safetensors.torch.save_file(net.state_dict(), tmp_path / "torch.safetensors")
    model = gradcraft_mlp(seed=9)
    assert gc.load(model, tmp_path / "torch.safetensors") == {}
    np.testing.assert_allclose(model(gc.tensor(X)).data, torch_outputs(net), rtol=1e-6, atol=1e-6)


def test_gc_save_takes_a_state_dict_as_torch_save_does(tmp_path):
    """`gc.save(module.state_dict(), path)`: a gradcraft state dict (arrays), or a torch one
    (torch tensors) -- both load with gc.load, and the file loads back into torch."""
    source = gradcraft_mlp(seed=2)
    gc.save(source.state_dict(), tmp_path / "gc_state.safetensors", metadata={"note": "state dict"})
    model = gradcraft_mlp(seed=7)
    assert gc.load(model, tmp_path / "gc_state.safetensors") == {"note": "state dict"}
    for key, value in source.state_dict().items():
        assert np.array_equal(model.state_dict()[key], value), key

    net = torch_mlp(seed=6)
    gc.save(net.state_dict(), tmp_path / "torch_state.safetensors")
    model = gradcraft_mlp(seed=8)
    gc.load(model, tmp_path / "torch_state.safetensors")
    np.testing.assert_allclose(model(gc.tensor(X)).data, torch_outputs(net), rtol=1e-6, atol=1e-6)
    again = torch_mlp(seed=0)
    again.load_state_dict(safetensors.torch.load_file(tmp_path / "torch_state.safetensors"))
    np.testing.assert_array_equal(torch_outputs(again), torch_outputs(net))


def test_parameters_as_tensors_in_a_state_dict(tmp_path):
    """A mapping of Tensors/Parameters (e.g. dict(model.named_parameters())) is a state dict too."""
    source = gradcraft_mlp(seed=3)
    gc.save(dict(source.named_parameters()), tmp_path / "params.safetensors")
    net = torch_mlp()
    net.load_state_dict(safetensors.torch.load_file(tmp_path / "params.safetensors"))
    np.testing.assert_allclose(torch_outputs(net), source(gc.tensor(X)).data, rtol=1e-6, atol=1e-6)
