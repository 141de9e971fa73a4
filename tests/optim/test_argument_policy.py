"""The argument policy in gradcraft.optim (`gradcraft.validation`): a wrong type raises TypeError,
a wrong value ValueError, both naming the argument and showing the value seen.

torch==2.13.0 is the reference where it checks: for every non-negative hyper-parameter but
SGD's dampening it refuses a string with TypeError and a negative number with ValueError, as
here. It accepts NaN and inf learning rates (and infinite ones everywhere), which are refused here.
"""

import math

import numpy as np
import pytest
import torch

from gradcraft import nn, optim

NON_NEGATIVE = {
    "SGD": ("lr", "momentum", "dampening", "weight_decay"),
    "Adagrad": ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"),
    "RMSprop": ("lr", "alpha", "eps", "weight_decay", "momentum"),
    "Adam": ("lr", "eps", "weight_decay"),
    "AdamW": ("lr", "eps", "weight_decay"),
    "Adadelta": ("lr", "eps", "weight_decay"),
    "NAdam": ("lr", "eps", "weight_decay", "momentum_decay"),
    "RAdam": ("lr", "eps", "weight_decay"),
    "Adamax": ("lr", "eps", "weight_decay"),
    "LBFGS": ("lr", "tolerance_grad", "tolerance_change"),
}
HYPERS = [(name, hyper) for name, hypers in NON_NEGATIVE.items() for hyper in hypers]
# torch takes any dampening, and checks only LBFGS's lr
TORCH_UNCHECKED = {("SGD", "dampening"), ("LBFGS", "tolerance_grad"), ("LBFGS", "tolerance_change")}

FLAGS = [("SGD", "nesterov"), ("SGD", "maximize"), ("Adagrad", "maximize"), ("RMSprop", "centered"),
         ("RMSprop", "maximize"), ("Adam", "amsgrad"), ("Adam", "maximize"), ("AdamW", "amsgrad"),
         ("Adadelta", "maximize"), ("NAdam", "decoupled_weight_decay"), ("NAdam", "maximize"),
         ("RAdam", "decoupled_weight_decay"), ("RAdam", "maximize"), ("Adamax", "maximize")]


def _param():
    return nn.Parameter(np.zeros(2))


def _torch_param():
    return torch.nn.Parameter(torch.zeros(2))


def _build(library, name, **kwargs):
    params = [_param()] if library is optim else [_torch_param()]
    if name == "SGD" and kwargs.get("nesterov") is True:
        kwargs["momentum"] = 0.9
    return getattr(library, name)(params, **kwargs)


@pytest.mark.parametrize("name, hyper", HYPERS)
@pytest.mark.parametrize("value, shown", [("0.1", r"'0.1' \(str\)"), (None, r"None \(NoneType\)"),
                                          (True, r"True \(bool\)"), ([0.1], r"\[0.1\] \(list\)")])
def test_hyper_parameter_of_a_wrong_type(name, hyper, value, shown):
    with pytest.raises(TypeError, match=f"{hyper} must be a real number, got {shown}"):
        _build(optim, name, **{hyper: value})
    if (name, hyper) not in TORCH_UNCHECKED and isinstance(value, str):
        with pytest.raises(TypeError):
            _build(torch.optim, name, **{hyper: value})


@pytest.mark.parametrize("name, hyper", HYPERS)
@pytest.mark.parametrize("value, message", [(-0.1, ">= 0, got -0.1"), (math.nan, ".*got nan"),
                                            (math.inf, "a finite number, got inf")])
def test_hyper_parameter_of_a_wrong_value(name, hyper, value, message):
    with pytest.raises(ValueError, match=f"{hyper} must be {message}"):
        _build(optim, name, **{hyper: value})
    if (name, hyper) not in TORCH_UNCHECKED and value == -0.1:
        with pytest.raises(ValueError):
            _build(torch.optim, name, **{hyper: value})


@pytest.mark.parametrize("name, flag", FLAGS)
@pytest.mark.parametrize("value, shown", [("yes", r"'yes' \(str\)"), (1, r"1 \(int\)"), (None, "None")])
def test_flags_must_be_bools(name, flag, value, shown):
    # torch accepts any value here (and reads "no" as true); 1 is usually a misplaced argument
    with pytest.raises(TypeError, match=f"{flag} must be True or False, got {shown}"):
        _build(optim, name, **{flag: value})


