"""The companion file (optimizer state, extra tensors): written first under a name of its own,
named by the model file, deleted when stale; crash-safe at every instant; a missing or foreign
companion, a companion given as the model file and a format-1 file are clear errors."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import safetensors.numpy

import gradcraft as gc
from gradcraft import optim, serialization
from gradcraft.serialization import companion_path, load, read_checkpoint, save


def state_of(model, optimizer):
    """(weights, Adam moments, Adam steps): what a load must restore exactly."""
    state = optimizer.state_dict()["state"]
    moments = {(i, k): v.copy() for i, e in state.items() for k, v in e.items() if isinstance(v, np.ndarray)}
    steps = {i: e["step"] for i, e in state.items()}
    return {k: v.copy() for k, v in model.state_dict().items()}, moments, steps


def assert_same_state(a, b):
    (weights_a, moments_a, steps_a), (weights_b, moments_b, steps_b) = a, b
    assert weights_a.keys() == weights_b.keys() and moments_a.keys() == moments_b.keys()
    assert all(np.array_equal(weights_a[k], weights_b[k]) for k in weights_a)
    assert all(np.array_equal(moments_a[k], moments_b[k]) for k in moments_a)
    assert steps_a == steps_b


@pytest.fixture
def two_states(make_model, train_step, toy_data):
    """Two different (model, Adam) states, A after 1 step, B after 3 steps from another seed."""
    x, y = toy_data
    states = []
    for seed, steps in ((0, 1), (1, 3)):
        model = make_model(seed)
        optimizer = optim.Adam(model.parameters(), lr=0.01)
        for _ in range(steps):
            train_step(model, optimizer, gc.tensor(x), gc.tensor(y))
        states.append((model, optimizer))
    return states


def loaded(path, make_model):
    model = make_model(42)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    load(model, path, optimizer)
    return state_of(model, optimizer)


def companions(directory: Path):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".state.safetensors"))


def test_each_save_has_one_companion_and_the_older_ones_are_deleted(tmp_path, two_states, make_model):
    (model_a, opt_a), (model_b, opt_b) = two_states
    path = tmp_path / "ckpt.safetensors"
    save(model_a, path, opt_a)
    first = companion_path(path)
    save(model_b, path, opt_b)
    second = companion_path(path)
    assert first != second and not first.exists()
    assert companions(tmp_path) == [second.name]
    assert_same_state(loaded(path, make_model), state_of(model_b, opt_b))
    save(model_a, path)                                   # weights only: no companion at all
    assert companion_path(path) is None and companions(tmp_path) == []


def test_companions_of_other_files_are_left_alone(tmp_path, two_states):
    """'ckpt' and 'ckpt.safetensors' share the companion prefix 'ckpt.': each save deletes only
    its own file's companions (the companion records its model file's name)."""
    (model_a, opt_a), (model_b, opt_b) = two_states
    save(model_a, tmp_path / "ckpt", opt_a)
    save(model_b, tmp_path / "ckpt.safetensors", opt_b)
    save(model_b, tmp_path / "ckpt.safetensors", opt_b)
    assert companion_path(tmp_path / "ckpt").exists()
    assert len(companions(tmp_path)) == 2


def test_a_save_is_consistent_at_every_instant(tmp_path, two_states, make_model, monkeypatch):
    """Snapshot the directory before and after every file operation of a save that replaces
    pair A by pair B; a crash at any of those instants leaves A or B, each loading exactly."""
    (model_a, opt_a), (model_b, opt_b) = two_states
    work = tmp_path / "work"
    work.mkdir()
    path = work / "ckpt.safetensors"
    save(model_a, path, opt_a, metadata={"pair": "A"})

    snapshots = []

    def snapshot():
        snapshots.append({p.name: p.read_bytes() for p in work.iterdir()})

    writing = serialization.writing
    real_write, real_unlink = writing.write_atomically, Path.unlink

    def write(*args, **kwargs):
        snapshot()
        real_write(*args, **kwargs)
        snapshot()

    def unlink(self, *args, **kwargs):
        snapshot()
        real_unlink(self, *args, **kwargs)
        snapshot()

    monkeypatch.setattr(writing, "write_atomically", write)
    monkeypatch.setattr(Path, "unlink", unlink)
    save(model_b, path, opt_b, metadata={"pair": "B"})
    monkeypatch.undo()
    assert len(snapshots) == 6   # companion written, model file replaced, old companion deleted

    expected = {"A": state_of(model_a, opt_a), "B": state_of(model_b, opt_b)}
    seen = []
    for i, files in enumerate(snapshots):
        crashed = tmp_path / f"crash-{i}"
        crashed.mkdir()
        for name, content in files.items():
            (crashed / name).write_bytes(content)
        pair = serialization.load_metadata(crashed / "ckpt.safetensors")["pair"]
        assert_same_state(loaded(crashed / "ckpt.safetensors", make_model), expected[pair])
        seen.append(pair)
    assert seen[0] == "A" and seen[-1] == "B" and seen == sorted(seen)   # A ... A B ... B


def test_an_orphan_companion_of_a_crashed_save_is_never_read_and_is_cleaned_up(tmp_path, two_states,
                                                                               make_model, monkeypatch):
    (model_a, opt_a), (model_b, opt_b) = two_states
    path = tmp_path / "ckpt.safetensors"
    save(model_a, path, opt_a)
    calls = []
    real_write = serialization.writing.write_atomically

    def crash_before_the_model_file(target, *args, **kwargs):
        calls.append(target)
        if len(calls) == 2:
            raise OSError("disk full")
        real_write(target, *args, **kwargs)

    monkeypatch.setattr(serialization.writing, "write_atomically", crash_before_the_model_file)
    with pytest.raises(OSError, match="disk full"):
        save(model_b, path, opt_b)
    monkeypatch.undo()
    assert not Path(calls[0]).exists()           # the failed save removed its companion
    assert_same_state(loaded(path, make_model), state_of(model_a, opt_a))

    shutil.copy(companion_path(path), tmp_path / "ckpt.0123456789abcdef.state.safetensors")  # an orphan
    save(model_b, path, opt_b)
    assert companions(tmp_path) == [companion_path(path).name]


def test_a_missing_companion_is_a_clear_error_and_changes_nothing(tmp_path, two_states, make_model):
    (model_a, opt_a), (model_b, opt_b) = two_states
    path = tmp_path / "ckpt.safetensors"
    save(model_a, path, opt_a)
    name = companion_path(path).name
    companion_path(path).unlink()
    before = state_of(model_b, opt_b)
    with pytest.raises(ValueError, match=rf"ckpt.safetensors: its companion file {name} \(optimizer "
                                         r"state and extra tensors\) is missing; copy or move a model "
                                         r"file together with its companion; nothing was loaded"):
        load(model_b, path, opt_b)
    with pytest.raises(ValueError, match="is missing"):
        read_checkpoint(path)
    assert_same_state(state_of(model_b, opt_b), before)
    # The weights alone need only the model file.
    model = make_model(5)
    load(model, path)
    assert all(np.array_equal(model.state_dict()[k], v) for k, v in model_a.state_dict().items())


def test_a_companion_of_another_save_is_refused(tmp_path, two_states):
    (model_a, opt_a), (model_b, opt_b) = two_states
    save(model_a, tmp_path / "a.safetensors", opt_a)
    save(model_b, tmp_path / "b.safetensors", opt_b)
    # Hand-copied: b's companion under the name a's model file expects.
    shutil.copy(companion_path(tmp_path / "b.safetensors"), companion_path(tmp_path / "a.safetensors"))
    before = state_of(model_b, opt_b)
    with pytest.raises(ValueError, match=r"a.safetensors: its companion file .* belongs to another save "
                                         r"\(save id '[0-9a-f]{16}', the model file's is '[0-9a-f]{16}'\)"):
        load(model_b, tmp_path / "a.safetensors", opt_b)
    assert_same_state(state_of(model_b, opt_b), before)


def test_a_truncated_companion_changes_nothing(tmp_path, two_states):
    (model_a, opt_a), (model_b, opt_b) = two_states
    save(model_a, tmp_path / "a.safetensors", opt_a)
    companion = companion_path(tmp_path / "a.safetensors")
    companion.write_bytes(companion.read_bytes()[:-10])
    before = state_of(model_b, opt_b)
    with pytest.raises(ValueError, match=rf"{companion.name}: not a valid safetensors file"):
        load(model_b, tmp_path / "a.safetensors", opt_b)
    assert_same_state(state_of(model_b, opt_b), before)


def test_loading_the_companion_itself_says_which_file_to_load(tmp_path, two_states):
    (model_a, opt_a), _ = two_states
    save(model_a, tmp_path / "a.safetensors", opt_a)
    with pytest.raises(ValueError, match=r"is the companion file of the model file 'a.safetensors' .*; "
                                         r"load the model file"):
        load(model_a, companion_path(tmp_path / "a.safetensors"))


def test_a_pair_replaced_while_it_is_read_is_read_again(tmp_path, two_states, make_model, monkeypatch):
    """A reader that read model file A while a writer replaced the pair by B (and deleted A's
    companion) must not fail nor mix them: it reads B."""
    (model_a, opt_a), (model_b, opt_b) = two_states
    path = tmp_path / "ckpt.safetensors"
    save(model_a, path, opt_a)
    reading = serialization.reading
    real_read = reading.read_safetensors
    replaced = []

    def read(file, what):
        if what == "companion" and not replaced:
            replaced.append(True)
            save(model_b, path, opt_b)        # a concurrent save lands between the two reads
        return real_read(file, what)

    monkeypatch.setattr(reading, "read_safetensors", read)
    state = loaded(path, make_model)
    assert replaced
    assert_same_state(state, state_of(model_b, opt_b))


def format_1_file(path, model, optimizer):
    """A checkpoint as gradcraft's format 1 wrote it (one file; weights as model.<key>)."""
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    state = optimizer.state_dict()
    arrays, scalars = {}, {}
    for index, entries in state["state"].items():
        for name, value in entries.items():
            if isinstance(value, np.ndarray):
                tensors[f"optimizer.state.{index}.{name}"] = value
                arrays.setdefault(str(index), []).append(name)
            else:
                scalars.setdefault(str(index), {})[name] = value
    tensors["callbacks.0.best.0.weight"] = np.full((8, 6), 2.0, np.float32)
    header = {"class": "Adam", "param_groups": state["param_groups"], "state": scalars, "state_arrays": arrays}
    safetensors.numpy.save_file(tensors, path, metadata={
        "format": "gradcraft", "format_version": "1", "metadata": json.dumps({"epoch": 3}),
        "optimizer": json.dumps(header)})


