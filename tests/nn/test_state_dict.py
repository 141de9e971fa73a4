"""state_dict / load_state_dict: torch's keys, both-way transfer, all-or-nothing refusals."""

import numpy as np
import pytest
import torch

from gradcraft import nn


def _snapshot(model):
    return {k: v.copy() for k, v in model.state_dict().items()}


def _assert_unchanged(model, before):
    after = model.state_dict()
    assert list(after) == list(before)
    for key in before:
        np.testing.assert_array_equal(after[key], before[key])
        assert after[key].dtype == before[key].dtype


def test_keys_and_order_match_torch(net, torch_net):
    assert list(net.state_dict()) == list(torch_net.state_dict())
    assert list(net.state_dict())[:2] == ["scale", "running"]  # own params, own buffers, children


def test_state_dict_values_are_copies(net):
    state = net.state_dict()
    state["fc1.weight"][...] = 123.0
    assert not np.any(net.fc1.weight.data == 123.0)


def test_gradcraft_to_torch_and_back(net, torch_net):
    ours = net.state_dict()
    torch_net.load_state_dict({k: torch.from_numpy(v) for k, v in ours.items()})
    for key, value in torch_net.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), ours[key])

    torch.manual_seed(1)
    other = type(torch_net)()
    with torch.no_grad():
        other.running.add_(5.0)
    fresh = type(net)()
    fresh.load_state_dict({k: v.numpy() for k, v in other.state_dict().items()})
    for key, value in other.state_dict().items():
        np.testing.assert_array_equal(fresh.state_dict()[key], value.numpy())
    # torch tensors are accepted directly as values too
    fresh.load_state_dict(torch_net.state_dict())
    np.testing.assert_array_equal(fresh.fc1.weight.data, ours["fc1.weight"])


def test_load_copies_into_existing_arrays_and_keeps_their_dtype(net):
    weight, buffer = net.fc1.weight, net.running
    array_before = weight.data
    state = {k: v.astype(np.float64) + 1.0 for k, v in net.state_dict().items()}
    net.load_state_dict(state)
    assert net.fc1.weight is weight and weight.data is array_before  # same objects, new values
    assert weight.dtype == np.float32 and net.running is buffer and buffer.dtype == np.float32
    np.testing.assert_allclose(weight.data, state["fc1.weight"].astype(np.float32))
    np.testing.assert_array_equal(net.running, np.arange(8) + 1.0)


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.pop("head.0.bias"), r"missing keys \['head.0.bias'\]"),
    (lambda s: s.__setitem__("extra.weight", np.zeros(2)), r"unexpected keys \['extra.weight'\]"),
    (lambda s: s.__setitem__("fc1.weight", np.zeros((4, 8))), r"fc1.weight: shape mismatch, model has \(8, 4\), got \(4, 8\)"),
    (lambda s: s.__setitem__("running", np.array(["a"] * 8)), "running: expected numeric values"),
])
def test_refusals_name_the_problem_and_change_nothing(net, edit, message):
    before = _snapshot(net)
    state = {k: v + 7.0 for k, v in net.state_dict().items()}  # valid values that would change things
    edit(state)
    with pytest.raises(ValueError, match=message):
        net.load_state_dict(state)
    _assert_unchanged(net, before)


def test_every_problem_is_listed_at_once(net):
    state = net.state_dict()
    state.pop("scale")
    state["bogus"] = np.zeros(1)
    state["fc1.bias"] = np.zeros(3)
    with pytest.raises(ValueError) as info:
        net.load_state_dict(state)
    text = str(info.value)
    assert "missing keys ['scale']" in text and "unexpected keys ['bogus']" in text
    assert "fc1.bias: shape mismatch" in text and "left unchanged" in text


def test_non_strict_loads_the_matching_keys_and_reports_the_rest(net):
    state = {"fc1.bias": np.full(8, 2.0), "nope": np.zeros(1)}
    result = net.load_state_dict(state, strict=False)
    assert result.missing_keys == [k for k in net.state_dict() if k != "fc1.bias"]
    assert result.unexpected_keys == ["nope"]
    np.testing.assert_array_equal(net.fc1.bias.data, np.full(8, 2.0))


def test_non_strict_still_refuses_shape_mismatch(net):
    before = _snapshot(net)
    with pytest.raises(ValueError, match="shape mismatch"):
        net.load_state_dict({"fc1.bias": np.zeros(8), "fc1.weight": np.zeros(3)}, strict=False)
    _assert_unchanged(net, before)  # fc1.bias was valid but not written either


def test_load_state_dict_needs_a_mapping(net):
    with pytest.raises(TypeError, match="mapping"):
        net.load_state_dict([1, 2])


def test_sequential_keys_match_torch():
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2, bias=False))
    torch_model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 3), torch.nn.ReLU(),
                                      torch.nn.Linear(3, 2, bias=False))
    assert list(model.state_dict()) == list(torch_model.state_dict()) == ["1.weight", "1.bias", "3.weight"]
