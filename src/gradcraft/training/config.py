"""`TrainConfig`: every setting of a `gradcraft train` run, checked, with its default.

The same keys come from three places, each overriding the one before: the defaults below, a
TOML file (`--config FILE.toml`; keys spelled with dashes or underscores), the command-line
flags. Settings whose default depends on the optimizer (lr, weight_decay) are resolved when the
config is built. The resolved config is written to the run's config.json and is enough to
rebuild the model (`gradcraft evaluate`) and to repeat the run.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from ..data import DATASETS
from ..models import ACTIVATIONS, MODELS

__all__ = ["TrainConfig", "OPTIMIZERS", "DEFAULT_LR", "DEFAULT_WEIGHT_DECAY", "STANDARDIZE", "SCHEDULES",
           "read_toml", "config_keys"]

#: optimizer name -> its default learning rate (PyTorch's, or a usual one where it has none)
DEFAULT_LR = {"sgd": 0.1, "momentum": 0.01, "adagrad": 0.01, "rmsprop": 0.001, "adam": 0.001,
              "adamw": 0.001}
OPTIMIZERS = tuple(DEFAULT_LR)
#: optimizer name -> its default weight decay, PyTorch's (and gradcraft.optim's): 0.01 for AdamW,
#: whose decoupled decay is the reason to choose it over Adam; 0 for the others
DEFAULT_WEIGHT_DECAY = {"sgd": 0.0, "momentum": 0.0, "adagrad": 0.0, "rmsprop": 0.0, "adam": 0.0,
                        "adamw": 0.01}
#: how features are standardised before training (statistics from the training split only)
STANDARDIZE = ("channel", "feature", "global", "none")
#: learning-rate schedules: constant, or cosine annealing from lr to 0 over the epochs
SCHEDULES = ("constant", "cosine")


@dataclass
class TrainConfig:
    model: str = "mlp"
    hidden: tuple = (256, 256)
    activation: str = "relu"
    dropout: float = 0.2
    dataset: str = "digits"
    data_dir: str | None = None
    standardize: str = "channel"
    optimizer: str = "adam"
    lr: float | None = None          # None: DEFAULT_LR[optimizer]
    schedule: str = "cosine"
    batch_size: int = 64
    epochs: int = 30
    weight_decay: float | None = None  # None: DEFAULT_WEIGHT_DECAY[optimizer]
    l2: float = 0.0
    seed: int = 0
    early_stopping: int = 0          # patience in epochs; 0 = off
    val_fraction: float = 0.1
    out: str | None = None           # None: runs/<timestamp>/

    def __post_init__(self):
        self.model = _choice("model", self.model, tuple(MODELS))
        self.hidden = _hidden(self.hidden)
        self.activation = _choice("activation", self.activation, tuple(ACTIVATIONS))
        self.dropout = _number("dropout", self.dropout, 0.0, 1.0, high_open=True)
        self.dataset = _choice("dataset", self.dataset, DATASETS)
        self.data_dir = None if self.data_dir in (None, "") else str(self.data_dir)
        self.standardize = _choice("standardize", self.standardize, STANDARDIZE)
        self.optimizer = _choice("optimizer", self.optimizer, OPTIMIZERS)
        self.lr = DEFAULT_LR[self.optimizer] if self.lr is None else _number("lr", self.lr, 0.0, low_open=True)
        self.schedule = _choice("schedule", self.schedule, SCHEDULES)
        self.batch_size = _integer("batch_size", self.batch_size, 1)
        self.epochs = _integer("epochs", self.epochs, 1)
        # Resolved here, so config.json records the value used (an explicit 0 stays 0).
        self.weight_decay = DEFAULT_WEIGHT_DECAY[self.optimizer] if self.weight_decay is None \
            else _number("weight_decay", self.weight_decay, 0.0)
        self.l2 = _number("l2", self.l2, 0.0)
        self.seed = _integer("seed", self.seed, 0)
        self.early_stopping = _integer("early_stopping", self.early_stopping, 0)
        self.val_fraction = _number("val_fraction", self.val_fraction, 0.0, 1.0, high_open=True)
        self.out = None if self.out in (None, "") else str(self.out)
        if self.early_stopping and self.val_fraction == 0:
            raise ValueError("early-stopping needs validation data: set val-fraction > 0 "
                             "(early stopping watches the validation loss)")

    def to_dict(self) -> dict:
        """The settings as JSON-able values (hidden as a list)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["hidden"] = list(self.hidden)
        return out

    @classmethod
    def from_dict(cls, values: dict, source: str = "config") -> TrainConfig:
        """Build from a mapping; keys may use dashes; unknown keys are refused (naming `source`)."""
        known = config_keys()
        settings = {}
        for key, value in values.items():
            name = str(key).replace("-", "_")
            if name not in known:
                raise ValueError(f"{source}: unknown key {key!r}; valid keys: "
                                 f"{', '.join(k.replace('_', '-') for k in known)}")
            settings[name] = value
        return cls(**settings)

    def replace(self, **changes) -> TrainConfig:
        return dataclasses.replace(self, **changes)


def config_keys() -> tuple:
    return tuple(f.name for f in fields(TrainConfig))


def read_toml(path) -> dict:
    """The top-level table of a TOML file, or ValueError naming the file and the problem."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            values = tomllib.load(file)
    except FileNotFoundError:
        raise ValueError(f"config file not found: {path}") from None
    except OSError as error:
        raise ValueError(f"cannot read config file {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"config file {path} is not valid TOML: {error}") from None
    except UnicodeDecodeError as error:  # a ValueError whose own text does not name the file
        raise ValueError(f"config file {path} is not UTF-8 text (byte {error.start}: "
                         f"{error.object[error.start:error.start + 1]!r})") from None
    nested = [k for k, v in values.items() if isinstance(v, dict)]
    if nested:
        raise ValueError(f"config file {path}: expected plain keys (lr = 0.001), got table(s) {nested}")
    return values


# ---------------------------------------------------------------------------------- checks
def _choice(name: str, value, choices: tuple) -> str:
    if value not in choices:
        raise ValueError(f"invalid {name.replace('_', '-')} {value!r} (choose from "
                         f"{', '.join(repr(c) for c in choices)})")
    return value


def _integer(name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name.replace('_', '-')} must be an int >= {low}, got {value!r}")
    return int(value)


def _number(name: str, value, low: float, high: float | None = None, low_open: bool = False,
            high_open: bool = False) -> float:
    """A finite float in [low, high] (an open end with low_open / high_open), or ValueError."""
    label = name.replace("_", "-")
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{label} must be a finite number, got {value!r}")
    value = float(value)
    too_low = value <= low if low_open else value < low
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        if high is None:
            wanted = f"{'>' if low_open else '>='} {low:g}"
        else:
            wanted = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{label} must be {wanted}, got {value!r}")
    return value


def _hidden(value) -> tuple:
    """'512,512' or [512, 512] or 512 -> (512, 512); () for no hidden layer ('' or [])."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",")] if value.strip() else []
        try:
            value = [int(p) for p in parts]
        except ValueError:
            raise ValueError(f"hidden must be comma-separated layer widths like 512,512, got {value!r}") from None
    elif isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list | tuple) or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1 for v in value):
        raise ValueError(f"hidden must be positive layer widths like 512,512, got {value!r}")
    return tuple(int(v) for v in value)
