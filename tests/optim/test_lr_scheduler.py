"""Schedulers: lr sequences against torch.optim.lr_scheduler (2.13) for the same settings."""

import numpy as np
import pytest
import torch

from gradcraft import nn, optim

L = torch.optim.lr_scheduler


def _optimizers(lrs=(0.5, 0.02)):
    ours = optim.SGD([{"params": [nn.Parameter(np.zeros(2))], "lr": lr} for lr in lrs], momentum=0.9)
    theirs = torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(2))], "lr": lr} for lr in lrs],
                             momentum=0.9)
    return ours, theirs


def _sequence(optimizer, schedulers, epochs):
    lrs = [schedulers[-1].get_last_lr()]
    for _ in range(epochs):
        optimizer.step()
        for scheduler in schedulers:
            scheduler.step()
        lrs.append(schedulers[-1].get_last_lr())
        assert lrs[-1] == [g["lr"] for g in optimizer.param_groups]
    return np.array(lrs)


CASES = [
    ("StepLR", dict(step_size=3)),
    ("StepLR", dict(step_size=2, gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=10)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001)),  # 30 epochs: goes past T_max and back up
    ("LinearLR", dict()),
    ("LinearLR", dict(start_factor=0.1, end_factor=0.5, total_iters=8)),
]


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_sequence_matches_torch(name, kwargs):
    ours, theirs = _optimizers()
    expected = _sequence(theirs, [getattr(L, name)(theirs, **kwargs)], 30)
    got = _sequence(ours, [getattr(optim, name)(ours, **kwargs)], 30)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    assert len(np.unique(got[:, 0])) > 2  # the schedule actually moved


def test_linear_warmup_is_torchs_linear_lr():
    ours, theirs = _optimizers()
    expected = _sequence(theirs, [L.LinearLR(theirs, start_factor=0.1, end_factor=1.0, total_iters=5)], 10)
    got = _sequence(ours, [optim.LinearWarmup(ours, warmup_steps=5, start_factor=0.1)], 10)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_allclose(got[:, 0], [0.05, 0.14, 0.23, 0.32, 0.41] + [0.5] * 6, rtol=1e-12)  # by hand


def test_warmup_then_cosine_with_sequential_lr_matches_torch():
    ours, theirs = _optimizers()
    t_sched = L.SequentialLR(theirs, [L.LinearLR(theirs, 0.1, total_iters=4), L.CosineAnnealingLR(theirs, 12)], [4])
    o_sched = optim.SequentialLR(ours, [optim.LinearLR(ours, 0.1, total_iters=4),
                                        optim.CosineAnnealingLR(ours, 12)], [4])
    np.testing.assert_allclose(_sequence(ours, [o_sched], 20), _sequence(theirs, [t_sched], 20), rtol=1e-12)


def test_two_chained_schedulers_match_torch():
    ours, theirs = _optimizers()
    expected = _sequence(theirs, [L.StepLR(theirs, 3, 0.5), L.ExponentialLR(theirs, 0.95)], 15)
    got = _sequence(ours, [optim.StepLR(ours, 3, 0.5), optim.ExponentialLR(ours, 0.95)], 15)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


METRICS = [1.0, 0.9, 0.95, 0.96, 0.97, 0.89, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.8, 0.8, 0.8, 0.8,
           0.8, 0.8, 0.79999, 0.81, 0.82, 0.83, 0.84, 0.85]


@pytest.mark.parametrize("kwargs", [
    dict(patience=2),
    dict(patience=1, factor=0.5, cooldown=2),
    dict(mode="max", patience=1, factor=0.5),
    dict(patience=0, threshold=0.05, threshold_mode="abs", min_lr=[0.01, 0.001]),
    dict(patience=1, factor=0.5, min_lr=0.1, eps=1e-3),
])
def test_reduce_on_plateau_matches_torch(kwargs):
    ours, theirs = _optimizers()
    o_sched, t_sched = optim.ReduceLROnPlateau(ours, **kwargs), L.ReduceLROnPlateau(theirs, **kwargs)
    got, expected = [], []
    for metric in METRICS:
        ours.step(); theirs.step()  # noqa: E702
        o_sched.step(metric); t_sched.step(metric)  # noqa: E702
        got.append(o_sched.get_last_lr()); expected.append(t_sched.get_last_lr())  # noqa: E702
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert got[-1] != got[0]


def test_reduce_on_plateau_accepts_a_one_element_tensor():
    import gradcraft as gc
    ours, _ = _optimizers()
    sched = optim.ReduceLROnPlateau(ours, patience=0)
    sched.step(gc.tensor(1.0))
    sched.step(gc.tensor(2.0))
    assert sched.get_last_lr() == pytest.approx([0.05, 0.002])


@pytest.mark.parametrize("make", [
    lambda o: optim.CosineAnnealingLR(o, T_max=8, eta_min=0.01),
    lambda o: optim.StepLR(o, 2, 0.5),
    lambda o: optim.ReduceLROnPlateau(o, patience=1),
    lambda o: optim.SequentialLR(o, [optim.LinearLR(o, 0.2, total_iters=3), optim.ExponentialLR(o, 0.9)], [3]),
])
def test_scheduler_state_dict_resumes_the_same_sequence(make):
    def advance(optimizer, scheduler, epochs, start):
        lrs = []
        for epoch in range(start, start + epochs):
            optimizer.step()
            if isinstance(scheduler, optim.ReduceLROnPlateau):
                scheduler.step(METRICS[epoch])
            else:
                scheduler.step()
            lrs.append(scheduler.get_last_lr())
        return lrs

    reference_opt, _ = _optimizers()
    reference = advance(reference_opt, make(reference_opt), 20, 0)

    first_opt, _ = _optimizers()
    first = make(first_opt)
    advance(first_opt, first, 9, 0)
    saved_sched, saved_opt = first.state_dict(), first_opt.state_dict()

    second_opt, _ = _optimizers(lrs=(7.0, 7.0))
    second = make(second_opt)
    second_opt.load_state_dict(saved_opt)
    second.load_state_dict(saved_sched)
    assert advance(second_opt, second, 11, 9) == reference[9:]


def test_scheduler_errors():
    ours, _ = _optimizers()
    with pytest.raises(TypeError, match="needs a gradcraft.optim Optimizer"):
        optim.StepLR(object(), 2)
    with pytest.raises(ValueError, match="step_size must be a positive int, got 0"):
        optim.StepLR(ours, 0)
    with pytest.raises(TypeError, match=r"T_max must be an int, got 2.5 \(float\)"):
        optim.CosineAnnealingLR(ours, 2.5)
    with pytest.raises(ValueError, match=r"start_factor must be in \(0, 1\], got 0.0"):
        optim.LinearLR(ours, start_factor=0.0)
    with pytest.raises(ValueError, match=r"factor must be in \[0, 1\), got 1.5"):
        optim.ReduceLROnPlateau(ours, factor=1.5)
    with pytest.raises(ValueError, match="mode must be one of 'min', 'max', got 'lowest'"):
        optim.ReduceLROnPlateau(ours, mode="lowest")
    with pytest.raises(ValueError, match="one value per parameter group"):
        optim.ReduceLROnPlateau(ours, min_lr=[0.1])
    with pytest.raises(ValueError, match="milestones must be 1 increasing"):
        optim.SequentialLR(ours, [optim.StepLR(ours, 2), optim.StepLR(ours, 3)], [])
    sched = optim.StepLR(ours, 2)
    with pytest.raises(ValueError, match="expects keys"):
        sched.load_state_dict({"last_epoch": 3})
