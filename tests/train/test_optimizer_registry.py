"""The one optimizer table (gradcraft.optim.registry): names, classes, fixed arguments and
default learning rates, read by the config, make_optimizer and the CLI; weight decays come from
the classes themselves."""

import inspect

import pytest
import torch

from gradcraft import nn, optim
from gradcraft.optim.registry import OPTIMIZERS, default_lr_help, make_optimizer
from gradcraft.train.config import OPTIMIZERS as CONFIG_NAMES
from gradcraft.train.config import TrainConfig

TORCH = {"sgd": (torch.optim.SGD, {}), "momentum": (torch.optim.SGD, {"momentum": 0.9}),
         "adagrad": (torch.optim.Adagrad, {}), "rmsprop": (torch.optim.RMSprop, {}),
         "adam": (torch.optim.Adam, {}), "adamw": (torch.optim.AdamW, {}),
         "adadelta": (torch.optim.Adadelta, {}), "nadam": (torch.optim.NAdam, {}),
         "radam": (torch.optim.RAdam, {}), "adamax": (torch.optim.Adamax, {})}


@pytest.mark.parametrize("name", list(TORCH))
def test_each_name_builds_the_class_torch_users_know(name):
    layer = nn.Linear(3, 2, rng=0)
    optimizer = make_optimizer(name, layer.parameters())
    torch_class, options = TORCH[name]
    assert type(optimizer).__name__ == torch_class.__name__
    group = optimizer.param_groups[0]
    assert group["lr"] == OPTIMIZERS[name].lr
    for key, value in options.items():
        assert group[key] == value
    # the weight decay is the class's own default, which is torch's
    assert group["weight_decay"] == inspect.signature(torch_class).parameters["weight_decay"].default


def test_the_config_and_the_cli_read_the_same_table():
    assert CONFIG_NAMES == tuple(OPTIMIZERS) == tuple(TORCH)
    for name, entry in OPTIMIZERS.items():
        config = TrainConfig(optimizer=name)
        assert (config.lr, config.weight_decay) == (entry.lr, entry.weight_decay)
    assert default_lr_help() == ("0.1 for sgd, 0.01 for momentum/adagrad, 0.001 for rmsprop/adam/adamw/radam, "
                                 "1 for adadelta, 0.002 for nadam/adamax")


def test_explicit_values_and_bad_names():
    layer = nn.Linear(3, 2, rng=0)
    sgd = make_optimizer("momentum", layer.parameters(), lr=0.5, weight_decay=1e-4)
    assert isinstance(sgd, optim.SGD)
    assert (sgd.param_groups[0]["lr"], sgd.param_groups[0]["weight_decay"]) == (0.5, 1e-4)
    with pytest.raises(ValueError, match="optimizer must be one of 'sgd', 'momentum', 'adagrad', "
                                         "'rmsprop', 'adam', 'adamw', 'adadelta', 'nadam', 'radam', "
                                         "'adamax', got 'lbfgs'"):
        make_optimizer("lbfgs", layer.parameters())
    with pytest.raises(TypeError, match=r"lr must be a real number, got '0.1' \(str\)"):
        make_optimizer("adam", layer.parameters(), lr="0.1")
    with pytest.raises(ValueError, match="weight_decay must be >= 0, got -1.0"):
        make_optimizer("adam", layer.parameters(), weight_decay=-1.0)
