"""load refuses bad files with a clear ValueError and leaves model and optimizer unchanged."""

import json

import numpy as np
import pytest
import safetensors.numpy

from gradcraft import nn, optim
from gradcraft.serialization import companion_path, load, save


@pytest.fixture
def checkpoint(tmp_path, trained):
    model, optimizer = trained
    path = tmp_path / "ckpt.safetensors"
    save(model, path, optimizer=optimizer, metadata={"epoch": 3})
    return path


@pytest.fixture
def target(make_model, train_step, toy_data):
    """A different model and optimizer (with state of its own) to load into."""
    import gradcraft as gc

    model = make_model(11)
    optimizer = optim.Adam(model.parameters(), lr=0.5)
    x, y = toy_data
    train_step(model, optimizer, gc.tensor(x), gc.tensor(y))
    before = ({k: v.copy() for k, v in model.state_dict().items()}, optimizer.state_dict())
    return model, optimizer, before


def assert_unchanged(model, optimizer, before):
    model_state, optimizer_state = before
    for key, value in model.state_dict().items():
        assert np.array_equal(value, model_state[key]), key
    after = optimizer.state_dict()
    assert after["param_groups"] == optimizer_state["param_groups"]
    for index, entries in optimizer_state["state"].items():
        for name, value in entries.items():
            assert np.array_equal(after["state"][index][name], value)


@pytest.mark.parametrize("keep", [0, 7, 100, -1, -300])
def test_truncated_file(checkpoint, target, keep):
    content = checkpoint.read_bytes()
    checkpoint.write_bytes(content[:keep] if keep >= 0 else content[:len(content) + keep])
    model, optimizer, before = target
    with pytest.raises(ValueError, match=rf"{checkpoint.name}: not a valid safetensors file"):
        load(model, checkpoint, optimizer)
    assert_unchanged(model, optimizer, before)


def test_garbage_file(tmp_path, target):
    path = tmp_path / "model.pkl"
    path.write_bytes(b"\x80\x04\x95" + bytes(200))
    model, optimizer, before = target
    with pytest.raises(ValueError, match=r"model\.pkl: not a valid safetensors file"):
        load(model, path, optimizer)
    assert_unchanged(model, optimizer, before)


def test_missing_file_and_directory(tmp_path, target):
    model, _, _ = target
    with pytest.raises(FileNotFoundError, match="checkpoint file not found: .*nope.safetensors"):
        load(model, tmp_path / "nope.safetensors")
    with pytest.raises(ValueError, match="is not a file"):
        load(model, tmp_path)


def test_model_shape_mismatch(checkpoint, make_model):
    model = make_model(12, hidden=5)
    before = {k: v.copy() for k, v in model.state_dict().items()}
    with pytest.raises(ValueError, match=r"0\.weight: shape \(8, 6\) in the file, the model has "
                                         r"\(5, 6\).*2\.weight"):
        load(model, checkpoint)
    for key, value in model.state_dict().items():
        assert np.array_equal(value, before[key])


def test_integer_tensor_for_a_float_parameter_is_refused(checkpoint, target):
    """Another float dtype is cast (tests/serialization/test_dtype_cast.py); integers are not."""
    rewrite(checkpoint, edit_tensors=lambda t: t.update({"0.bias": np.arange(8, dtype=np.int64)}))
    model, optimizer, before = target
    with pytest.raises(ValueError, match=r"0\.bias: dtype int64 in the file, the model has float32"):
        load(model, checkpoint, optimizer)
    assert_unchanged(model, optimizer, before)


def test_missing_and_unexpected_keys(checkpoint):
    model = nn.Sequential(nn.Linear(6, 8, rng=0), nn.Tanh(), nn.Linear(8, 3, rng=0),
                          nn.Linear(3, 3, rng=0))
    with pytest.raises(ValueError, match=r"does not fit Sequential.*missing keys '3\.weight', '3\.bias'"):
        load(model, checkpoint)
    smaller = nn.Sequential(nn.Linear(6, 8, rng=0))
    with pytest.raises(ValueError, match=r"unexpected keys '2\.bias', '2\.weight'"):
        load(smaller, checkpoint)


