"""`gradcraft explain TOPIC ...`: the worked problems of `gradcraft.explain`, as text or JSON.

Input formats (see `gradcraft explain TOPIC --help`):
    vectors   space-separated numbers or one comma-separated string: --scores 3 -1 4,
              --scores 3,-1,4, --scores=-1,2
    matrices  rows separated by ';', entries by commas or spaces: --W "1,2,3; 4,5,6"
    sizes     H, HxW or H,W: --input 5x5, --kernel 3
"""

from __future__ import annotations

import argparse
import json
import re
import sys

from . import UsageError

#: a token starting with '-' followed by a digit or '.digit' is a value, never an option
#: ("-1,2,3", "-1e-3", "-.5"). argparse's default only accepts plain negative numbers.
_NEGATIVE_VALUE = re.compile(r"^-\.?\d")
_SPLIT = re.compile(r"[,\s]+")
_ENTRY_SEPARATOR = re.compile(r"\s*,\s*|\s+")  # one comma (spaces around it allowed) or spaces
_END_COMMA = re.compile(r"^\s*,|,\s*$")  # at most one at each end of a token

VECTOR_HELP = "numbers, space- or comma-separated (3 -1 4 or 3,-1,4)"
MATRIX_HELP = "rows separated by ';', entries by commas or spaces, e.g. \"1,2,3; 4,5,6\""


# ------------------------------------------------------------------ value parsers (argparse types)
def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def number_list(text: str) -> list[float]:
    """'3,-1,4' or '3' -> [3.0, -1.0, 4.0] (one token of a vector option).

    A comma at either end is a separator between tokens ('3, -1, 4' arrives as '3,' '-1,' '4');
    an empty entry inside ('3,,4') is a typo, never silently skipped."""
    body = _END_COMMA.sub("", text).strip()
    if not body:
        raise argparse.ArgumentTypeError(f"expected numbers, got {text!r}")
    parts = _ENTRY_SEPARATOR.split(body)
    if "" in parts:
        raise argparse.ArgumentTypeError(f"empty entry (two commas in a row) in {text!r}")
    return [_number(p) for p in parts]


def margin_value(text: str) -> float:
    """A margin: a number >= 0 (a negative margin would reward classes for scoring above the
    true class, the opposite of what the hinge is for)."""
    value = _number(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text!r}")
    return value


def integer(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not value.is_integer():
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}")
    return int(value)


def size(text: str) -> tuple[int, int]:
    """'5' -> (5, 5); '5x4' or '5,4' -> (5, 4)."""
    found = re.fullmatch(r"\s*(\d+)\s*(?:[x,]\s*(\d+)\s*)?", text.lower())
    if not found:
        raise argparse.ArgumentTypeError(f"expected a size N or HxW, got {text!r}")
    height, width = found.groups()
    return int(height), int(width or height)


def cell(text: str) -> tuple[int, int]:
    """'2,3' or '2x3' -> (2, 3): an output cell, row and column counted from 0; 'N' -> (N, N)."""
    found = re.fullmatch(r"\s*(\d+)\s*(?:[x,]\s*(\d+)\s*)?", text.lower())
    if not found:
        raise argparse.ArgumentTypeError(
            f"must be ROW,COL with 0 <= ROW < H and 0 <= COL < W (the output height and width, "
            f"counted from 0), got {text!r}")
    row, col = found.groups()
    return int(row), int(col or row)


def flatten(tokens) -> list[float] | None:
    """The lists parsed from each token of a vector option, joined."""
    return None if tokens is None else [v for token in tokens for v in token]


def matrix(tokens, flag: str) -> list[list[float]] | None:
    """Tokens of a matrix option -> rows (rows are separated by ';'); ValueError naming `flag`."""
    if tokens is None:
        return None
    rows = [r for r in " ".join(tokens).split(";") if r.strip()]
    if not rows:
        raise ValueError(f"{flag} needs at least one row of numbers")
    try:
        parsed = [number_list(r) for r in rows]
    except argparse.ArgumentTypeError as error:
        raise ValueError(f"{flag}: {error}") from None
    if len({len(r) for r in parsed}) > 1:
        raise ValueError(f"{flag}: rows must have the same length, got rows of lengths "
                         f"{[len(r) for r in parsed]}")
    return parsed


# ------------------------------------------------------------------ topics
def _vector(p, flag, required=True, help=VECTOR_HELP, **kw):
    p.add_argument(flag, nargs="+", type=number_list, required=required, metavar="N", help=help, **kw)


def _matrix(p, flag, required=True, help=MATRIX_HELP):
    p.add_argument(flag, nargs="+", required=required, metavar="ROWS", help=help)


def _classes(p):
    p.add_argument("--classes", type=lambda t: [c for c in _SPLIT.split(t.strip()) if c],
                   help="class names, comma-separated (e.g. cat,dog,bird)")


