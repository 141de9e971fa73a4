"""Checking what users pass to explain topics, beyond one argument's type and range.

Single numbers, ints, pairs and flags are checked by `gradcraft.validation` (TypeError for a
wrong type, ValueError for a wrong value, both naming the argument). What is explain-specific
lives here: vectors and matrices of the user's numbers, class labels against the class count,
and float64 overflow. Every problem names the argument and what was seen (the CLI turns it
into one line on stderr, exit code 2).
"""

from __future__ import annotations

import functools

import numpy as np

from ..validation import check_int


def vector(name: str, values, min_length: int = 1) -> np.ndarray:
    """A 1-D float64 array of finite numbers, at least `min_length` long."""
    try:
        array = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a list of numbers, got {values!r}") from None
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a vector (1-D), got shape {array.shape}")
    if array.size < min_length:
        raise ValueError(f"{name} needs at least {min_length} numbers, got {array.size}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must contain finite numbers only, got {array.tolist()}")
    return array


def matrix(name: str, values) -> np.ndarray:
    """A 2-D float64 array of finite numbers (a vector is read as one row)."""
    try:
        array = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a matrix with rows of equal length, got {values!r}") from None
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty matrix (2-D), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must contain finite numbers only")
    return array


def label(value, num_classes: int, name: str = "label") -> int:
    """A class index in [0, num_classes): an int (TypeError otherwise, see `check_int`)."""
    value = check_int(value, name)
    if not 0 <= value < num_classes:
        raise ValueError(f"{name} must be in [0, {num_classes}) for {num_classes} classes, got {value}")
    return value


def subtractable_scores(name: str, scores: np.ndarray, margin: float = 0.0) -> None:
    """Scores (K,) whose differences s_j - s_y + margin stay finite in float64: every loss
    subtracts scores (the hinge's gaps, log-sum-exp's s - max s)."""
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"{name} overflow float64: got {scores.tolist()}")
    with np.errstate(over="ignore"):
        spread = (scores.max() - scores.min()) + abs(margin)
    if not np.isfinite(spread):
        raise ValueError(f"{name} are too far apart for float64: s_j - s_y + margin overflows "
                         f"(max {scores.max():g}, min {scores.min():g}, margin {margin:g})")


def same_length(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same length, got {a.size} and {b.size}")


def within_float64(topic):
    """Run a topic with float64 overflow and invalid operations raising: inputs too large for
    float64 (1e200 squared) get a ValueError, never an inf or NaN step behind RuntimeWarnings.
    Steps that meet overflow on purpose (the sigmoid's e^1000) silence it locally."""
    @functools.wraps(topic)
    def checked(*args, **kwargs):
        try:
            with np.errstate(over="raise", invalid="raise"):
                return topic(*args, **kwargs)
        except FloatingPointError as error:
            raise ValueError(f"the numbers are too large for float64 ({error}); use smaller "
                             "inputs") from None
    return checked
