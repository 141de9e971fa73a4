"""`gradcraft train`: train a model on a dataset and write a run directory.

    gradcraft train                                   # MLP on the embedded 8x8 digits
    gradcraft train --dataset mnist --data-dir ../shared/data --hidden 512,512 --epochs 10
    gradcraft train --config run.toml --lr 3e-4       # flags override the file
    gradcraft train --resume runs/20261122-083756     # continue a stopped run

Every flag is also a key of the TOML config file (`batch-size = 128` or `batch_size = 128`).

Every finished epoch is checkpointed in the run directory. Stopped by Ctrl-C (SIGINT) or SIGTERM,
the command writes metrics.csv and curves.png of the finished epochs, prints the command that
resumes the run, and exits with 130. `--resume DIR` continues a run exactly as it would have
gone on, with the settings it was started with: only `--epochs` (a new total: to extend a run,
or to shorten one not yet past it; not with a cosine schedule, which anneals over the total),
`--data-dir` (where the files are now) and `--quiet` may accompany it.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from rich.console import Console

from ..data import DATASETS
from ..data.registry import canonical_dataset_name
from ..models import ACTIVATIONS, MODELS
from ..optim.registry import default_lr_help, get_optimizer
from ..train.config import OPTIMIZERS, SCHEDULES, STANDARDIZE, TrainConfig, config_keys, read_toml
from ..train.loop import NonFiniteLossError
from ..train.rundir import MODEL_FILE, RUN_FILES, new_run_dir
from ..train.runs import RunInterrupted, prepare_data, resume_run, train_run
from ..train.signals import interruptible
from ..train.wording import plural
from . import UsageError

_DEFAULTS = TrainConfig()
#: the settings --resume accepts (the others are the run's own, from DIR/config.json)
_WITH_RESUME = ("epochs", "data_dir")


def _dataset_name(text: str) -> str:
    """--dataset in any case (MNIST, Fashion-MNIST); an unknown name is left for argparse's
    'invalid choice' message."""
    try:
        return canonical_dataset_name(text)
    except ValueError:
        return text


def register(subparsers) -> None:
    d = _DEFAULTS
    parser = subparsers.add_parser(
        "train", help="train a model and write a run directory",
        description="Train a model, print a per-epoch table and the test accuracy, and write "
                    f"DIR/ ({', '.join(RUN_FILES)}). Flags override --config. Every finished "
                    "epoch is checkpointed: a run stopped by Ctrl-C or SIGTERM is continued by "
                    "--resume DIR.")
    parser.add_argument("--config", metavar="FILE.toml", help="read settings from a TOML file (same keys as the flags)")
    group = parser.add_argument_group("model")
    group.add_argument("--model", choices=tuple(MODELS), help=f"architecture (default {d.model})")
    group.add_argument("--hidden", metavar="W1,W2,...", help=f"hidden layer widths of the mlp, at least one (default {','.join(map(str, d.hidden))})")
    group.add_argument("--activation", choices=tuple(ACTIVATIONS), help=f"default {d.activation}")
    group.add_argument("--dropout", type=float, metavar="P", help=f"drop probability after each hidden layer (mlp), before the last layer (lenet5, vgg-small) (default {d.dropout:g})")
    group.add_argument("--batch-norm", action="store_const", const=True, help="vgg-small: BatchNorm2d after each conv (default off)")
    group = parser.add_argument_group("data")
    group.add_argument("--dataset", type=_dataset_name, choices=DATASETS, help=f"any case (default {d.dataset}: embedded, no files needed)")
    group.add_argument("--data-dir", metavar="DIR", help="folder holding mnist/, fashion-mnist/ or cifar-10-batches-py/ (default $GRADCRAFT_DATA); not for the embedded digits")
    group.add_argument("--standardize", choices=STANDARDIZE, help=f"feature standardisation fitted on the training split (default {d.standardize})")
    group.add_argument("--val-fraction", type=float, metavar="F", help=f"fraction of the training split held out for validation (default {d.val_fraction:g})")
    group = parser.add_argument_group("optimisation")
    group.add_argument("--optimizer", choices=OPTIMIZERS, help=f"default {d.optimizer} (momentum: SGD with momentum {get_optimizer('momentum').options['momentum']:g})")
    group.add_argument("--lr", type=float, help=f"learning rate (default: {default_lr_help()})")
    group.add_argument("--schedule", choices=SCHEDULES, help=f"learning-rate schedule over the epochs: constant, or cosine annealing to 0 (default {d.schedule})")
    group.add_argument("--batch-size", type=int, metavar="N", help=f"default {d.batch_size}")
    group.add_argument("--epochs", type=int, metavar="N", help=f"default {d.epochs}; with --resume: the run's new total")
    group.add_argument("--weight-decay", type=float, metavar="L", help=f"weight decay (default: the optimizer's own: {_weight_decay_help()})")
    group.add_argument("--l2", type=float, metavar="L", help="explicit penalty L/2 * sum ||W||^2 over weight matrices, added to the loss (default 0)")
    group.add_argument("--early-stopping", type=int, metavar="N", help="stop after N epochs without a lower validation loss and keep the best weights (default off)")
    group.add_argument("--seed", type=int, help=f"seeds initialisation, dropout, shuffling and the validation split (default {d.seed})")
    parser.add_argument("--out", metavar="DIR", help="run directory to write, never one holding a trained model (default runs/<timestamp>/)")
    parser.add_argument("--resume", metavar="DIR", help="continue the stopped run in DIR with its own settings (with --epochs, --data-dir and --quiet only)")
    parser.add_argument("--quiet", action="store_true", help="print only the final result")
    parser.set_defaults(run=run)


def _weight_decay_help() -> str:
    """'0.01 for adamw, 0 for the others' from the optimizer classes' own defaults."""
    decays = {name: get_optimizer(name).weight_decay for name in OPTIMIZERS}
    special = [f"{value:g} for {name}" for name, value in decays.items() if value != 0]
    return ", ".join(special + ["0 for the others"]) if special else "0"


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
    flags = {k: getattr(args, k) for k in config_keys() if getattr(args, k, None) is not None}
    if values:  # the file's own settings first, so that an error in one names the file
        try:
            TrainConfig(**{k: v for k, v in values.items() if k not in flags})
        except (TypeError, ValueError) as error:
            raise UsageError(f"{args.config}: {error}") from None
    try:
        return TrainConfig(**{**values, **flags})
    except (TypeError, ValueError) as error:
        raise UsageError(str(error)) from None