def _scores_topic(p, default_margin):
    _vector(p, "--scores", help=f"the class scores: {VECTOR_HELP}")
    p.add_argument("--label", type=integer, required=True, help="index of the true class (from 0)")
    p.add_argument("--margin", type=margin_value, default=default_margin,
                   help=f"margin >= 0 (default {default_margin:g})")
    _classes(p)


def _build_topics():
    """name -> (help, add_arguments(parser), call(explain_module, args))."""
    def scores_call(name):
        return lambda ex, a: getattr(ex, name)(flatten(a.scores), a.label, a.margin, a.classes)

    return {
        "hinge": ("multiclass hinge (SVM) loss and its gradient, class by class",
                  lambda p: _scores_topic(p, 1.0), scores_call("hinge")),
        "softmax": ("softmax cross-entropy and its gradient (--margin > 0: the smooth hinge)",
                    lambda p: _scores_topic(p, 0.0), scores_call("softmax")),
        "compare": ("hinge and softmax side by side: which loss and gradient is larger, and why",
                    lambda p: _scores_topic(p, 1.0), scores_call("compare")),
        "linear": ("scores s = W x + b of a linear classifier, then its hinge and softmax losses",
                   _linear_arguments,
                   lambda ex, a: ex.linear(matrix(a.W, "--W"), flatten(a.b), flatten(a.x), a.label,
                                           a.margin, a.classes)),
        "sigmoid": ("sigmoid values, derivatives, odds and logits; saturation flagged",
                    _sigmoid_arguments,
                    lambda ex, a: ex.sigmoid(*([flatten(a.x)] if a.x else []), saturation=a.saturation)),
        "kl": ("KL(p||q) and KL(q||p) of counts or probabilities, and their gradients wrt q",
               _kl_arguments, lambda ex, a: ex.kl(flatten(a.p), flatten(a.q))),
        "conv": ("output size, parameter count and (with --x and --w) output values of a convolution",
                 _conv_arguments, _conv_call),
        "params": ("parameters per layer and in total of a layer stack",
                   _params_arguments, lambda ex, a: ex.params(a.spec, bias=not a.no_bias)),
        "receptive-field": ("receptive field of an output cell of a conv/pool stack",
                            _receptive_field_arguments,
                            lambda ex, a: ex.receptive_field(a.spec, a.cell, a.input)),
        "distance": ("Euclidean distance, cosine similarity and D_E = sqrt(2 - 2 D_C)",
                     _distance_arguments, lambda ex, a: ex.distance(flatten(a.x), flatten(a.y))),
        "batchnorm": ("batch normalisation of a small batch, and what breaks with batch size 1",
                      _batchnorm_arguments,
                      lambda ex, a: ex.batchnorm(_batch(a.x), flatten(a.gamma) or 1.0,
                                                 flatten(a.beta) or 0.0, a.eps)),
        "gradient-signs": ("two-layer ReLU net: scores, prediction, sign(dL/dW1) under hinge and softmax",
                           _gradient_signs_arguments, _gradient_signs_call),
        "prox": ("soft-thresholding of a vector at t, case by case",
                 _prox_arguments, lambda ex, a: ex.prox(flatten(a.x), a.t)),
    }


def _linear_arguments(p):
    _matrix(p, "--W", help=f"weights (classes x features): {MATRIX_HELP}")
    _vector(p, "--b", help="biases, one per class")
    _vector(p, "--x", help="the input, one number per feature")
    p.add_argument("--label", type=integer, required=True, help="index of the true class (from 0)")
    p.add_argument("--margin", type=margin_value, default=1.0, help="hinge margin >= 0 (default 1)")
    _classes(p)


def _sigmoid_arguments(p):
    _vector(p, "--x", required=False, help=f"points (default -100 -10 0 10 100): {VECTOR_HELP}")
    p.add_argument("--saturation", type=_number, default=0.01,
                   help="flag points where S'(x) is below this (default 0.01)")


def _kl_arguments(p):
    _vector(p, "--p", help="counts or probabilities (normalised)")
    _vector(p, "--q", help="counts or probabilities (normalised), same length as --p")


def _conv_arguments(p):
    p.add_argument("--input", type=size, help="input size H or HxW (or give --x)")
    p.add_argument("--kernel", type=size, help="kernel size K or KHxKW (or give --w)")
    for flag, default in (("--stride", "1"), ("--padding", "0"), ("--dilation", "1")):
        p.add_argument(flag, type=size, default=size(default), help=f"N or HxW (default {default})")
    p.add_argument("--in-channels", type=integer, default=1, help="input channels (default 1)")
    p.add_argument("--out-channels", type=integer, default=1, help="output channels (default 1)")
    _matrix(p, "--x", required=False, help=f"explicit single-channel input: {MATRIX_HELP}")
    _matrix(p, "--w", required=False, help=f"explicit kernel: {MATRIX_HELP}")
    p.add_argument("--bias", type=_number, help="bias added to the output values (with --x, --w)")


