"""Optimizer base: state_dict layout and round trip, validation, zero_grad, in-place updates."""

import copy

import numpy as np
import pytest
import torch

import gradcraft as gc
from gradcraft import nn, optim

ALL = [("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)), ("Adagrad", dict(lr_decay=0.01)),
       ("RMSprop", dict(momentum=0.5, centered=True)), ("Adam", dict(amsgrad=True, weight_decay=0.1)),
       ("AdamW", dict(lr=0.01))]
# The newer optimizers' state layout against torch is in test_new_optimizers.py (NAdam's torch
# state holds a float32 product unless torch's default dtype is float64); all resume here.
ROUND_TRIP = ALL + [("Adadelta", dict(weight_decay=0.1)), ("RAdam", dict(weight_decay=0.1)),
                    ("NAdam", dict(decoupled_weight_decay=True, weight_decay=0.1)),
                    ("Adamax", dict(maximize=True))]


@pytest.mark.parametrize("name, kwargs", ROUND_TRIP)
def test_state_dict_round_trip_continues_identically(h, name, kwargs):
    grads = h.gradient_sequence(30)
    reference = [nn.Parameter(v) for v in h.initial_values()]
    reference_opt = getattr(optim, name)(reference, **kwargs)
    h.run_steps(reference, reference_opt, grads)

    first = [nn.Parameter(v) for v in h.initial_values()]
    first_opt = getattr(optim, name)(first, **kwargs)
    h.run_steps(first, first_opt, grads[:12])
    saved = first_opt.state_dict()
    saved_values = [p.data.copy() for p in first]
    h.run_steps(first, first_opt, grads[12:14])  # must not leak into the saved copy

    resumed = [nn.Parameter(v) for v in saved_values]
    resumed_opt = getattr(optim, name)(resumed, lr=123.0)  # hyper-parameters come from the state dict
    resumed_opt.load_state_dict(saved)
    assert resumed_opt.param_groups[0]["lr"] == reference_opt.param_groups[0]["lr"]
    h.run_steps(resumed, resumed_opt, grads[12:])
    for p, q in zip(resumed, reference):
        np.testing.assert_array_equal(p.data, q.data)


@pytest.mark.parametrize("name, kwargs", ALL)
def test_state_dict_layout_and_names_are_torchs(h, name, kwargs):
    ours, theirs = h.make_params()
    opt, torch_opt = getattr(optim, name)(ours, **kwargs), getattr(torch.optim, name)(theirs, **kwargs)
    grads = h.gradient_sequence(5)
    h.run_steps(ours, opt, grads)
    h.run_steps(theirs, torch_opt, grads, torch_side=True)
    state, torch_state = opt.state_dict(), torch_opt.state_dict()
    assert set(state) == {"state", "param_groups"}
    assert sorted(state["state"]) == sorted(torch_state["state"]) == [0, 1, 2]
    for index, entries in state["state"].items():
        assert sorted(entries) == sorted(torch_state["state"][index])
        for key, value in entries.items():
            np.testing.assert_allclose(value, np.asarray(torch_state["state"][index][key]), rtol=1e-9)
    group, torch_group = state["param_groups"][0], torch_state["param_groups"][0]
    assert group["params"] == torch_group["params"] == [0, 1, 2]
    for key, value in group.items():
        assert torch_group[key] == value, key


def test_state_dict_counts_indices_across_groups():
    a, b, c = (nn.Parameter(np.zeros(2)) for _ in range(3))
    opt = optim.SGD([{"params": [a]}, {"params": [b, c], "lr": 0.5}], lr=0.1, momentum=0.9)
    for p in (a, c):
        p.grad = np.ones(2)
    opt.step()
    state = opt.state_dict()
    assert [g["params"] for g in state["param_groups"]] == [[0], [1, 2]]
    assert sorted(state["state"]) == [0, 2]  # b had no gradient: no state, as in torch
    assert state["param_groups"][1]["lr"] == 0.5


def _sgd_with_state():
    params = [nn.Parameter(np.ones((2, 3))), nn.Parameter(np.ones(3))]
    opt = optim.SGD(params, lr=0.1, momentum=0.9)
    for p in params:
        p.grad = np.full(p.shape, 0.5)
    opt.step()
    return params, opt


@pytest.mark.parametrize("edit, message", [
    (lambda s: s["param_groups"].append(copy.deepcopy(s["param_groups"][0])), "has 2 parameter groups"),
    (lambda s: s["param_groups"][0]["params"].pop(), r"groups hold \[1\] parameters, this optimizer's hold \[2\]"),
    (lambda s: s["state"][0].__setitem__("momentum_buffer", np.zeros((3, 2))), r"has shape \(3, 2\)"),
    (lambda s: s["state"].__setitem__(5, {}), "parameter index 5"),
    (lambda s: s["param_groups"][0].__setitem__("betas", (0.9, 0.99)), r"hyper-parameter\(s\) \['betas'\] unknown"),
    (lambda s: s["param_groups"][0].__setitem__("lr", -1.0), r"lr must be >= 0, got -1.0"),
    (lambda s: s.pop("state"), "exactly 'state' and 'param_groups'"),
])
def test_load_state_dict_refusals_change_nothing(edit, message):
    params, opt = _sgd_with_state()
    before = opt.state_dict()
    bad = opt.state_dict()
    edit(bad)
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(bad)
    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"]
    for index in before["state"]:
        np.testing.assert_array_equal(after["state"][index]["momentum_buffer"],
                                      before["state"][index]["momentum_buffer"])


def test_loaded_state_takes_the_parameter_dtype_and_accepts_string_indices():
    params, opt = _sgd_with_state()
    saved = opt.state_dict()
    saved["state"] = {str(k): v for k, v in saved["state"].items()}  # as after a JSON round trip
    fresh = [nn.Parameter(np.ones((2, 3), dtype=np.float32)), nn.Parameter(np.ones(3, dtype=np.float32))]
    fresh_opt = optim.SGD(fresh, lr=0.1, momentum=0.9)
    fresh_opt.load_state_dict(saved)
    assert fresh_opt.state[fresh[0]]["momentum_buffer"].dtype == np.float32
    np.testing.assert_array_equal(fresh_opt.state[fresh[0]]["momentum_buffer"], np.full((2, 3), 0.5))


def test_step_updates_in_place_and_skips_parameters_without_grad():
    a, b = nn.Parameter(np.ones(3, dtype=np.float32)), nn.Parameter(np.ones(3, dtype=np.float32))
    data_a, data_b = a.data, b.data
    opt = optim.SGD([a, b], lr=0.5, momentum=0.9)
    a.grad = np.full(3, 2.0, dtype=np.float32)
    opt.step()
    assert a.data is data_a and b.data is data_b and a.dtype == np.float32
    np.testing.assert_array_equal(a.data, np.zeros(3))  # 1 - 0.5 * 2
    np.testing.assert_array_equal(b.data, np.ones(3))
    assert b not in opt.state and a.grad is not None


def test_zero_grad_and_closure():
    p = nn.Parameter(np.array([3.0]))
    opt = optim.SGD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 9.0
    np.testing.assert_array_equal(p.data, [1.5])  # 3 - 0.25 * 6
    opt.zero_grad()
    assert p.grad is None
    p.grad = np.ones(1)
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad, [0.0])


