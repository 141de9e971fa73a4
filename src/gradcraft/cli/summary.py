"""`gradcraft summary`: the layer table of a model of the zoo, without training it.

    gradcraft summary vgg-small --input-shape 3,32,32
    gradcraft summary lenet5 --input-shape 1,28,28 --json
    gradcraft summary vgg-small --input-shape 1,8,8 --batch-norm --dropout 0.5

The model is built as `gradcraft train --model MODEL` builds it (same options, same defaults), for
samples of shape --input-shape; see `gradcraft.summary` for what each column counts.
"""

from __future__ import annotations

import json

from ..models import ACTIVATIONS, MODELS, build_model
from ..summary import summary
from ..train.config import TrainConfig
from . import UsageError

_DEFAULTS = TrainConfig()


def _shape(text: str) -> tuple:
    """'3,32,32' -> (3, 32, 32): positive ints, comma-separated."""
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise UsageError(f"summary: --input-shape must be sizes like 3,32,32, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise UsageError(f"summary: --input-shape sizes must be positive, got {text!r}")
    return sizes


def register(subparsers) -> None:
    d = _DEFAULTS
    parser = subparsers.add_parser(
        "summary", help="print a model's layers, output shapes, parameters and mult-adds",
        description="Build MODEL (as `gradcraft train --model MODEL` does) for samples of shape "
                    "--input-shape and print one row per layer: output shape, parameters, "
                    "multiply-adds, receptive field and jump in input pixels; then the totals.")
    parser.add_argument("model", metavar="MODEL", help=f"one of {', '.join(MODELS)}")
    parser.add_argument("--input-shape", required=True, metavar="C,H,W",
                        help="one sample's shape, without the batch axis (digits 1,8,8; MNIST 1,28,28; CIFAR-10 3,32,32)")
    parser.add_argument("--num-classes", type=int, default=10, metavar="N", help="default 10")
    parser.add_argument("--batch-size", type=int, default=1, metavar="N", help="batch size of the pass (default 1)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    group = parser.add_argument_group("model options (as for gradcraft train)")
    group.add_argument("--hidden", metavar="W1,W2,...", help=f"mlp hidden widths (default {','.join(map(str, d.hidden))})")
    group.add_argument("--activation", choices=tuple(ACTIVATIONS), default=d.activation, help=f"default {d.activation}")
    group.add_argument("--dropout", type=float, default=d.dropout, metavar="P", help=f"default {d.dropout:g}")
    group.add_argument("--batch-norm", action="store_true", help="vgg-small: BatchNorm2d after each conv")
    parser.set_defaults(run=run)


def run(args) -> int:
    if args.model not in MODELS:
        raise UsageError(f"summary: unknown model {args.model!r}; choose from {', '.join(MODELS)}")
    shape = _shape(args.input_shape)
    if args.num_classes < 1 or args.batch_size < 1:
        raise UsageError("summary: --num-classes and --batch-size must be at least 1, got "
                         f"{args.num_classes} and {args.batch_size}")
    try:
        options = dict(activation=args.activation, dropout=args.dropout, batch_norm=args.batch_norm)
        if args.hidden is not None:
            options["hidden"] = TrainConfig(hidden=args.hidden).hidden
        elif args.model == "mlp":
            options["hidden"] = _DEFAULTS.hidden
        model = build_model(args.model, shape, args.num_classes, **options)
        result = summary(model, shape, batch_size=args.batch_size)
    except (TypeError, ValueError) as error:
        raise UsageError(f"summary {args.model}: {error}") from None
    if args.json:
        print(json.dumps({**result.to_dict(), "model": args.model}, indent=2))   # the zoo name, not the class
    else:
        print(f"{args.model} for input {tuple(shape)}, {args.num_classes} classes")
        print(result)
    return 0
