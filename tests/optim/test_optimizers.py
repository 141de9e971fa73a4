"""Update rules against torch.optim (2.13, CPU): 30 steps, float64, identical gradients -> 1e-9."""

import numpy as np
import pytest
import torch

from gradcraft import optim

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.5, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01, maximize=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.2)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.3, eps=1e-6)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.005, alpha=0.95, momentum=0.7, centered=True, weight_decay=0.1, eps=1e-6)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, maximize=True, weight_decay=0.05, amsgrad=True)),
    ("AdamW", dict()),
    ("AdamW", dict(lr=0.01, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True, betas=(0.5, 0.9))),
]


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_matches_torch_for_30_steps_in_float64(h, name, kwargs):
    ours, theirs = h.make_params()
    grads = h.gradient_sequence(30)
    h.run_steps(ours, getattr(optim, name)(ours, **kwargs), grads)
    h.run_steps(theirs, getattr(torch.optim, name)(theirs, **kwargs), grads, torch_side=True)
    for p, t in zip(ours, theirs):
        assert p.dtype == np.float64
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-9, atol=1e-9)
        assert not np.allclose(p.data, 0)  # the comparison is not between two untouched zeros


@pytest.mark.parametrize("name, kwargs", [("SGD", dict(lr=0.05, momentum=0.9)), ("Adam", dict(lr=0.01)),
                                          ("RMSprop", dict(momentum=0.5, centered=True)), ("Adagrad", dict())])
def test_float32_parameters_stay_float32_and_match_torch(h, name, kwargs):
    ours, theirs = h.make_params(np.float32)
    grads = h.gradient_sequence(30, dtype=np.float32)
    h.run_steps(ours, getattr(optim, name)(ours, **kwargs), grads)
    h.run_steps(theirs, getattr(torch.optim, name)(theirs, **kwargs), grads, torch_side=True)
    for p, t in zip(ours, theirs):
        assert p.dtype == np.float32
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_parameter_groups_with_their_own_hyper_parameters_match_torch(h):
    ours, theirs = h.make_params()
    grads = h.gradient_sequence(30)
    opt = optim.SGD([{"params": ours[:1]}, {"params": ours[1:], "lr": 0.01, "nesterov": True}],
                    lr=0.1, momentum=0.9)
    torch_opt = torch.optim.SGD([{"params": theirs[:1]}, {"params": theirs[1:], "lr": 0.01, "nesterov": True}],
                                lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]
    h.run_steps(ours, opt, grads)
    h.run_steps(theirs, torch_opt, grads, torch_side=True)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-9, atol=1e-9)


def test_lr_changed_in_param_groups_takes_effect_like_torch(h):
    ours, theirs = h.make_params()
    grads = h.gradient_sequence(20)
    opt, torch_opt = optim.Adam(ours, lr=0.01), torch.optim.Adam(theirs, lr=0.01)
    for i, step_grads in enumerate(grads):
        opt.param_groups[0]["lr"] = torch_opt.param_groups[0]["lr"] = 0.01 / (1 + i)
        h.run_steps(ours, opt, [step_grads])
        h.run_steps(theirs, torch_opt, [step_grads], torch_side=True)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"])
def test_zero_learning_rate_leaves_parameters_unchanged_like_torch(h, name):
    ours, theirs = h.make_params()
    grads = h.gradient_sequence(3)
    h.run_steps(ours, getattr(optim, name)(ours, lr=0.0), grads)
    h.run_steps(theirs, getattr(torch.optim, name)(theirs, lr=0.0), grads, torch_side=True)
    for p, t, start in zip(ours, theirs, h.initial_values()):
        np.testing.assert_array_equal(t.detach().numpy(), start)
        np.testing.assert_array_equal(p.data, start)