def test_accepts_named_parameters_and_module_parameters():
    model = nn.Linear(3, 2)
    assert len(optim.Adam(model.named_parameters()).param_groups[0]["params"]) == 2
    assert len(optim.Adam(model.parameters()).param_groups[0]["params"]) == 2


@pytest.mark.parametrize("make, error, message", [
    (lambda p: optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
    (lambda p: optim.SGD(p, lr=0.1), TypeError, "got a single Tensor"),
    (lambda p: optim.SGD([p, p], lr=0.1), ValueError, "more than once"),
    (lambda p: optim.SGD([np.zeros(2)], lr=0.1), TypeError, "must be Tensors/Parameters, got ndarray"),
    (lambda p: optim.SGD([p], lr=-0.1), ValueError, r"lr must be >= 0, got -0.1"),
    (lambda p: optim.SGD([p], lr=0.1, nesterov=True), ValueError, "nesterov momentum needs momentum > 0"),
    (lambda p: optim.SGD([{"params": [p], "betas": (0.9, 0.9)}]), ValueError, r"unknown hyper-parameter\(s\) \['betas'\]"),
    (lambda p: optim.Adam([p], betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be in \[0, 1\), got 1.0"),
    (lambda p: optim.Adam([p], betas=0.9), TypeError, r"betas must be a pair \(beta1, beta2\), got 0.9 \(float\)"),
    (lambda p: optim.RMSprop([p], alpha=-0.5), ValueError, "alpha must be >= 0, got -0.5"),
    (lambda p: optim.Adagrad([p], lr="fast"), TypeError, r"lr must be a real number, got 'fast' \(str\)"),
])
def test_bad_construction_is_refused_clearly(make, error, message):
    with pytest.raises(error, match=message):
        make(nn.Parameter(np.zeros(2)))


def test_gradient_of_the_wrong_shape_is_refused():
    p = nn.Parameter(np.zeros(3))
    opt = optim.SGD([p], lr=0.1)
    p.grad = np.zeros((3, 1))
    with pytest.raises(ValueError, match=r"gradient of shape \(3, 1\) does not match its parameter's shape \(3,\)"):
        opt.step()
    np.testing.assert_array_equal(p.data, np.zeros(3))


def test_training_loop_reduces_a_least_squares_loss():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype=np.float32) + 0.3
    model = nn.Linear(3, 1, rng=0)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(200):
        opt.zero_grad()
        loss = ((model(gc.tensor(x)) - gc.tensor(y)) ** 2).mean()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(model.weight.data, [[1.0, -2.0, 0.5]], atol=1e-3)
    np.testing.assert_allclose(model.bias.data, [0.3], atol=1e-3)


def test_state_dict_survives_a_json_round_trip():
    import json

    params = [nn.Parameter(np.ones(3))]
    opt = optim.Adam(params, lr=0.01, betas=(0.8, 0.9))
    params[0].grad = np.full(3, 0.5)
    opt.step()
    saved = opt.state_dict()
    header = json.loads(json.dumps({"param_groups": saved["param_groups"],
                                    "state": {k: {"step": v["step"]} for k, v in saved["state"].items()}}))
    header["state"] = {k: {**v, "exp_avg": saved["state"][int(k)]["exp_avg"],
                           "exp_avg_sq": saved["state"][int(k)]["exp_avg_sq"]} for k, v in header["state"].items()}
    fresh = [nn.Parameter(np.ones(3))]
    fresh_opt = optim.Adam(fresh)
    fresh_opt.load_state_dict(header)
    assert fresh_opt.param_groups[0]["betas"] == (0.8, 0.9)  # a tuple again, as torch keeps it
    assert fresh_opt.state[fresh[0]]["step"] == 1