def test_a_format_1_file_is_named_as_such_and_upgrade_converts_it(tmp_path, two_states, make_model):
    import safetensors.torch
    import torch

    (model_a, opt_a), _ = two_states
    path = tmp_path / "old.safetensors"
    format_1_file(path, model_a, opt_a)
    with pytest.raises(ValueError, match=r"old.safetensors: is a gradcraft checkpoint of format version 1 "
                                         r"\(written by an earlier gradcraft.*upgrade\("):
        load(make_model(3), path)
    serialization.upgrade(path)
    assert_same_state(loaded(path, make_model), state_of(model_a, opt_a))
    assert serialization.load_metadata(path) == {"epoch": 3}
    extra = read_checkpoint(path).extra_tensors("callbacks.0.")
    assert list(extra) == ["best.0.weight"] and np.all(extra["best.0.weight"] == 2.0)
    net = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    net.load_state_dict(safetensors.torch.load_file(path))            # strict, no renaming
    with pytest.raises(ValueError, match="is not a gradcraft file of format version 1"):
        serialization.upgrade(path)


def test_extra_tensor_names_may_not_pose_as_optimizer_state(tmp_path, two_states):
    (model_a, opt_a), _ = two_states
    with pytest.raises(ValueError, match=r"extra tensor name 'optimizer.state.0.x' must be a str not "
                                         r"starting with 'optimizer.'"):
        save(model_a, tmp_path / "x.safetensors", opt_a, extra_tensors={"optimizer.state.0.x": np.zeros(1)})
    assert list(tmp_path.iterdir()) == []
