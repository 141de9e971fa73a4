"""Ready-made models, built from a few hyper-parameters (what `gradcraft train --model` builds).

    model = mlp(input_size=784, hidden=(512, 512), num_classes=10, activation="relu", seed=0)

`build_model(name, input_shape, num_classes, **options)` makes the model called `name` (one of
`MODELS`) for inputs of shape (C, H, W) or (F,); the run directories of `gradcraft train` record
these arguments, so `gradcraft evaluate` rebuilds the same model.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from . import nn
from .backend import default_float

__all__ = ["mlp", "build_model", "MODELS", "ACTIVATIONS"]

#: activation name -> layer class (`--activation` of `gradcraft train`)
ACTIVATIONS = {"relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def mlp(input_size: int, hidden=(512, 512), num_classes: int = 10, activation: str = "relu",
        dropout: float = 0.0, seed: int = 0, dtype=default_float) -> nn.Sequential:
    """A multi-layer perceptron: Flatten, then (Linear -> activation [-> Dropout]) per hidden
    width, then Linear to `num_classes` scores.

    Input (N, input_size), or (N, C, H, W) with C*H*W = input_size (flattened first);
    output: scores (N, num_classes), no softmax (pair it with softmax_cross_entropy).
    Weights are drawn from one Generator seeded with `seed` (PyTorch's default initialisation);
    each Dropout layer gets its own Generator, seeded from (seed, its position).
    """
    input_size = _positive_int("input_size", input_size)
    num_classes = _positive_int("num_classes", num_classes)
    if isinstance(hidden, numbers.Integral):
        hidden = (hidden,)
    hidden = tuple(_positive_int("hidden sizes", h) for h in hidden)
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; valid: {', '.join(ACTIVATIONS)}")
    if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a probability in [0, 1), got {dropout!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    init_rng = np.random.default_rng(int(seed))
    layers: list[nn.Module] = [nn.Flatten()]
    width = input_size
    for i, size in enumerate(hidden):
        layers += [nn.Linear(width, size, dtype=dtype, rng=init_rng), ACTIVATIONS[activation]()]
        if dropout > 0:
            layers.append(nn.Dropout(float(dropout), rng=np.random.default_rng([int(seed), 1, i])))
        width = size
    layers.append(nn.Linear(width, num_classes, dtype=dtype, rng=init_rng))
    return nn.Sequential(*layers)


def _build_mlp(input_shape, num_classes, hidden=(512, 512), activation="relu", dropout=0.0, seed=0,
               dtype=default_float):
    return mlp(math.prod(input_shape), hidden, num_classes, activation, dropout, seed, dtype)


#: model name -> builder(input_shape, num_classes, **options)
MODELS = {"mlp": _build_mlp}


def build_model(name: str, input_shape, num_classes: int, **options) -> nn.Module:
    """The model `name` (one of MODELS) for samples of shape `input_shape` and `num_classes`."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; valid: {', '.join(MODELS)}")
    return MODELS[name](tuple(input_shape), num_classes, **options)
