"""load casts float tensors of another float dtype to the model's (and optimizer state to its
parameter's), as torch's load_state_dict does; integer <-> float stays refused.

The next optimizer step after a cross-dtype load is checked against PyTorch: torch's own
`Optimizer.load_state_dict` given the same float64 state casts it to the float32 parameters."""

import numpy as np
import pytest
import safetensors.numpy
import torch

import gradcraft as gc
from gradcraft import nn, optim
from gradcraft.serialization import load, save

OPTIMIZERS = {  # name -> (gradcraft factory, torch factory), the same hyper-parameters
    "sgd-momentum": (lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
                     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    "adam": (lambda p: optim.Adam(p, lr=0.01, betas=(0.8, 0.99)),
             lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99))),
}


def trained_checkpoint(path, make_model, train_step, toy_data, dtype, name):
    """Save a `dtype` model and its optimizer after 2 steps; return (model, optimizer)."""
    model = make_model(0, dtype=dtype)
    optimizer = OPTIMIZERS[name][0](model.parameters())
    x, y = toy_data
    for _ in range(2):
        train_step(model, optimizer, gc.tensor(x.astype(dtype)), gc.tensor(y))
    save(model, path, optimizer=optimizer)
    return model, optimizer


def torch_next_step(saved_model, saved_optimizer, name, dtype, x, y):
    """torch's weights after loading the saved (other-dtype) state into a `dtype` model and
    optimizer, then taking one step of mean cross-entropy on (x, y)."""
    net = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).to(dtype)
    net.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in saved_model.state_dict().items()})
    opt = OPTIMIZERS[name][1](net.parameters())
    reference = opt.state_dict()
    state = saved_optimizer.state_dict()["state"]
    reference["state"] = {
        i: {k: torch.tensor(float(v)) if k == "step" else torch.from_numpy(np.array(v))
            for k, v in entries.items()}
        for i, entries in state.items()}
    opt.load_state_dict(reference)  # torch casts the state to each parameter's dtype
    opt.zero_grad()
    torch.nn.functional.cross_entropy(net(torch.from_numpy(x)), torch.from_numpy(y)).backward()
    opt.step()
    return {k: v.detach().numpy() for k, v in net.state_dict().items()}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("saved_dtype, model_dtype", [(np.float64, np.float32), (np.float32, np.float64)])
def test_checkpoint_of_another_float_dtype_loads_cast(tmp_path, make_model, train_step, toy_data,
                                                      name, saved_dtype, model_dtype):
    path = tmp_path / "ckpt.safetensors"
    saved_model, saved_optimizer = trained_checkpoint(path, make_model, train_step, toy_data,
                                                      saved_dtype, name)
    model = make_model(5, dtype=model_dtype)
    optimizer = OPTIMIZERS[name][0](model.parameters())
    load(model, path, optimizer)

    for key, value in model.state_dict().items():  # rounded to nearest, like ndarray.astype
        assert value.dtype == model_dtype, key
        np.testing.assert_array_equal(value, saved_model.state_dict()[key].astype(model_dtype), err_msg=key)
    saved_state = saved_optimizer.state_dict()["state"]
    loaded_state = optimizer.state_dict()["state"]
    assert sorted(loaded_state) == sorted(saved_state) == [0, 1, 2, 3]
    for index, entries in saved_state.items():
        for key, value in entries.items():
            if isinstance(value, np.ndarray):
                assert loaded_state[index][key].dtype == model_dtype, (index, key)
                np.testing.assert_array_equal(loaded_state[index][key], value.astype(model_dtype))
            else:
                assert loaded_state[index][key] == value == 2  # Adam's step count

    x, y = toy_data
    x = x.astype(model_dtype)
    expected = torch_next_step(saved_model, saved_optimizer, name, getattr(torch, np.dtype(model_dtype).name), x, y)
    train_step(model, optimizer, gc.tensor(x), gc.tensor(y))
    tolerance = 1e-6 if model_dtype == np.float32 else 1e-12
    for key, value in model.state_dict().items():
        assert value.dtype == model_dtype, key
        np.testing.assert_allclose(value, expected[key], rtol=tolerance, atol=tolerance, err_msg=key)
    for entries in optimizer.state.values():
        assert all(v.dtype == model_dtype for v in entries.values() if isinstance(v, np.ndarray))


def test_model_only_load_of_a_float64_file(tmp_path, make_model):
    """Without an optimizer too; 0.1 (float64) becomes float32(0.1), not 0.1 in float64."""
    source = make_model(3, dtype=np.float64)
    with gc.no_grad():
        source[0].bias.data[...] = 0.1
    save(source, tmp_path / "m.safetensors")
    model = make_model(4)
    load(model, tmp_path / "m.safetensors")
    assert model[0].bias.dtype == np.float32
    np.testing.assert_array_equal(model[0].bias.data, np.full(8, np.float32(0.1)))
    np.testing.assert_array_equal(model[2].weight.data, source[2].weight.data.astype(np.float32))


class Counter(nn.Module):
    """A linear layer and a step-counter buffer of a chosen dtype (like num_batches_tracked)."""

    def __init__(self, count, dtype):
        super().__init__()
        self.linear = nn.Linear(2, 2, rng=0)
        self.register_buffer("num_batches_tracked", np.array(count, dtype=dtype))

    def forward(self, x):
        return self.linear(x)


@pytest.mark.parametrize("saved, wanted", [(np.float64, np.int64), (np.int64, np.float32),
                                           (np.int32, np.int64)])
def test_non_float_dtype_mismatch_is_refused_and_nothing_changes(tmp_path, saved, wanted):
    source = Counter(7, saved)
    with gc.no_grad():
        source.linear.weight.data[...] = 5.0  # castable: would load if the file were accepted
    save(source, tmp_path / "c.safetensors")
    model = Counter(0, wanted)
    before = {k: v.copy() for k, v in model.state_dict().items()}
    with pytest.raises(ValueError, match=rf"num_batches_tracked: dtype {np.dtype(saved).name} in the "
                                         rf"file, the model has {np.dtype(wanted).name}"):
        load(model, tmp_path / "c.safetensors")
    for key, value in model.state_dict().items():
        assert np.array_equal(value, before[key]) and value.dtype == before[key].dtype, key


def test_cast_file_with_a_bad_optimizer_tensor_changes_nothing(tmp_path, make_model, train_step, toy_data):
    """A float64 checkpoint whose optimizer state holds an integer array: refused before the
    (castable) model weights are copied."""
    path = tmp_path / "ckpt.safetensors"
    trained_checkpoint(path, make_model, train_step, toy_data, np.float64, "adam")
    companion = gc.serialization.companion_path(path)  # where the optimizer state is
    tensors = safetensors.numpy.load_file(companion)
    with safetensors.safe_open(companion, framework="np") as handle:
        metadata = handle.metadata()
    tensors["optimizer.state.1.exp_avg"] = np.arange(8, dtype=np.int64)
    safetensors.numpy.save_file(tensors, companion, metadata=metadata)

    model = make_model(9)
    optimizer = OPTIMIZERS["adam"][0](model.parameters())
    before = {k: v.copy() for k, v in model.state_dict().items()}
    with pytest.raises(ValueError, match=r"optimizer state 'exp_avg' of parameter 1 has dtype int64, "
                                         r"the parameter has float32"):
        load(model, path, optimizer)
    for key, value in model.state_dict().items():
        assert np.array_equal(value, before[key]) and value.dtype == np.float32, key
    assert optimizer.state == {}