def test_hyper_parameters_are_stored_as_plain_floats_and_bools():
    opt = optim.SGD([_param()], lr=np.float32(0.5), momentum=1, nesterov=np.bool_(True))
    group = opt.param_groups[0]
    assert type(group["lr"]) is float and group["lr"] == 0.5
    assert type(group["momentum"]) is float and group["momentum"] == 1.0
    assert group["nesterov"] is True
    adam = optim.Adam([_param()], betas=[np.float64(0.5), 0.75])
    assert adam.param_groups[0]["betas"] == (0.5, 0.75)
    assert all(type(beta) is float for beta in adam.param_groups[0]["betas"])


def test_a_parameter_group_is_checked_like_the_defaults():
    with pytest.raises(TypeError, match=r"lr must be a real number, got '0.1' \(str\)"):
        optim.SGD([{"params": [_param()]}, {"params": [_param()], "lr": "0.1"}], lr=0.1)
    with pytest.raises(ValueError, match="weight_decay must be >= 0, got -1.0"):
        optim.Adam([_param()]).add_param_group({"params": [_param()], "weight_decay": -1})


# ---------------------------------------------------------------- Adam's betas


@pytest.mark.parametrize("betas, shown", [(0.9, r"0.9 \(float\)"), ("ab", r"'ab' \(str\)")])
def test_betas_that_are_not_a_pair_are_a_wrong_type(betas, shown):
    with pytest.raises(TypeError, match=rf"betas must be a pair \(beta1, beta2\), got {shown}"):
        optim.Adam([_param()], betas=betas)
    if betas == 0.9:  # torch: 'float' object is not subscriptable (it takes 3 betas silently)
        with pytest.raises(TypeError):
            torch.optim.Adam([_torch_param()], betas=betas)


@pytest.mark.parametrize("betas, shown", [((0.9,), r"\(0.9,\) \(tuple\)"),
                                          ((0.9, 0.99, 0.999), r"\(0.9, 0.99, 0.999\) \(tuple\)")])
def test_betas_of_another_length_are_a_wrong_value(betas, shown):
    with pytest.raises(ValueError, match=rf"betas must be a pair \(beta1, beta2\), got {shown}"):
        optim.Adam([_param()], betas=betas)


def test_a_beta_of_a_wrong_type():
    with pytest.raises(TypeError, match=r"betas\[0\] must be a real number, got 'a' \(str\)"):
        optim.AdamW([_param()], betas=("a", 0.9))
    with pytest.raises(TypeError):
        torch.optim.AdamW([_torch_param()], betas=("a", 0.9))


@pytest.mark.parametrize("betas, message", [((1.0, 0.9), r"betas\[0\] must be in \[0, 1\), got 1.0"),
                                            ((0.9, -0.1), r"betas\[1\] must be in \[0, 1\), got -0.1")])
def test_a_beta_outside_zero_one(betas, message):
    with pytest.raises(ValueError, match=message):
        optim.Adam([_param()], betas=betas)
    with pytest.raises(ValueError):
        torch.optim.Adam([_torch_param()], betas=betas)


# ---------------------------------------------------------------- optimizer methods


def test_zero_grad_set_to_none_must_be_a_bool():
    opt = optim.SGD([_param()], lr=0.1)
    with pytest.raises(TypeError, match=r"set_to_none must be True or False, got 'no' \(str\)"):
        opt.zero_grad("no")


def test_load_state_dict_of_a_wrong_type_and_with_a_wrong_hyper_parameter():
    param = _param()
    opt = optim.SGD([param], lr=0.1)
    with pytest.raises(TypeError, match="optimizer state_dict must be a dict, got list"):
        opt.load_state_dict([])
    saved = opt.state_dict()
    saved["param_groups"][0]["lr"] = "0.5"
    with pytest.raises(TypeError, match=r"lr must be a real number, got '0.5' \(str\)"):
        opt.load_state_dict(saved)
    assert opt.param_groups[0]["lr"] == 0.1  # unchanged


# ---------------------------------------------------------------- schedulers


def _sgd():
    return optim.SGD([_param()], lr=0.1)


