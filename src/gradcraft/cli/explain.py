"""`gradcraft explain TOPIC ...`: the worked problems of `gradcraft.explain`, as text or JSON.

Input formats (see `gradcraft explain TOPIC --help`):
    vectors   space-separated numbers or one comma-separated string: --scores 3 -1 4,
              --scores 3,-1,4, --scores=-1,2
    matrices  rows separated by ';', entries by commas or spaces: --W "1,2,3; 4,5,6"
    sizes     H, HxW or H,W: --input 5x5, --kernel 3

--json prints the steps, the summary and a "result" object of the topic's named quantities
(loss, grad, ...: `gradcraft explain TOPIC --help` lists them); --precision N sets the
significant digits of printed numbers.
"""

# The subcommands are built from the topic registry (`gradcraft.explain.TOPICS`): each topic's
# parameters declare a kind (vector, matrix, size, ...), and this module maps each kind to an
# argparse option, a reader and a format hint. Defaults come from the functions' signatures.

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Callable, NamedTuple

from ..explain import TOPICS
from ..explain.result import format_given
from ..explain.topic import REQUIRED, Parameter, Topic
from . import UsageError, print_help_and_fail

#: a token starting with '-' followed by a digit or '.digit' is a value, never an option
#: ("-1,2,3", "-1e-3", "-.5"). argparse's default only accepts plain negative numbers, and it
#: offers no public way to widen that: its private `_negative_number_matcher` is set on each topic
#: parser (tests/explain/test_cli.py fails should a Python release rename it).
_NEGATIVE_VALUE = re.compile(r"^-\.?\d")
_SPLIT = re.compile(r"[,\s]+")
_ENTRY_SEPARATOR = re.compile(r"\s*,\s*|\s+")  # one comma (spaces around it allowed) or spaces
_END_COMMA = re.compile(r"^\s*,|,\s*$")  # at most one at each end of a token


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


def at_least(low: float):
    """A parser of numbers >= `low` (NaN is refused too): a parameter's `low`, checked while
    parsing so the error names the flag (e.g. a margin: a negative one would reward classes for
    scoring above the true class, the opposite of what the hinge is for)."""
    def bounded_number(text: str) -> float:
        value = _number(text)
        if not value >= low:
            raise argparse.ArgumentTypeError(f"must be >= {low:g}, got {text!r}")
        return value
    return bounded_number


def names(text: str) -> list[str]:
    """'cat,dog, bird' -> ['cat', 'dog', 'bird'] (commas or spaces separate names)."""
    return [name for name in _SPLIT.split(text.strip()) if name]


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


def batch(tokens, flag: str) -> list | None:
    """Without ';' the numbers are N samples of one feature (a vector); with ';' each row is a
    sample, so "1 2;" is one sample of two features."""
    rows = matrix(tokens, flag)
    return rows if ";" in " ".join(tokens) else rows[0]


# ------------------------------------------------------------------ parameter kinds -> options
class _Option(NamedTuple):
    """How the command line reads one kind of parameter (`gradcraft.explain.topic.KINDS`)."""

    keywords: dict                 # for argparse's add_argument (nargs, type)
    reader: Callable | None        # (parsed tokens, flag) -> the function's argument; None: as parsed
    hint: str                      # the format, appended to the parameter's help
    metavar: str


#: every kind but "flag" (a switch, see `_add_option`)
_OPTIONS = {
    "vector": _Option(dict(nargs="+", type=number_list), lambda tokens, flag: flatten(tokens),
                      "numbers, e.g. 3 -1 4 or 3,-1,4", "N"),
    "matrix": _Option(dict(nargs="+"), matrix,
                      "rows separated by ';', entries by commas or spaces, e.g. \"1,2,3; 4,5,6\"", "ROWS"),
    "array": _Option(dict(nargs="+"), batch,
                     "numbers (N samples of one feature, e.g. 1 2 3 4), or rows (samples) each ending "
                     "with ';' (features in a row: \"1 2; 3 4\" is 2 samples of 2 features, \"1 2;\" is "
                     "1 sample of 2 features)", "ROWS"),
    "size": _Option(dict(type=size), None, "", "N|HxW"),
    "cell": _Option(dict(type=cell), None, "row and column counted from 0", "ROW,COL"),
    "number": _Option(dict(type=_number), None, "", "X"),
    "int": _Option(dict(type=integer), None, "", "INT"),
    "names": _Option(dict(type=names), None, "comma-separated, e.g. cat,dog,bird", "NAMES"),
    "spec": _Option(dict(), None, "quote it in a shell, '>' redirects", "SPEC"),
}


