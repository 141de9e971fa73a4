"""save / load: round trips, the file layout, atomic writes, and all-or-nothing loading."""

import json
import os

import numpy as np
import pytest
import safetensors.numpy
import torch
from safetensors.torch import save_file as torch_save_file

import gradcraft as gc
from gradcraft import optim
from gradcraft.serialization import companion_path, load, load_metadata, save


def snapshot(model, optimizer=None):
    state = {k: v.copy() for k, v in model.state_dict().items()}
    return state, (optimizer.state_dict() if optimizer is not None else None)


def assert_state_equal(a: dict, b: dict):
    assert list(a) == list(b)
    for key in a:
        assert np.array_equal(a[key], b[key]), key
        assert a[key].dtype == b[key].dtype, key


def assert_optimizer_state_equal(a, b):
    assert a["param_groups"] == b["param_groups"]
    assert set(a["state"]) == set(b["state"])
    for index, entries in a["state"].items():
        other = b["state"][index]
        assert set(entries) == set(other)
        for name, value in entries.items():
            if isinstance(value, np.ndarray):
                assert np.array_equal(value, other[name]) and value.dtype == other[name].dtype
            else:
                assert value == other[name] and type(value) is type(other[name])


def test_round_trip_restores_model_optimizer_and_metadata(tmp_path, trained, make_model):
    model, optimizer = trained
    path = tmp_path / "run.safetensors"
    metadata = {"epoch": 3, "arch": {"hidden": [8]}, "classes": ["a", "b", "c"], "lr": 0.01}
    save(model, path, optimizer=optimizer, metadata=metadata)
    fresh = make_model(seed=99)
    fresh_optimizer = optim.Adam(fresh.parameters())
    assert not np.array_equal(fresh.state_dict()["0.weight"], model.state_dict()["0.weight"])
    assert load(fresh, path, optimizer=fresh_optimizer) == metadata
    assert_state_equal(fresh.state_dict(), model.state_dict())
    assert_optimizer_state_equal(fresh_optimizer.state_dict(), optimizer.state_dict())
    assert fresh_optimizer.param_groups[0]["betas"] == (0.8, 0.99)  # a tuple again, not a list
    assert load_metadata(path) == metadata


def test_sgd_momentum_and_float64_round_trip(tmp_path, make_model, train_step, toy_data):
    model = make_model(1, dtype=np.float64)
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    x, y = toy_data
    train_step(model, optimizer, gc.tensor(x.astype(np.float64)), gc.tensor(y))
    save(model, tmp_path / "sgd.safetensors", optimizer)
    fresh = make_model(2, dtype=np.float64)
    fresh_optimizer = optim.SGD(fresh.parameters(), lr=0.5, momentum=0.5, nesterov=True)
    assert load(fresh, tmp_path / "sgd.safetensors", fresh_optimizer) == {}
    assert_state_equal(fresh.state_dict(), model.state_dict())
    assert_optimizer_state_equal(fresh_optimizer.state_dict(), optimizer.state_dict())
    assert fresh_optimizer.param_groups[0]["lr"] == 0.1


def test_file_layout_is_documented_safetensors(tmp_path, trained):
    model, optimizer = trained
    path = tmp_path / "layout.safetensors"
    save(model, path, optimizer=optimizer, metadata={"note": "hi"})
    tensors = safetensors.numpy.load_file(path)  # readable by any safetensors reader
    assert set(tensors) == set(model.state_dict())                  # the state dict, as it is
    np.testing.assert_array_equal(tensors["2.bias"], model.state_dict()["2.bias"])
    with safetensors.safe_open(path, framework="np") as handle:
        header = handle.metadata()
    assert header["format"] == "gradcraft" and header["format_version"] == "2"
    assert json.loads(header["metadata"]) == {"note": "hi"}
    save_id = header["save_id"]
    assert len(save_id) == 16 and int(save_id, 16) >= 0
    # The optimizer's arrays are in the companion file the header names, beside the model file.
    assert header["companion"] == f"layout.{save_id}.state.safetensors"
    companion = tmp_path / header["companion"]
    assert companion_path(path) == companion
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, companion.name])
    assert set(safetensors.numpy.load_file(companion)) == {
        f"optimizer.state.{i}.{name}" for i in range(4) for name in ("exp_avg", "exp_avg_sq")}
    with safetensors.safe_open(companion, framework="np") as handle:
        companion_header = handle.metadata()
    assert (companion_header["format"], companion_header["format_version"]) == ("gradcraft-companion", "2")
    assert (companion_header["save_id"], companion_header["model_file"]) == (save_id, path.name)
    saved_optimizer = json.loads(companion_header["optimizer"])
    assert saved_optimizer["class"] == "Adam"
    assert saved_optimizer["param_groups"][0]["lr"] == 0.01
    assert saved_optimizer["param_groups"][0]["params"] == [0, 1, 2, 3]
    assert saved_optimizer["state"]["0"] == {"step": 3}