def _torch_sgd():
    return torch.optim.SGD([_torch_param()], lr=0.1)


INT_ARGUMENTS = [  # (make(optimizer, value), argument, smallest valid value)
    (lambda o, v: optim.StepLR(o, v), "step_size", 1),
    (lambda o, v: optim.CosineAnnealingLR(o, v), "T_max", 1),
    (lambda o, v: optim.LinearLR(o, total_iters=v), "total_iters", 1),
    (lambda o, v: optim.LinearWarmup(o, v), "warmup_steps", 1),
    (lambda o, v: optim.ReduceLROnPlateau(o, patience=v), "patience", 0),
    (lambda o, v: optim.ReduceLROnPlateau(o, cooldown=v), "cooldown", 0),
    (lambda o, v: optim.StepLR(o, 2, last_epoch=v), "last_epoch", -1),
]


@pytest.mark.parametrize("make, argument, smallest", INT_ARGUMENTS, ids=[a for _, a, _ in INT_ARGUMENTS])
@pytest.mark.parametrize("value, shown", [(2.5, r"2.5 \(float\)"), ("2", r"'2' \(str\)"), (True, r"True \(bool\)")])
def test_scheduler_int_argument_of_a_wrong_type(make, argument, smallest, value, shown):
    # torch checks none of these (it accepts T_max=2.5 and step_size="2" until the first step)
    with pytest.raises(TypeError, match=f"{argument} must be an int, got {shown}"):
        make(_sgd(), value)


@pytest.mark.parametrize("make, argument, smallest", INT_ARGUMENTS, ids=[a for _, a, _ in INT_ARGUMENTS])
def test_scheduler_int_argument_of_a_wrong_value(make, argument, smallest):
    with pytest.raises(ValueError, match=f"{argument} must be .*, got {smallest - 1}"):
        make(_sgd(), smallest - 1)


REAL_ARGUMENTS = [  # (make(optimizer, value), argument, a wrong value, its message, torch's twin)
    (lambda o, v: optim.StepLR(o, 2, gamma=v), "gamma", -0.5, ">= 0", None),
    (lambda o, v: optim.ExponentialLR(o, v), "gamma", -0.5, ">= 0", None),
    (lambda o, v: optim.CosineAnnealingLR(o, 2, eta_min=v), "eta_min", -0.5, ">= 0", None),
    (lambda o, v: optim.LinearLR(o, start_factor=v), "start_factor", 0.0, r"in \(0, 1\]",
     lambda o, v: torch.optim.lr_scheduler.LinearLR(o, start_factor=v)),
    (lambda o, v: optim.LinearLR(o, end_factor=v), "end_factor", 1.5, r"in \[0, 1\]",
     lambda o, v: torch.optim.lr_scheduler.LinearLR(o, end_factor=v)),
    (lambda o, v: optim.LinearWarmup(o, 3, start_factor=v), "start_factor", 1.5, r"in \(0, 1\]", None),
    (lambda o, v: optim.ReduceLROnPlateau(o, factor=v), "factor", 1.0, r"in \[0, 1\)",
     lambda o, v: torch.optim.lr_scheduler.ReduceLROnPlateau(o, factor=v)),
    (lambda o, v: optim.ReduceLROnPlateau(o, min_lr=v), "min_lr", -0.5, ">= 0", None),
    (lambda o, v: optim.ReduceLROnPlateau(o, min_lr=[v]), r"min_lr\[0\]", -0.5, ">= 0", None),
    (lambda o, v: optim.ReduceLROnPlateau(o, threshold=v), "threshold", -0.5, ">= 0", None),
    (lambda o, v: optim.ReduceLROnPlateau(o, eps=v), "eps", -0.5, ">= 0", None),
]
_REAL_IDS = [f"{a}-{i}" for i, (_, a, _, _, _) in enumerate(REAL_ARGUMENTS)]


@pytest.mark.parametrize("make, argument, wrong, message, theirs", REAL_ARGUMENTS, ids=_REAL_IDS)
def test_scheduler_real_argument_of_a_wrong_type(make, argument, wrong, message, theirs):
    with pytest.raises(TypeError, match=rf"{argument} must be a real number, got '0.5' \(str\)"):
        make(_sgd(), "0.5")
    if theirs is not None:
        with pytest.raises(TypeError):
            theirs(_torch_sgd(), "0.5")


