"""Single arguments of the topics follow gradcraft.validation's policy: TypeError for a wrong
type, ValueError for a wrong value, both naming the argument and the value seen."""

from __future__ import annotations

import numpy as np
import pytest

from gradcraft import explain

X, K = [[1.0, 2.0], [3.0, 4.0]], [[1.0]]


@pytest.mark.parametrize("call, message", [
    # strings used to be read with float(): "1" passed for a margin, "no" for bias=True
    (lambda: explain.hinge([3, -1, 4], 0, margin="1"), "margin must be a real number, got '1' (str)"),
    (lambda: explain.hinge([3, -1, 4], True), "label must be an int, got True (bool)"),
    (lambda: explain.conv(5, 3, in_channels=2.0), "in_channels must be an int, got 2.0 (float)"),
    (lambda: explain.conv(x=X, kernel=K, bias="1"), "bias must be a real number, got '1' (str)"),
    (lambda: explain.params("fc:8->10", bias="no"), "bias must be True or False, got 'no' (str)"),
    (lambda: explain.params(3), "spec must be a string such as 'conv:2x2x3->2,fc:8->10', got 3 (int)"),
    (lambda: explain.receptive_field("conv:3x3", cell=(0.5, 0)), "cell must be an int, got 0.5 (float)"),
    (lambda: explain.prox([1.0], None), "t must be a real number, got None (NoneType)"),
    (lambda: explain.batchnorm([1.0, 2.0], eps="1e-5"), "eps must be a real number, got '1e-5' (str)"),
])
def test_a_wrong_type_is_a_type_error_naming_the_argument(call, message):
    with pytest.raises(TypeError) as error:
        call()
    assert message in str(error.value)


@pytest.mark.parametrize("call, message", [
    (lambda: explain.conv(5, 3, padding=-1), "padding must be a non-negative int, got -1"),
    (lambda: explain.conv(5, (3, 3, 3)), "kernel_size must be an int or a pair of ints, got (3, 3, 3) (3 values)"),
    (lambda: explain.conv(5, 3, out_channels=0), "out_channels must be a positive int, got 0"),
    (lambda: explain.sigmoid([0.0], saturation=float("nan")), "saturation must be >= 0, got nan"),
    (lambda: explain.hinge([3, -1, 4], 0, margin=float("inf")), "margin must be a finite number, got inf"),
    (lambda: explain.receptive_field("conv:3x3", cell=(-1, 0)), "cell must be a non-negative int, got -1"),
    # a bias with no output values to add it to changed nothing: now it says so
    (lambda: explain.conv(5, 3, bias=1.0), "bias 1.0 is added to the output values: give x and kernel too"),
])
def test_a_wrong_value_is_a_value_error_naming_the_argument(call, message):
    with pytest.raises(ValueError) as error:
        call()
    assert message in str(error.value)


def test_numpy_scalars_count_as_the_numbers_they_hold():
    r = explain.conv(np.int64(5), np.int64(3), stride=np.int32(2), in_channels=np.int64(2))
    assert r.result["output_size"] == (2, 2)  # (5 - 3) // 2 + 1
    assert explain.hinge([3, -1, 4], np.int64(0), margin=np.float32(1.0)).result["loss"] == 2.0


def test_cli_bias_without_input_is_a_usage_error(cli, usage_error):
    usage_error(cli("conv", "--input", "5", "--kernel", "3", "--bias", "1"),
                "explain conv: bias 1.0 is added to the output values: give x and kernel too")