def test_optimizer_class_mismatch_leaves_model_unchanged(checkpoint, make_model):
    model = make_model(14)
    sgd = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    before = {k: v.copy() for k, v in model.state_dict().items()}
    with pytest.raises(ValueError, match="holds Adam state, cannot load it into SGD"):
        load(model, checkpoint, sgd)  # the model part would fit: still nothing is loaded
    for key, value in model.state_dict().items():
        assert np.array_equal(value, before[key])
    assert sgd.param_groups[0]["lr"] == 0.1


def test_optimizer_group_layout_mismatch(checkpoint, make_model):
    model = make_model(15)
    params = list(model.parameters())
    two_groups = optim.Adam([{"params": params[:2]}, {"params": params[2:], "lr": 0.1}])
    with pytest.raises(ValueError, match=r"parameter groups hold \[4\] parameters in the file, "
                                         r"the optimizer's hold \[2, 2\]"):
        load(model, checkpoint, two_groups)


def test_model_saved_without_optimizer(tmp_path, trained, target):
    model, _ = trained
    save(model, tmp_path / "m.safetensors")
    target_model, optimizer, before = target
    with pytest.raises(ValueError, match="has no optimizer state.*without optimizer="):
        load(target_model, tmp_path / "m.safetensors", optimizer)
    assert_unchanged(target_model, optimizer, before)


def rewrite(path, edit_tensors=None, edit_metadata=None):
    """Rewrite a valid safetensors file with edited tensors / string metadata (a hand-edited
    file; its save id is kept, so a companion edited this way still belongs to its model file)."""
    tensors = safetensors.numpy.load_file(path)
    with safetensors.safe_open(path, framework="np") as handle:
        metadata = handle.metadata()
    if edit_tensors:
        edit_tensors(tensors)
    if edit_metadata:
        edit_metadata(metadata)
    safetensors.numpy.save_file(tensors, path, metadata=metadata)


def test_missing_optimizer_tensor(checkpoint, target):
    rewrite(companion_path(checkpoint), edit_tensors=lambda t: t.pop("optimizer.state.2.exp_avg_sq"))
    model, optimizer, before = target
    with pytest.raises(ValueError, match="optimizer state tensor 'optimizer.state.2.exp_avg_sq' is missing"):
        load(model, checkpoint, optimizer)
    assert_unchanged(model, optimizer, before)


def test_optimizer_tensor_of_wrong_shape(checkpoint, target):
    def shrink(tensors):
        tensors["optimizer.state.1.exp_avg"] = np.zeros(3, dtype=np.float32)

    rewrite(companion_path(checkpoint), edit_tensors=shrink)
    model, optimizer, before = target
    with pytest.raises(ValueError, match=r"'exp_avg' of parameter 1 has shape \(3,\), "
                                         r"the parameter has \(8,\)"):
        load(model, checkpoint, optimizer)
    assert_unchanged(model, optimizer, before)


def test_unsupported_version_and_corrupt_json(checkpoint, target):
    model, optimizer, before = target
    rewrite(checkpoint, edit_metadata=lambda m: m.update(format_version="99"))
    with pytest.raises(ValueError, match="format version '99' is not supported"):
        load(model, checkpoint, optimizer)
    rewrite(checkpoint, edit_metadata=lambda m: m.update(format_version="2", metadata="{oops"))
    with pytest.raises(ValueError, match="corrupt JSON metadata"):
        load(model, checkpoint, optimizer)
    assert_unchanged(model, optimizer, before)


def test_optimizer_hyper_parameter_names_must_match(checkpoint, target):
    def rename(metadata):
        saved = json.loads(metadata["optimizer"])
        saved["param_groups"][0]["momentum"] = saved["param_groups"][0].pop("amsgrad")
        metadata["optimizer"] = json.dumps(saved)

    rewrite(companion_path(checkpoint), edit_metadata=rename)
    model, optimizer, before = target
    with pytest.raises(ValueError, match="parameter group 0 has hyper-parameters .*'momentum'.* in the file"):
        load(model, checkpoint, optimizer)
    assert_unchanged(model, optimizer, before)
