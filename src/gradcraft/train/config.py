"""`TrainConfig`: every setting of a `gradcraft train` run, checked, with its default.

The same keys come from three places, each overriding the one before: the defaults below, a
TOML file (`--config FILE.toml`; keys spelled with dashes or underscores), the command-line
flags. Settings whose default depends on the optimizer (lr, weight_decay) are resolved when the
config is built. The resolved config is written to the run's config.json and is enough to
rebuild the model (`gradcraft evaluate`) and to repeat the run.
"""

from __future__ import annotations

import dataclasses
import numbers
import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from ..data.registry import DATASETS, EMBEDDED_DATASETS, canonical_dataset_name
from ..models import ACTIVATIONS, MODELS
from ..optim.registry import get_optimizer, optimizer_names
from ..validation import check_bool, check_choice, check_int, check_real, describe

__all__ = ["TrainConfig", "OPTIMIZERS", "STANDARDIZE", "SCHEDULES", "read_toml", "config_keys"]

#: the optimizer names (`gradcraft.optim.registry`: class, default lr and weight decay of each)
OPTIMIZERS = optimizer_names()
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
    batch_norm: bool = False         # vgg-small: BatchNorm2d after each conv
    dataset: str = "digits"
    data_dir: str | None = None
    standardize: str = "channel"
    optimizer: str = "adam"
    lr: float | None = None          # None: the optimizer's default (gradcraft.optim.registry)
    schedule: str = "cosine"
    batch_size: int = 64
    epochs: int = 30
    weight_decay: float | None = None  # None: the optimizer class's own default
    l2: float = 0.0
    seed: int = 0
    early_stopping: int = 0          # patience in epochs; 0 = off
    val_fraction: float = 0.1
    out: str | None = None           # None: runs/<timestamp>/

    def __post_init__(self):
        # Names in messages are spelled as the flags (val-fraction), which TOML files accept too.
        self.model = check_choice(self.model, "model", tuple(MODELS))
        self.hidden = _hidden(self.hidden)
        self.activation = check_choice(self.activation, "activation", tuple(ACTIVATIONS))
        self.dropout = check_real(self.dropout, "dropout", low=0.0, high=1.0, high_open=True)
        self.batch_norm = check_bool(self.batch_norm, "batch-norm")
        if self.batch_norm and self.model != "vgg-small":
            raise ValueError(f"batch-norm: only the vgg-small model has a BatchNorm option, got model "
                             f"{self.model!r} (resnet-small always normalises)")
        self.dataset = _dataset(self.dataset)
        self.data_dir = _data_dir(self.data_dir, self.dataset)
        self.standardize = check_choice(self.standardize, "standardize", STANDARDIZE)
        optimizer = get_optimizer(self.optimizer)
        self.optimizer = optimizer.name
        # lr and weight decay default to the optimizer's own, resolved here so that config.json
        # records the values used (an explicit 0 stays 0).
        self.lr = optimizer.lr if self.lr is None else check_real(self.lr, "lr", low=0.0, low_open=True)
        self.schedule = check_choice(self.schedule, "schedule", SCHEDULES)
        self.batch_size = check_int(self.batch_size, "batch-size", low=1)
        self.epochs = check_int(self.epochs, "epochs", low=1)
        self.weight_decay = optimizer.weight_decay if self.weight_decay is None \
            else check_real(self.weight_decay, "weight-decay", low=0.0)
        self.l2 = check_real(self.l2, "l2", low=0.0)
        self.seed = check_int(self.seed, "seed", low=0)
        self.early_stopping = check_int(self.early_stopping, "early-stopping", low=0)
        self.val_fraction = check_real(self.val_fraction, "val-fraction", low=0.0, high=1.0, high_open=True)
        self.out = None if self.out in (None, "") else _path_text(self.out, "out")
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
def _dataset(value) -> str:
    """The canonical dataset name, whatever the case ('MNIST', 'Fashion-MNIST')."""
    if isinstance(value, str):
        try:
            return canonical_dataset_name(value)
        except ValueError:
            pass
    return check_choice(value, "dataset", DATASETS)  # raises, listing the names


def _path_text(value, name: str) -> str:
    if not isinstance(value, str | os.PathLike):
        raise TypeError(f"{name} must be a path (a str), got {describe(value)}")
    return os.fspath(value)


def _data_dir(value, dataset: str) -> str | None:
    """None, or the data directory; refused for an embedded dataset, which would ignore it.
    (The GRADCRAFT_DATA variable is not read here: it is a default, not a request.)"""
    if value in (None, ""):
        return None
    value = _path_text(value, "data-dir")
    if dataset in EMBEDDED_DATASETS:
        needs_files = ", ".join(d for d in DATASETS if d not in EMBEDDED_DATASETS)
        raise ValueError(f"data-dir: the dataset {dataset!r} is embedded (it needs no files), so "
                         f"data-dir {value!r} would be ignored; it is for {needs_files} "
                         "(--dataset NAME --data-dir DIR)")
    return value


def _hidden(value) -> tuple:
    """'512,512' or [512, 512] or 512 -> (512, 512); at least one width (the model is an MLP)."""
    typed = value
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",")] if value.strip() else []
        try:
            value = [int(p) for p in parts]
        except ValueError:
            raise ValueError(f"hidden must be comma-separated layer widths like 512,512, got {typed!r}") from None
    elif isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list | tuple):
        raise TypeError(f"hidden must be layer widths like 512,512 (a str, an int or a list of "
                        f"ints), got {describe(typed)}")
    if not value:
        raise ValueError(f"hidden must hold at least one layer width, e.g. --hidden 256,256 "
                         f"(an MLP without hidden layers would be a linear model), got {typed!r}")
    return tuple(check_int(width, f"hidden[{i}]", low=1) for i, width in enumerate(value))
