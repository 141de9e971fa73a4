"""The `gradcraft` command. Each subcommand lives in its own module and registers itself here."""

from __future__ import annotations

import argparse
import sys

from .. import __version__

import importlib
import pkgutil


class UsageError(Exception):
    """A problem with what the user typed: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line on stderr, exit 2, no usage dump
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="gradcraft",
        description="gradcraft: deep learning from first principles on NumPy.",
    )
    parser.add_argument("--version", action="version", version=f"gradcraft {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    # Every module of this package defines `register(subparsers)`, adding one subcommand.
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        importlib.import_module(f"{__name__}.{module}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "run", None):
            parser.print_help()
            return 0
        return args.run(args) or 0
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
