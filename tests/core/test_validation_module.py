"""`gradcraft.validation`: TypeError for a wrong type, ValueError for a wrong value, the argument
named and the value shown; plain Python values returned."""

from __future__ import annotations

import numpy as np
import pytest

from gradcraft.validation import (check_bool, check_choice, check_float_dtype, check_int, check_pair,
                                  check_real)


@pytest.mark.parametrize("value", ["0.1", None, True, [0.1], 1j])
def test_check_real_refuses_what_is_not_a_real_number(value):
    with pytest.raises(TypeError, match=rf"^lr must be a real number, got .* \({type(value).__name__}\)$"):
        check_real(value, "lr")


@pytest.mark.parametrize("value, kwargs, message", [
    (float("nan"), {}, "lr must be a finite number, got nan"),
    (float("inf"), {}, "lr must be a finite number, got inf"),
    (0.0, dict(low=0.0, low_open=True), "lr must be > 0, got 0.0"),
    (-1.0, dict(low=0.0), "lr must be >= 0, got -1.0"),
    (1.0, dict(low=0.0, high=1.0, high_open=True), r"lr must be in \[0, 1\), got 1.0"),
    (float("nan"), dict(low=0.0, high=1.0), r"lr must be in \[0, 1\], got nan"),  # NaN is outside
    (2.0, dict(high=1.0), "lr must be <= 1, got 2.0"),
])
def test_check_real_refuses_values_outside_the_domain(value, kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        check_real(value, "lr", **kwargs)


def test_check_real_returns_python_floats_and_takes_numpy_scalars():
    for value in (np.float32(0.5), np.int64(3), 2):
        result = check_real(value, "x")
        assert type(result) is float and result == float(value)
    assert check_real(float("inf"), "x", finite=False) == float("inf")


def test_check_int():
    assert check_int(np.int64(3), "n") == 3 and type(check_int(np.int64(3), "n")) is int
    for value, kind in ((2.0, "float"), (True, "bool"), ("3", "str")):
        with pytest.raises(TypeError, match=rf"^n must be an int, got .* \({kind}\)$"):
            check_int(value, "n")
    with pytest.raises(ValueError, match="^n must be a positive int, got 0$"):
        check_int(0, "n", low=1)
    with pytest.raises(ValueError, match="^n must be a non-negative int, got -1$"):
        check_int(-1, "n", low=0)
    with pytest.raises(ValueError, match=r"^n must be an int in \[1, 10\], got 11$"):
        check_int(11, "n", low=1, high=10)


def test_check_bool():
    assert check_bool(np.bool_(True), "flag") is True
    for value in (1, 0, "yes", None):
        with pytest.raises(TypeError, match="^flag must be True or False, got "):
            check_bool(value, "flag")


def test_check_choice():
    assert check_choice("sum", "reduction", ("mean", "sum")) == "sum"
    with pytest.raises(ValueError, match="^reduction must be one of 'mean', 'sum', got 'avg'$"):
        check_choice("avg", "reduction", ("mean", "sum"))
    with pytest.raises(TypeError, match=r"^reduction must be one of 'mean', 'sum', got 1 \(int\)$"):
        check_choice(1, "reduction", ("mean", "sum"))


def test_check_pair():
    assert check_pair(3, "stride") == (3, 3) and check_pair((1, np.int64(2)), "stride") == (1, 2)
    with pytest.raises(TypeError, match=r"^stride must be an int or a pair of ints, got 'ab' \(str\)$"):
        check_pair("ab", "stride")
    with pytest.raises(ValueError, match=r"^stride must be an int or a pair of ints, got \(1, 2, 3\)"):
        check_pair((1, 2, 3), "stride")
    with pytest.raises(TypeError, match=r"^stride must be an int, got 1.5 \(float\)$"):
        check_pair((1.5, 2), "stride")
    with pytest.raises(ValueError, match="^stride must be a positive int, got 0$"):
        check_pair((0, 2), "stride", low=1)


def test_check_float_dtype():
    assert check_float_dtype("float64", "dtype") == np.float64
    with pytest.raises(ValueError, match="^dtype must be a floating dtype such as numpy.float32, got int64$"):
        check_float_dtype(np.int64, "dtype")
    with pytest.raises(ValueError, match="names no NumPy dtype"):
        check_float_dtype("flaot32", "dtype")
    with pytest.raises(TypeError, match=r"got 3.5 \(float\)$"):
        check_float_dtype(3.5, "dtype")
