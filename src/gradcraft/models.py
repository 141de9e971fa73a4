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

__all__ = ["mlp", "lenet5", "vgg_small", "resnet_small", "BasicBlock", "build_model", "MODELS",
           "ACTIVATIONS"]

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


def _conv_output(size: int, kernel: int, padding: int, stride: int = 1) -> int:
    return (size + 2 * padding - kernel) // stride + 1


def _image_shape(input_shape, model: str):
    if len(input_shape) != 3:
        raise ValueError(f"{model}: input_shape must be (C, H, W), got {tuple(input_shape)}")
    return tuple(check_int(s, "input_shape", low=1) for s in input_shape)


def lenet5(input_shape=(1, 28, 28), num_classes: int = 10, activation: str = "relu", dropout: float = 0.0,
           seed: int = 0, dtype=default_float) -> nn.Sequential:
    """LeNet-5 (LeCun et al., 1998) with today's choices: ReLU (or `activation`) and max pooling.

    Conv(C, 6, 5) -> act -> MaxPool 2 -> Conv(6, 16, 5) -> act -> MaxPool 2 -> Flatten ->
    Linear(., 120) -> act -> Linear(120, 84) -> act [-> Dropout] -> Linear(84, classes).
    LeNet was drawn for 32x32 inputs; a smaller image gets zero padding so the sizes still work:
    the first conv pads 2 when H or W is under 32 (28x28 MNIST -> 28 -> 14 -> 10 -> 5, the
    original's sizes), and the second conv pads 2 when its input is under 10 (8x8 digits ->
    8 -> 4 -> 4 -> 2). Weights: PyTorch's default initialisation from a Generator seeded `seed`.
    """
    channels, height, width = _image_shape(input_shape, "lenet5")
    activation = check_choice(activation, "activation", tuple(ACTIVATIONS))
    dropout = check_real(dropout, "dropout", low=0.0, high=1.0, high_open=True)
    rng = np.random.default_rng(check_int(seed, "seed", low=0))
    pad1 = 2 if min(height, width) < 32 else 0
    h, w = (_conv_output(s, 5, pad1) // 2 for s in (height, width))
    pad2 = 2 if min(h, w) < 10 else 0
    h, w = (_conv_output(s, 5, pad2) // 2 for s in (h, w))
    if min(h, w) < 1:
        raise ValueError(f"lenet5: input of size {height}x{width} is too small (needs at least 4x4)")
    act = ACTIVATIONS[activation]
    layers = [nn.Conv2d(channels, 6, 5, padding=pad1, dtype=dtype, rng=rng), act(), nn.MaxPool2d(2),
              nn.Conv2d(6, 16, 5, padding=pad2, dtype=dtype, rng=rng), act(), nn.MaxPool2d(2), nn.Flatten(),
              nn.Linear(16 * h * w, 120, dtype=dtype, rng=rng), act(),
              nn.Linear(120, 84, dtype=dtype, rng=rng), act()]
    if dropout > 0:
        layers.append(nn.Dropout(dropout, rng=np.random.default_rng([seed, 1])))
    layers.append(nn.Linear(84, num_classes, dtype=dtype, rng=rng))
    return nn.Sequential(*layers)


def vgg_small(input_shape=(3, 32, 32), num_classes: int = 10, bn: bool = False, dropout: float = 0.0,
              activation: str = "relu", seed: int = 0, dtype=default_float) -> nn.Sequential:
    """Two VGG stages and a classifier (the benchmark's W2 net; with bn and dropout, W3):

    [Conv(C, 32, 3, p1) [-> BatchNorm2d] -> ReLU] x2 (32 -> 32 channels) -> MaxPool 2 ->
    [Conv(., 64, 3, p1) [-> BatchNorm2d] -> ReLU] x2 -> MaxPool 2 -> Flatten ->
    Linear(64 * H/4 * W/4, 256) -> ReLU [-> Dropout(dropout)] -> Linear(256, classes).

    BatchNorm sits between each conv and its ReLU (the conv keeps its bias, as in W3). 3x32x32
    -> 8x8 maps (4096 features), 1x28x28 -> 7x7, 1x8x8 digits -> 2x2.
    """
    channels, height, width = _image_shape(input_shape, "vgg_small")
    if min(height, width) < 4:
        raise ValueError(f"vgg_small: input of size {height}x{width} is too small (two 2x2 poolings "
                         "need at least 4x4)")
    activation = check_choice(activation, "activation", tuple(ACTIVATIONS))
    dropout = check_real(dropout, "dropout", low=0.0, high=1.0, high_open=True)
    rng = np.random.default_rng(check_int(seed, "seed", low=0))
    layers: list[nn.Module] = []
    width_in = channels
    for stage_width in (32, 64):
        for _ in range(2):
            layers.append(nn.Conv2d(width_in, stage_width, 3, padding=1, dtype=dtype, rng=rng))
            if bn:
                layers.append(nn.BatchNorm2d(stage_width, dtype=dtype))
            layers.append(ACTIVATIONS[activation]())
            width_in = stage_width
        layers.append(nn.MaxPool2d(2))
    layers += [nn.Flatten(), nn.Linear(64 * (height // 4) * (width // 4), 256, dtype=dtype, rng=rng),
               ACTIVATIONS[activation]()]
    if dropout > 0:
        layers.append(nn.Dropout(dropout, rng=np.random.default_rng([seed, 1])))
    layers.append(nn.Linear(256, num_classes, dtype=dtype, rng=rng))
    return nn.Sequential(*layers)


class BasicBlock(nn.Module):
    """ResNet's basic block (He et al., 2016): relu(bn(conv3x3(relu(bn(conv3x3(x))))) + shortcut(x)),
    the shortcut the identity, or a 1x1 conv + BatchNorm when the stride or width changes."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1, dtype=default_float, rng=None):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False, dtype=dtype, rng=rng)
        self.bn1 = nn.BatchNorm2d(out_channels, dtype=dtype)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False, dtype=dtype, rng=rng)
        self.bn2 = nn.BatchNorm2d(out_channels, dtype=dtype)
        self.relu = nn.ReLU()
        self.shortcut = None
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False, dtype=dtype, rng=rng),
                nn.BatchNorm2d(out_channels, dtype=dtype))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + (x if self.shortcut is None else self.shortcut(x)))


def resnet_small(input_shape=(3, 32, 32), num_classes: int = 10, widths=(16, 32, 64), seed: int = 0,
                 dtype=default_float) -> nn.Sequential:
    """A small ResNet: stem Conv(C, w0, 3, p1) -> BatchNorm2d -> ReLU, then one BasicBlock per
    width (stride 1 for the first, 2 after: 32x32 -> 32 -> 16 -> 8), global average pooling
    (AdaptiveAvgPool2d(1) -> Flatten), Linear(w_last, classes). Works for any input of at least
    1x1 (8x8 digits: 8 -> 4 -> 2)."""
    channels, _, _ = _image_shape(input_shape, "resnet_small")
    rng = np.random.default_rng(check_int(seed, "seed", low=0))
    widths = tuple(check_int(w, "widths", low=1) for w in widths)
    layers: list[nn.Module] = [nn.Conv2d(channels, widths[0], 3, padding=1, bias=False, dtype=dtype, rng=rng),
                               nn.BatchNorm2d(widths[0], dtype=dtype), nn.ReLU()]
    for i, width in enumerate(widths):
        layers.append(BasicBlock(widths[max(i - 1, 0)], width, 1 if i == 0 else 2, dtype=dtype, rng=rng))
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(widths[-1], num_classes, dtype=dtype, rng=rng)]
    return nn.Sequential(*layers)


def _no_batch_norm(model: str, batch_norm: bool) -> None:
    if batch_norm:
        raise ValueError(f"batch-norm: the {model} model has no BatchNorm option (vgg-small has; "
                         "resnet-small always normalises)")


def _build_mlp(input_shape, num_classes, hidden=(512, 512), activation="relu", dropout=0.0, seed=0,
               dtype=default_float, batch_norm=False):
    _no_batch_norm("mlp", batch_norm)
    return mlp(math.prod(input_shape), hidden, num_classes, activation, dropout, seed, dtype)


# The CNN builders take the CLI's MLP options too; `hidden` is the MLP's alone and is ignored.
def _build_lenet5(input_shape, num_classes, hidden=None, activation="relu", dropout=0.0, seed=0,
                  dtype=default_float, batch_norm=False):
    _no_batch_norm("lenet5", batch_norm)
    return lenet5(input_shape, num_classes, activation, dropout, seed, dtype)


def _build_vgg_small(input_shape, num_classes, hidden=None, activation="relu", dropout=0.0, seed=0,
                     dtype=default_float, batch_norm=False):
    return vgg_small(input_shape, num_classes, batch_norm, dropout, activation, seed, dtype)


def _build_resnet_small(input_shape, num_classes, hidden=None, activation="relu", dropout=0.0, seed=0,
                        dtype=default_float, batch_norm=False):
    return resnet_small(input_shape, num_classes, seed=seed, dtype=dtype)


#: model name -> builder(input_shape, num_classes, **options)
MODELS = {"mlp": _build_mlp, "lenet5": _build_lenet5, "vgg-small": _build_vgg_small,
          "resnet-small": _build_resnet_small}


def build_model(name: str, input_shape, num_classes: int, **options) -> nn.Module:
    """The model `name` (one of MODELS) for samples of shape `input_shape` and `num_classes`."""
    return MODELS[check_choice(name, "model", tuple(MODELS))](tuple(input_shape), num_classes, **options)
