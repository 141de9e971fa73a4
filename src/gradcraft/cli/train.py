"""`gradcraft train`: train a model on a dataset and write a run directory.

    gradcraft train                                   # MLP on the embedded 8x8 digits
    gradcraft train --dataset mnist --data-dir ../shared/data --hidden 512,512 --epochs 10
    gradcraft train --config run.toml --lr 3e-4       # flags override the file

Every flag is also a key of the TOML config file (`batch-size = 128` or `batch_size = 128`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console

from ..data import DATASETS
from ..models import ACTIVATIONS, MODELS
from ..training.config import OPTIMIZERS, SCHEDULES, STANDARDIZE, TrainConfig, config_keys, read_toml
from ..training.loop import NonFiniteLossError
from ..training.runs import RUN_FILES, new_run_dir, prepare_data, train_run
from . import UsageError

_DEFAULTS = TrainConfig()


def register(subparsers) -> None:
    d = _DEFAULTS
    parser = subparsers.add_parser(
        "train", help="train a model and write a run directory",
        description="Train a model, print a per-epoch table and the test accuracy, and write "
                    f"DIR/ ({', '.join(RUN_FILES)}). Flags override --config.")
    parser.add_argument("--config", metavar="FILE.toml", help="read settings from a TOML file (same keys as the flags)")
    group = parser.add_argument_group("model")
    group.add_argument("--model", choices=tuple(MODELS), help=f"architecture (default {d.model})")
    group.add_argument("--hidden", metavar="W1,W2,...", help=f"hidden layer widths (default {','.join(map(str, d.hidden))})")
    group.add_argument("--activation", choices=tuple(ACTIVATIONS), help=f"default {d.activation}")
    group.add_argument("--dropout", type=float, metavar="P", help=f"drop probability after each hidden layer (default {d.dropout:g})")
    group = parser.add_argument_group("data")
    group.add_argument("--dataset", choices=DATASETS, help=f"default {d.dataset} (embedded, no files needed)")
    group.add_argument("--data-dir", metavar="DIR", help="folder holding mnist/, fashion-mnist/ or cifar-10-batches-py/ (default $GRADCRAFT_DATA)")
    group.add_argument("--standardize", choices=STANDARDIZE, help=f"feature standardisation fitted on the training split (default {d.standardize})")
    group.add_argument("--val-fraction", type=float, metavar="F", help=f"fraction of the training split held out for validation (default {d.val_fraction:g})")
    group = parser.add_argument_group("optimisation")
    group.add_argument("--optimizer", choices=OPTIMIZERS, help=f"default {d.optimizer}")
    group.add_argument("--lr", type=float, help="learning rate (default: 0.001 for adam/adamw/rmsprop, 0.01 for momentum/adagrad, 0.1 for sgd)")
    group.add_argument("--schedule", choices=SCHEDULES, help=f"learning-rate schedule over the epochs: constant, or cosine annealing to 0 (default {d.schedule})")
    group.add_argument("--batch-size", type=int, metavar="N", help=f"default {d.batch_size}")
    group.add_argument("--epochs", type=int, metavar="N", help=f"default {d.epochs}")
    group.add_argument("--weight-decay", type=float, metavar="L", help="weight decay (default: the optimizer's own: 0.01 for adamw, 0 for the others)")
    group.add_argument("--l2", type=float, metavar="L", help="explicit penalty L/2 * sum ||W||^2 over weight matrices, added to the loss (default 0)")
    group.add_argument("--early-stopping", type=int, metavar="N", help="stop after N epochs without a lower validation loss and keep the best weights (default off)")
    group.add_argument("--seed", type=int, help=f"seeds initialisation, dropout, shuffling and the validation split (default {d.seed})")
    parser.add_argument("--out", metavar="DIR", help="run directory to write, never one holding a trained model (default runs/<timestamp>/)")
    parser.add_argument("--quiet", action="store_true", help="print only the final result")
    parser.set_defaults(run=run)


def resolve_config(args) -> TrainConfig:
    """Defaults, then the TOML file, then the flags given on the command line."""
    values = {}
    if args.config:
        try:
            table = read_toml(args.config)
        except ValueError as error:
            raise UsageError(str(error)) from None
        for key, value in table.items():
            name = str(key).replace("-", "_")
            if name not in config_keys():
                raise UsageError(f"{args.config}: unknown key {key!r}; valid keys: "
                                 f"{', '.join(k.replace('_', '-') for k in config_keys())}")
            values[name] = value
    values.update({k: getattr(args, k) for k in config_keys() if getattr(args, k, None) is not None})
    try:
        return TrainConfig(**values)
    except ValueError as error:
        raise UsageError(str(error)) from None


def refuse_to_overwrite(out) -> None:
    """Never replace a trained model: a second run with the same --out would silently overwrite
    the first run's weights. A run that diverged wrote no model; retrying into its directory is fine."""
    if out is not None and (Path(out) / "model.safetensors").exists():
        raise UsageError(f"--out: {out} already holds a trained model (model.safetensors); choose a "
                         "new directory or delete that one first")


def run(args) -> int:
    config = resolve_config(args)
    refuse_to_overwrite(config.out)
    try:
        data = prepare_data(config)
    except (ValueError, OSError) as error:
        raise UsageError(str(error)) from None
    try:
        out_dir = new_run_dir(config.out)
    except (ValueError, OSError) as error:
        raise UsageError(f"--out: {error}") from None
    config = config.replace(out=str(out_dir))
    console = Console(highlight=False, soft_wrap=True)
    try:
        result = train_run(config, console=None if args.quiet else console, data=data)
    except NonFiniteLossError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2  # like every CLI error: one line, exit code 2 (the fix is a flag: --lr)
    console.print(f"test accuracy: {result.test_accuracy:.2%} (loss {result.test_loss:.4f}) on "
                  f"{len(data[0].test)} test samples, {len(result.history)} epochs in "
                  f"{result.seconds:.1f} s")
    console.print(f"wrote {out_dir}/ ({', '.join(RUN_FILES)})")
    return 0