def refuse_to_overwrite(out) -> None:
    """Never replace a trained model: a second run with the same --out would silently overwrite
    the first run's weights. A run that diverged wrote no model; retrying into its directory is fine."""
    if out is not None and (Path(out) / MODEL_FILE).exists():
        raise UsageError(f"--out: {out} already holds a trained model ({MODEL_FILE}); choose a "
                         f"new directory or delete that one first (to continue it: gradcraft train "
                         f"--resume {shlex.quote(str(out))})")


def run(args) -> int:
    with interruptible():  # SIGTERM too becomes an exception: the run can save its work
        if args.resume is not None:
            return _resume(args)
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
        except RunInterrupted as stop:
            return _report_interruption(stop)
        _report(console, result, len(data[0].test))
        return 0


def _resume(args) -> int:
    given = [name for name in config_keys() if name not in _WITH_RESUME and getattr(args, name, None) is not None]
    flags = [f"--{name.replace('_', '-')}" for name in given] + (["--config"] if args.config else [])
    if flags:
        raise UsageError(f"--resume continues the run with the settings it was started with "
                         f"({Path(args.resume) / 'config.json'}); only --epochs, --data-dir and "
                         f"--quiet may accompany it, got {', '.join(flags)}")
    console = Console(highlight=False, soft_wrap=True)
    try:
        result = resume_run(args.resume, console=None if args.quiet else console,
                            epochs=args.epochs, data_dir=args.data_dir)
    except NonFiniteLossError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except RunInterrupted as stop:
        return _report_interruption(stop)
    except (TypeError, ValueError, OSError) as error:
        raise UsageError(str(error)) from None
    if result.already_done:
        console.print(f"{result.out_dir}: the run already finished ({result.note}); nothing to "
                      "train", highlight=False)
        console.print(f"test accuracy: {result.test_accuracy:.2%} (loss {result.test_loss:.4f})")
        return 0
    _report(console, result, None)
    return 0


def _report(console, result, test_samples: int | None) -> None:
    history = result.history
    trained_now = len(history) - result.epochs_before
    epochs = plural(len(history), "epoch")
    if result.epochs_before and trained_now:
        epochs += f", {trained_now} of them after resuming at epoch {result.epochs_before + 1}"
    elif result.epochs_before:
        epochs += ", all trained before resuming (the results were written now)"
    samples = f" on {plural(test_samples, 'test sample')}" if test_samples is not None else ""
    console.print(f"test accuracy: {result.test_accuracy:.2%} (loss {result.test_loss:.4f}){samples}, "
                  f"{epochs} in {result.seconds:.1f} s")
    console.print(f"wrote {result.out_dir}/ ({', '.join(RUN_FILES)})")


def _report_interruption(stop: RunInterrupted) -> int:
    """What was saved and how to go on: two lines on stderr, exit code 130 (128 + SIGINT)."""
    resume = f"gradcraft train --resume {shlex.quote(str(stop.run_dir))}"
    if stop.training_finished:
        saved = (f"after the last epoch, before the test results were written: {stop.run_dir}/ "
                 f"holds all {plural(stop.epochs_done, 'epoch')} (resuming writes the results)")
    elif stop.epochs_done:
        saved = (f"during epoch {stop.epochs_done + 1} of {stop.epochs}: saved the "
                 f"{plural(stop.epochs_done, 'finished epoch')} in {stop.run_dir}/ "
                 f"({MODEL_FILE} with the training state, metrics.csv, curves.png)")
    else:
        saved = (f"during epoch 1 of {stop.epochs}, before any epoch finished: nothing to save "
                 f"beyond {stop.run_dir}/config.json (resuming starts the run from the beginning)")
    print(f"interrupted by {stop.signal} {saved}", file=sys.stderr)
    print(f"resume with: {resume}", file=sys.stderr)
    return 130
