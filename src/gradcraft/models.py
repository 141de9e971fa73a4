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
from .validation import check_choice, check_int, check_real, describe

__all__ = ["mlp", "build_model", "MODELS", "ACTIVATIONS"]

#: activation name -> layer class (`--activation` of `gradcraft train`)
ACTIVATIONS = {"relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}


def mlp(input_size: int, hidden=(512, 512), num_classes: int = 10, activation: str = "relu",
        dropout: float = 0.0, seed: int = 0, dtype=default_float) -> nn.Sequential:
    """A multi-layer perceptron: Flatten, then (Linear -> activation [-> Dropout]) per hidden
    width, then Linear to `num_classes` scores.

    Input (N, input_size), or (N, C, H, W) with C*H*W = input_size (flattened first);
    output: scores (N, num_classes), no softmax (pair it with softmax_cross_entropy).
    `hidden`: one width or a sequence of them, at least one (without hidden layers the model
    would be a linear classifier, not an MLP).
    Weights are drawn from one Generator seeded with `seed` (PyTorch's default initialisation);
    each Dropout layer gets its own Generator, seeded from (seed, its position).
    """
    input_size = check_int(input_size, "input_size", low=1)
    num_classes = check_int(num_classes, "num_classes", low=1)
    if isinstance(hidden, numbers.Integral) and not isinstance(hidden, bool):
        hidden = (hidden,)
    if isinstance(hidden, str) or not hasattr(hidden, "__iter__"):
        raise TypeError(f"hidden must be an int or a sequence of ints, got {describe(hidden)}")
    hidden = tuple(check_int(h, f"hidden[{i}]", low=1) for i, h in enumerate(hidden))
    if not hidden:
        raise ValueError("hidden must hold at least one layer width, e.g. hidden=(256, 256), got () "
                         "(an MLP without hidden layers would be a linear model)")
    activation = check_choice(activation, "activation", tuple(ACTIVATIONS))
    dropout = check_real(dropout, "dropout", low=0.0, high=1.0, high_open=True)
    seed = check_int(seed, "seed", low=0)
    init_rng = np.random.default_rng(seed)
    layers: list[nn.Module] = [nn.Flatten()]
    width = input_size
    for i, size in enumerate(hidden):
        layers += [nn.Linear(width, size, dtype=dtype, rng=init_rng), ACTIVATIONS[activation]()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout, rng=np.random.default_rng([seed, 1, i])))
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
    return MODELS[check_choice(name, "model", tuple(MODELS))](tuple(input_shape), num_classes, **options)