def _dest(parameter: Parameter) -> str:
    # a namespace of its own, so a parameter can never clash with `json`, `precision`, `run`...
    return "argument:" + parameter.name


def _default_text(kind: str, default) -> str:
    """A default as the user would type it: 1, 0,0 for a cell, 3x4, -100 -10 0 for a vector."""
    pair = isinstance(default, tuple | list) and len(default) == 2
    if kind == "cell" and pair:
        return f"{default[0]},{default[1]}"
    if kind == "size" and pair:
        return f"{default[0]}x{default[1]}"
    if isinstance(default, tuple | list):
        return " ".join(format_given(v) for v in default)
    return format_given(default)


def _add_option(parser: argparse.ArgumentParser, topic: Topic, parameter: Parameter) -> None:
    default = topic.default(parameter.name)
    if parameter.kind == "flag":  # the flag flips the function's default (--no-bias: bias=False)
        parser.add_argument(parameter.flag, dest=_dest(parameter), default=default,
                            action="store_false" if default else "store_true", help=parameter.help)
        return
    option = _OPTIONS[parameter.kind]
    keywords = option.keywords
    if parameter.low is not None:
        keywords = dict(keywords, type=at_least(parameter.low))
    help_text = parameter.help + (f"; {option.hint}" if option.hint else "")
    if default is not REQUIRED and default is not None:
        help_text += f" (default {_default_text(parameter.kind, default)})"
    # not given -> None -> the argument is left out, so the function's own default applies
    parser.add_argument(parameter.flag, dest=_dest(parameter), default=None, metavar=option.metavar,
                        required=default is REQUIRED, help=help_text, **keywords)


def _arguments(topic: Topic, args) -> dict:
    """The keyword arguments of `topic.function` from the parsed command line; ValueError naming
    the flag for a matrix that does not parse."""
    arguments = {}
    for parameter in topic.parameters:
        value = getattr(args, _dest(parameter))
        if value is None:
            continue
        reader = _OPTIONS[parameter.kind].reader if parameter.kind != "flag" else None
        arguments[parameter.name] = reader(value, parameter.flag) if reader else value
    return arguments


def _epilog(topic: Topic) -> str:
    return (f'With --json, "result" holds {", ".join(topic.results)} (their meaning: '
            f"help(gradcraft.explain.{topic.function.__name__}) in Python).")


# ------------------------------------------------------------------ command
def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "explain", help="worked problems step by step (losses, gradients, conv sizes, ...)",
        description="Worked problems of the course, step by step. " + __doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=_run_without_topic, explain_parser=parser)
    topics = parser.add_subparsers(dest="topic", metavar="TOPIC")
    for topic in TOPICS.values():
        topic_parser = topics.add_parser(topic.name, help=topic.summary, description=topic.summary,
                                         epilog=_epilog(topic))
        topic_parser._negative_number_matcher = _NEGATIVE_VALUE
        for parameter in topic.parameters:
            _add_option(topic_parser, topic, parameter)
        topic_parser.add_argument("--json", action="store_true",
                                  help='print JSON (steps, summary and the "result" quantities) '
                                       "instead of text")
        topic_parser.add_argument("--precision", type=integer, default=4, metavar="N",
                                  help="significant digits of printed numbers (default 4)")
        topic_parser.set_defaults(run=run, explain_topic=topic)


def _run_without_topic(args) -> int:
    """`gradcraft explain` alone: like `gradcraft` alone, the help (the topics) on stderr, exit 2."""
    return print_help_and_fail(args.explain_parser)


def run(args) -> int:
    topic = args.explain_topic
    if not 1 <= args.precision <= 17:
        raise UsageError(f"explain {topic.name}: --precision must be between 1 and 17, got {args.precision}")
    try:
        result = topic(**_arguments(topic, args))
    except (TypeError, ValueError) as error:  # bad input, whichever check caught it: one line, exit 2
        raise UsageError(f"explain {topic.name}: {error}") from None
    if args.json:
        print(json.dumps(result.to_dict(args.precision), indent=2))
    else:
        print(result.to_text(args.precision))
    sys.stdout.flush()
    return 0