@pytest.mark.parametrize("make, argument, wrong, message, theirs", REAL_ARGUMENTS, ids=_REAL_IDS)
def test_scheduler_real_argument_of_a_wrong_value(make, argument, wrong, message, theirs):
    with pytest.raises(ValueError, match=f"{argument} must be {message}, got {wrong}"):
        make(_sgd(), wrong)
    if theirs is not None:
        with pytest.raises(ValueError):
            theirs(_torch_sgd(), wrong)


def test_refused_scheduler_leaves_the_learning_rate_alone():
    opt = _sgd()
    with pytest.raises(ValueError):
        optim.LinearLR(opt, start_factor=0.0)
    assert opt.param_groups[0]["lr"] == 0.1 and "initial_lr" not in opt.param_groups[0]


@pytest.mark.parametrize("argument", ["mode", "threshold_mode"])
def test_plateau_modes_of_a_wrong_type_and_value(argument):
    with pytest.raises(TypeError, match=f"{argument} must be one of .*got 3 \\(int\\)"):
        optim.ReduceLROnPlateau(_sgd(), **{argument: 3})
    with pytest.raises(TypeError):  # torch: "can only concatenate str (not "int") to str"
        torch.optim.lr_scheduler.ReduceLROnPlateau(_torch_sgd(), **{argument: 3})
    with pytest.raises(ValueError, match=f"{argument} must be one of .*got 'best'"):
        optim.ReduceLROnPlateau(_sgd(), **{argument: "best"})


def test_plateau_metric_of_a_wrong_type():
    scheduler = optim.ReduceLROnPlateau(_sgd())
    with pytest.raises(TypeError, match=r"metric must be a real number, got 'low' \(str\)"):
        scheduler.step("low")
    with pytest.raises(TypeError):  # torch: float(None)
        torch.optim.lr_scheduler.ReduceLROnPlateau(_torch_sgd()).step(None)
    scheduler.step(np.array([0.5]))  # one-element arrays and NaN are numbers (NaN never improves)
    scheduler.step(math.nan)
    assert scheduler.best == 0.5 and scheduler.num_bad_epochs == 1


def test_sequential_lr_milestones():
    opt = _sgd()
    first, second = optim.StepLR(opt, 2), optim.StepLR(opt, 3)
    with pytest.raises(TypeError, match="milestones must be a list of ints, got int"):
        optim.SequentialLR(opt, [first, second], 2)
    with pytest.raises(TypeError, match=r"milestones\[0\] must be an int, got 2.5 \(float\)"):
        optim.SequentialLR(opt, [first, second], [2.5])
    with pytest.raises(ValueError, match=r"milestones\[0\] must be a non-negative int, got -1"):
        optim.SequentialLR(opt, [first, second], [-1])


@pytest.mark.parametrize("make", [lambda o: optim.StepLR(o, 2), lambda o: optim.ReduceLROnPlateau(o),
                                  lambda o: optim.SequentialLR(o, [optim.StepLR(o, 2), optim.StepLR(o, 3)], [2])])
def test_scheduler_load_state_dict_of_a_wrong_type(make):
    scheduler = make(_sgd())
    with pytest.raises(TypeError, match=r"load_state_dict expects a dict, got list"):
        scheduler.load_state_dict([])


# ---------------------------------------------------------------- clipping (max_norm, clip_value, norm_type:
# tests/nn/test_argument_checks.py)


def test_clip_error_if_nonfinite_must_be_a_bool():
    param = _param()
    param.grad = np.array([np.inf, 1.0])
    with pytest.raises(TypeError, match=r"error_if_nonfinite must be True or False, got 'yes' \(str\)"):
        optim.clip_grad_norm_([param], 1.0, error_if_nonfinite="yes")
    np.testing.assert_array_equal(param.grad, [np.inf, 1.0])  # nothing clipped


def test_clip_norm_type_nan_is_a_wrong_value():
    param = _param()
    param.grad = np.array([3.0, 4.0])
    with pytest.raises(ValueError, match="norm_type must be > 0, got nan"):
        optim.clip_grad_norm_([param], 1.0, norm_type=math.nan)
