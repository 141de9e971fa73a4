"""The argument policy in gradcraft.nn (`gradcraft.validation`): a wrong type raises TypeError, a
wrong value ValueError, both naming the argument and showing the value seen.

Where torch==2.13.0 checks the same argument, the test asserts that torch raises the same
exception class (`theirs`); where it does not, or raises something else (a RuntimeError, or
nothing), a comment says so and the policy alone decides.
"""

import math

import numpy as np
import pytest
import torch

from gradcraft import nn
from gradcraft.nn import init


def _raises(error, message, ours, theirs=None):
    with pytest.raises(error, match=message):
        ours()
    if theirs is not None:
        with pytest.raises(error):
            theirs()


# ---------------------------------------------------------------- Linear


@pytest.mark.parametrize("value, shown", [(2.5, r"2.5 \(float\)"), ("2", r"'2' \(str\)")])
def test_linear_features_of_a_wrong_type(value, shown):
    _raises(TypeError, "in_features must be an int, got " + shown,
            lambda: nn.Linear(value, 3), lambda: torch.nn.Linear(value, 3))
    _raises(TypeError, "out_features must be an int, got " + shown,
            lambda: nn.Linear(3, value), lambda: torch.nn.Linear(3, value))


@pytest.mark.parametrize("value", [None, True])
def test_linear_features_none_and_bool_are_wrong_types(value):
    with pytest.raises(TypeError, match="in_features must be an int"):
        nn.Linear(value, 3)


@pytest.mark.parametrize("value", [0, -1])
def test_linear_features_below_one_are_wrong_values(value):
    # torch accepts 0 features and raises a RuntimeError for -1: gradcraft wants at least one
    with pytest.raises(ValueError, match=f"out_features must be a positive int, got {value}"):
        nn.Linear(3, value)


@pytest.mark.parametrize("value, shown", [(1, r"1 \(int\)"), ("no", r"'no' \(str\)"), (None, "None")])
def test_linear_bias_must_be_a_bool(value, shown):
    # torch reads any truthy value as True; 1 here is usually a misplaced positional argument
    with pytest.raises(TypeError, match="bias must be True or False, got " + shown):
        nn.Linear(2, 3, value)
    assert nn.Linear(2, 3, np.bool_(False)).bias is None


# ---------------------------------------------------------------- Dropout


@pytest.mark.parametrize("value, shown", [("0.5", r"'0.5' \(str\)"), (None, r"None \(NoneType\)")])
def test_dropout_p_of_a_wrong_type(value, shown):
    _raises(TypeError, "p must be a real number, got " + shown,
            lambda: nn.Dropout(value), lambda: torch.nn.Dropout(value))


def test_dropout_p_true_is_a_wrong_type():
    # torch takes True as p = 1; a bool is never a probability here
    with pytest.raises(TypeError, match=r"p must be a real number, got True \(bool\)"):
        nn.Dropout(True)


@pytest.mark.parametrize("value", [1.5, -0.1])
def test_dropout_p_outside_zero_one(value):
    _raises(ValueError, rf"p must be in \[0, 1\], got {value}",
            lambda: nn.Dropout(value), lambda: torch.nn.Dropout(value))


def test_dropout_p_nan_is_a_wrong_value():
    # torch accepts NaN (and then zeroes nothing); here it is refused
    with pytest.raises(ValueError, match="p must be .*got nan"):
        nn.Dropout(float("nan"))


@pytest.mark.parametrize("p", [0, 1, np.float32(0.25)])
def test_dropout_valid_p_is_stored_as_a_float(p):
    layer = nn.Dropout(p)
    assert type(layer.p) is float and layer.p == float(p)


# ---------------------------------------------------------------- dtype=


@pytest.mark.parametrize("value, shown", [(3.5, r"3.5 \(float\)"), (True, r"True \(bool\)")])
def test_a_dtype_that_is_no_dtype_is_a_wrong_type(value, shown):
    with pytest.raises(TypeError, match="dtype must be a floating dtype such as numpy.float32, got " + shown):
        nn.Linear(2, 3, dtype=value)


@pytest.mark.parametrize("value, shown", [(np.int64, "int64"), (bool, "bool"),
                                          ("flaot32", "'flaot32', which names no NumPy dtype")])
def test_a_non_floating_or_unknown_dtype_is_a_wrong_value(value, shown):
    with pytest.raises(ValueError, match="dtype must be a floating dtype such as numpy.float32, got " + shown):
        nn.Linear(2, 3, dtype=value)
    with pytest.raises(ValueError, match=r"to\(dtype\) must be a floating dtype"):
        nn.Linear(2, 3).to(value)


# ---------------------------------------------------------------- Module and Parameter flags


@pytest.mark.parametrize("value, shown", [(1, r"1 \(int\)"), ("yes", r"'yes' \(str\)"), (None, "None")])
def test_module_flags_must_be_bools(value, shown):
    model = nn.Linear(2, 2)
    # torch raises for train(1) too, though a ValueError ("training mode is expected to be boolean")
    with pytest.raises(TypeError, match="mode must be True or False, got " + shown):
        model.train(value)
    with pytest.raises(TypeError, match="requires_grad must be True or False, got " + shown):
        model.requires_grad_(value)
    with pytest.raises(TypeError, match="set_to_none must be True or False, got " + shown):
        model.zero_grad(value)
    with pytest.raises(TypeError, match="only_trainable must be True or False, got " + shown):
        model.num_parameters(value)
    with pytest.raises(TypeError, match="strict must be True or False, got " + shown):
        model.load_state_dict(model.state_dict(), strict=value)
    with pytest.raises(TypeError, match="persistent must be True or False, got " + shown):
        model.register_buffer("steps", np.zeros(1), persistent=value)
    assert model.training and all(p.requires_grad for p in model.parameters())  # nothing changed