def _conv_call(ex, a):
    return ex.conv(a.input, a.kernel, a.stride, a.padding, a.dilation, a.in_channels,
                   a.out_channels, x=matrix(a.x, "--x"), kernel=matrix(a.w, "--w"), bias=a.bias)


def _params_arguments(p):
    p.add_argument("--spec", required=True,
                   help="layers, comma-separated: conv:KHxKWxCIN->COUT, fc:IN->OUT, pool:KxK, bn:C; "
                        "quote it in a shell, '>' redirects (e.g. \"conv:2x2x3->2,fc:8->10\")")
    p.add_argument("--no-bias", action="store_true", help="count conv and fc weights only")


def _receptive_field_arguments(p):
    p.add_argument("--spec", required=True,
                   help="conv/pool layers, comma-separated, options after '/': stride sN, padding "
                        "pN, dilation dN (e.g. conv:3x3/s3,conv:2x2 or conv:3x3/p1,pool:2x2)")
    p.add_argument("--cell", type=cell, default=(0, 0),
                   help="output cell ROW,COL, counted from 0 (default 0,0)")
    p.add_argument("--input", type=size, help="input size HxW: marks padding, draws the map")


def _distance_arguments(p):
    _vector(p, "--x", help="first vector")
    _vector(p, "--y", help="second vector, same length")


def _batchnorm_arguments(p):
    _matrix(p, "--x", help="the batch: numbers (N samples of one feature, e.g. 1 2 3 4), or rows "
                           "(samples) each ending with ';' (features in a row: \"1 2; 3 4\" is 2 "
                           "samples of 2 features, \"1 2;\" is 1 sample of 2 features)")
    _vector(p, "--gamma", required=False, help="scale: one number or one per feature (default 1)")
    _vector(p, "--beta", required=False, help="shift: one number or one per feature (default 0)")
    p.add_argument("--eps", type=_number, default=1e-5, help="added to the variance (default 1e-5)")


def _batch(tokens):
    """Without ';' the numbers are N samples of one feature (a vector); with ';' each row is a
    sample, so "1 2;" is one sample of two features."""
    rows = matrix(tokens, "--x")
    return rows if ";" in " ".join(tokens) else rows[0]


def _gradient_signs_arguments(p):
    _matrix(p, "--W1", help=f"first layer (hidden x inputs): {MATRIX_HELP}")
    _matrix(p, "--W2", help=f"second layer (classes x hidden): {MATRIX_HELP}")
    _vector(p, "--x", help="the input")
    p.add_argument("--label", type=integer, required=True, help="index of the true class (from 0)")
    p.add_argument("--margin", type=margin_value, default=1.0, help="hinge margin >= 0 (default 1)")
    _classes(p)


def _gradient_signs_call(ex, a):
    return ex.gradient_signs(matrix(a.W1, "--W1"), matrix(a.W2, "--W2"), flatten(a.x), a.label,
                             a.margin, a.classes)


def _prox_arguments(p):
    _vector(p, "--x", help="the vector to shrink")
    p.add_argument("--t", type=_number, required=True, help="threshold t >= 0")


# ------------------------------------------------------------------ command
def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "explain", help="worked problems step by step (losses, gradients, conv sizes, ...)",
        description="Worked problems of the course, step by step. " + __doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=_run_without_topic, explain_parser=parser)
    topics = parser.add_subparsers(dest="topic", metavar="TOPIC")
    for name, (summary, add_arguments, call) in _build_topics().items():
        topic = topics.add_parser(name, help=summary, description=summary)
        topic._negative_number_matcher = _NEGATIVE_VALUE
        add_arguments(topic)
        topic.add_argument("--json", action="store_true", help="print JSON instead of text")
        topic.add_argument("--precision", type=integer, default=4,
                           help="significant digits of printed numbers (default 4)")
        topic.set_defaults(run=run, call=call)


def _run_without_topic(args) -> int:
    args.explain_parser.print_help()
    return 0


def run(args) -> int:
    from .. import explain

    if not 1 <= args.precision <= 17:
        raise UsageError(f"explain {args.topic}: --precision must be between 1 and 17, got {args.precision}")
    try:
        result = args.call(explain, args)
    except ValueError as error:
        raise UsageError(f"explain {args.topic}: {error}") from None
    if args.json:
        print(json.dumps(result.to_dict(args.precision), indent=2))
    else:
        print(result.to_text(args.precision))
    sys.stdout.flush()
    return 0
