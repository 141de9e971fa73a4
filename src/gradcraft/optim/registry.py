"""The optimizers known by name (`gradcraft train --optimizer NAME`, TOML `optimizer = "adam"`).

One table, read by the training config, `make_optimizer`, and the CLI's choices and help text:

    name       class     fixed arguments   default lr
    sgd        SGD                         0.1
    momentum   SGD       momentum=0.9      0.01
    adagrad    Adagrad                     0.01
    rmsprop    RMSprop                     0.001
    adam       Adam                        0.001
    adamw      AdamW                       0.001
    adadelta   Adadelta                    1.0
    nadam      NAdam                       0.002
    radam      RAdam                       0.001
    adamax     Adamax                      0.002

The default learning rates are the usual starting points for small networks (PyTorch's own
where it has one that trains: Adam's 1e-3, Adagrad's 1e-2, and those of Adadelta, NAdam, RAdam
and Adamax). The default weight decay is not in the table: it is the class's own constructor
default (`inspect.signature`), so it can never disagree with `AdamW(params)` (0.01) or
`SGD(params)` (0).

LBFGS is not in the table: its `step(closure)` re-evaluates the loss several times per step on
the same batch (a full-batch, deterministic method), which the training loop's one
`backward()` and one `step()` per mini-batch cannot drive.

    optimizer = make_optimizer("momentum", model.parameters())   # SGD(lr=0.01, momentum=0.9)
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from types import MappingProxyType

from ..validation import check_choice, check_real
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["OptimizerEntry", "OPTIMIZERS", "optimizer_names", "get_optimizer", "make_optimizer",
           "default_lr_help"]


@dataclass(frozen=True)
class OptimizerEntry:
    """One named optimizer: `cls(params, lr=..., weight_decay=..., **options)`."""

    name: str
    cls: type
    lr: float                                   # the default learning rate of a run
    options: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    @property
    def weight_decay(self) -> float:
        """The class's own default weight decay (its constructor's `weight_decay=` default)."""
        return inspect.signature(self.cls).parameters["weight_decay"].default

    def build(self, params, lr: float | None = None, weight_decay: float | None = None) -> Optimizer:
        """The optimizer over `params`; None takes the defaults (`self.lr`, `self.weight_decay`)."""
        lr = self.lr if lr is None else check_real(lr, "lr", low=0.0, low_open=True)
        weight_decay = self.weight_decay if weight_decay is None else check_real(
            weight_decay, "weight_decay", low=0.0)
        return self.cls(params, lr=lr, weight_decay=weight_decay, **self.options)


def _entry(name: str, cls: type, lr: float, **options) -> OptimizerEntry:
    return OptimizerEntry(name, cls, lr, MappingProxyType(options))


#: name -> OptimizerEntry, in the order the CLI lists them
OPTIMIZERS = MappingProxyType({entry.name: entry for entry in (
    _entry("sgd", SGD, 0.1),
    _entry("momentum", SGD, 0.01, momentum=0.9),
    _entry("adagrad", Adagrad, 0.01),
    _entry("rmsprop", RMSprop, 0.001),
    _entry("adam", Adam, 0.001),
    _entry("adamw", AdamW, 0.001),
    _entry("adadelta", Adadelta, 1.0),
    _entry("nadam", NAdam, 0.002),
    _entry("radam", RAdam, 0.001),
    _entry("adamax", Adamax, 0.002),
)})


def optimizer_names() -> tuple[str, ...]:
    return tuple(OPTIMIZERS)


def get_optimizer(name) -> OptimizerEntry:
    """The entry called `name`; ValueError listing the names (TypeError if not a str)."""
    return OPTIMIZERS[check_choice(name, "optimizer", OPTIMIZERS)]


def make_optimizer(name, params, lr: float | None = None, weight_decay: float | None = None) -> Optimizer:
    """The optimizer called `name` over `params`. `lr` None: the entry's default learning rate;
    `weight_decay` None: the class's own default (0.01 for adamw, 0 for the others)."""
    return get_optimizer(name).build(list(params), lr, weight_decay)


def default_lr_help() -> str:
    """'0.1 for sgd, 0.01 for momentum/adagrad, 0.001 for rmsprop/adam/adamw/radam, ...' (for --help)."""
    by_lr: dict[float, list[str]] = {}
    for entry in OPTIMIZERS.values():
        by_lr.setdefault(entry.lr, []).append(entry.name)
    return ", ".join(f"{lr:g} for {'/'.join(names)}" for lr, names in by_lr.items())