def test_requires_grad_refuses_a_string_like_torch():
    _raises(TypeError, "requires_grad must be True or False", lambda: nn.Linear(2, 2).requires_grad_("no"),
            lambda: torch.nn.Linear(2, 2).requires_grad_("no"))


def test_numpy_bools_are_bools():
    model = nn.Linear(2, 2).train(np.bool_(False))
    assert model.training is False
    assert model.num_parameters(np.bool_(True)) == 6


def test_buffer_name_of_a_wrong_type_and_a_wrong_value():
    model = nn.Linear(2, 2)
    _raises(TypeError, r"buffer name must be a str, got 3 \(int\)",
            lambda: model.register_buffer(3, np.zeros(1)),
            lambda: torch.nn.Linear(2, 2).register_buffer(3, torch.zeros(1)))
    # torch raises KeyError for these; a name is a value, so ValueError here
    for name in ("", "a.b"):
        with pytest.raises(ValueError, match="buffer name must be a non-empty string without '.'"):
            model.register_buffer(name, np.zeros(1))


@pytest.mark.parametrize("value", ["yes", 1])
def test_parameter_requires_grad_must_be_a_bool(value):
    theirs = (lambda: torch.nn.Parameter(torch.zeros(2), requires_grad=value)) if isinstance(value, str) else None
    _raises(TypeError, "requires_grad must be True or False", lambda: nn.Parameter(np.zeros(2), requires_grad=value),
            theirs)


# ---------------------------------------------------------------- init


def _weight():
    return nn.Parameter(np.zeros((4, 3)))


@pytest.mark.parametrize("call, message, theirs", [
    (lambda w: init.uniform_(w, "0", 1), r"a must be a real number, got '0' \(str\)",
     lambda t: torch.nn.init.uniform_(t, "0", 1)),
    (lambda w: init.normal_(w, "0", 1), r"mean must be a real number, got '0'",
     lambda t: torch.nn.init.normal_(t, "0", 1)),
    (lambda w: init.normal_(w, 0, None), r"std must be a real number, got None",
     lambda t: torch.nn.init.normal_(t, 0, None)),
    (lambda w: init.constant_(w, "0.1"), r"val must be a real number, got '0.1'",
     lambda t: torch.nn.init.constant_(t, "0.1")),
    (lambda w: init.xavier_uniform_(w, gain="2"), r"gain must be a real number, got '2'",
     lambda t: torch.nn.init.xavier_uniform_(t, gain="2")),
    (lambda w: init.kaiming_uniform_(w, mode=3), r"mode must be one of 'fan_in', 'fan_out', got 3 \(int\)",
     None),  # torch: AttributeError ('int' object has no attribute 'lower')
    (lambda w: init.kaiming_normal_(w, nonlinearity=None), r"nonlinearity must be one of .*got None",
     None),  # torch: ValueError ("Unsupported nonlinearity None")
    (lambda w: init.kaiming_uniform_(w, a="x"), r"a must be a real number, got 'x'",
     None),  # torch: ValueError ("negative_slope x not a valid number")
    (lambda w: init.calculate_gain("leaky_relu", True), r"param must be a real number, got True",
     None),  # torch: ValueError
])
def test_init_arguments_of_a_wrong_type(call, message, theirs):
    weight = _weight()
    _raises(TypeError, message, lambda: call(weight), theirs and (lambda: theirs(torch.zeros(4, 3))))
    np.testing.assert_array_equal(weight.data, 0.0)  # nothing filled


@pytest.mark.parametrize("call, message", [
    # torch raises RuntimeError for these three ("uniform_ expects ... from=1 > to=0", "normal
    # expects std >= 0.0"); NumPy would draw from [b, a) or raise its own message
    (lambda w: init.uniform_(w, 1.0, 0.0), "uniform_ needs a <= b, got a=1.0, b=0.0"),
    (lambda w: init.normal_(w, 0.0, -1.0), "std must be >= 0, got -1.0"),
    (lambda w: init.xavier_uniform_(w, gain=-1.0), "gain must be >= 0, got -1.0"),
    (lambda w: init.xavier_normal_(w, gain=math.nan), "gain must be .*got nan"),
    (lambda w: init.kaiming_uniform_(w, mode="fan_avg"), "mode must be one of 'fan_in', 'fan_out', got 'fan_avg'"),
    (lambda w: init.calculate_gain("swish"), "nonlinearity must be one of 'linear', .*got 'swish'"),
])
def test_init_arguments_of_a_wrong_value(call, message):
    weight = _weight()
    with pytest.raises(ValueError, match=message):
        call(weight)
    np.testing.assert_array_equal(weight.data, 0.0)


def test_init_value_errors_where_torch_agrees():
    with pytest.raises(ValueError):
        torch.nn.init.kaiming_uniform_(torch.zeros(4, 3), mode="fan_avg")
    with pytest.raises(ValueError):
        torch.nn.init.calculate_gain("swish")


def test_constant_keeps_accepting_nan_and_inf_like_torch():
    expected = torch.nn.init.constant_(torch.zeros(2), math.inf).numpy()
    np.testing.assert_array_equal(init.constant_(nn.Parameter(np.zeros(2)), math.inf).data, expected)
    assert np.isnan(init.constant_(nn.Parameter(np.zeros(2)), math.nan).data).all()