def test_model_only_file_loads_into_model(tmp_path, trained, make_model):
    model, optimizer = trained
    save(model, tmp_path / "m.safetensors", metadata={"epoch": 1})
    fresh = make_model(5)
    assert load(fresh, tmp_path / "m.safetensors") == {"epoch": 1}
    assert_state_equal(fresh.state_dict(), model.state_dict())
    # A file with optimizer state loads into a model alone too (inference).
    save(model, tmp_path / "mo.safetensors", optimizer=optimizer)
    assert load(make_model(6), tmp_path / "mo.safetensors") == {}


def test_plain_safetensors_state_dict_from_pytorch(tmp_path, make_model):
    torch.manual_seed(0)
    reference = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    torch_save_file(reference.state_dict(), tmp_path / "torch.safetensors")
    model = make_model(7)
    assert load(model, tmp_path / "torch.safetensors") == {}
    x = np.random.default_rng(0).normal(size=(5, 6)).astype(np.float32)
    with torch.no_grad():
        expected = reference(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model(gc.tensor(x)).detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="has no optimizer state"):
        load(model, tmp_path / "torch.safetensors", optimizer=optim.SGD(model.parameters()))


# ------------------------------------------------------------------------------- writing
def test_save_overwrites_atomically_and_leaves_no_temporary_files(tmp_path, trained, make_model):
    model, _ = trained
    path = tmp_path / "ckpt.safetensors"
    save(make_model(3), path)
    save(model, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.safetensors"]
    fresh = make_model(4)
    load(fresh, path)
    assert_state_equal(fresh.state_dict(), model.state_dict())


def test_failed_save_keeps_the_old_file(tmp_path, trained, make_model, monkeypatch):
    model, _ = trained
    path = tmp_path / "ckpt.safetensors"
    save(model, path, metadata={"version": "old"})
    old_bytes = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        save(make_model(8), path, metadata={"version": "new"})
    monkeypatch.undo()
    assert path.read_bytes() == old_bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.safetensors"]


def test_save_rejects_bad_metadata_before_writing(tmp_path, trained):
    model, _ = trained
    path = tmp_path / "x.safetensors"
    with pytest.raises(ValueError, match="metadata must be JSON-serialisable.*set"):
        save(model, path, metadata={"bad": {1, 2}})
    with pytest.raises(TypeError, match="metadata must be a dict"):
        save(model, path, metadata=[1, 2])
    with pytest.raises(TypeError, match=r"model must be a Module \(anything with a state_dict\(\) "
                                        r"method\) or a state dict \{name: array\}, got int"):
        save(42, path)
    with pytest.raises(TypeError, match=r"state dict keys must be str, got 0 \(int\)"):
        save({0: np.zeros(2)}, path)
    with pytest.raises(FileNotFoundError, match="directory .*missing does not exist"):
        save(model, tmp_path / "missing" / "x.safetensors")
    assert list(tmp_path.iterdir()) == []


def test_numpy_scalars_in_metadata_are_saved_as_numbers(tmp_path, trained):
    model, _ = trained
    save(model, tmp_path / "x.safetensors", metadata={"acc": np.float32(0.5), "n": np.int64(3)})
    assert load_metadata(tmp_path / "x.safetensors") == {"acc": 0.5, "n": 3}


def test_buffers_including_zero_dimensional_integers_round_trip(tmp_path):
    from gradcraft import nn

    class Counter(nn.Module):
        def __init__(self, start):
            super().__init__()
            self.linear = nn.Linear(2, 2, rng=start)
            self.register_buffer("running_mean", np.full(2, float(start), dtype=np.float32))
            self.register_buffer("num_batches_tracked", np.array(start, dtype=np.int64))

        def forward(self, x):
            return self.linear(x)

    save(Counter(7), tmp_path / "c.safetensors")
    restored = Counter(0)
    load(restored, tmp_path / "c.safetensors")
    state = restored.state_dict()
    assert state["num_batches_tracked"].shape == () and state["num_batches_tracked"] == 7
    assert state["num_batches_tracked"].dtype == np.int64
    np.testing.assert_array_equal(state["running_mean"], [7.0, 7.0])
    assert_state_equal(state, Counter(7).state_dict())


def test_save_to_a_directory_names_it_and_leaves_nothing_behind(tmp_path, trained):
    model, _ = trained
    target = tmp_path / "runs"
    target.mkdir()
    with pytest.raises(IsADirectoryError, match=r"save: .*runs is a directory; give a file name"):
        save(model, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs"]
    assert list(target.iterdir()) == []
