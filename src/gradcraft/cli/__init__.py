"""The `gradcraft` command. Each subcommand lives in its own module and registers itself here."""

from __future__ import annotations

import argparse
import os
import sys

from .. import __version__

import importlib
import pkgutil


class UsageError(Exception):
    """A problem with what the user typed: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line on stderr, exit 2, no usage dump
        raise UsageError(f"{self.prog}: {message}")


def print_help_and_fail(parser: argparse.ArgumentParser) -> int:
    """A command that needs a subcommand got none (`gradcraft`, `gradcraft explain`): its help,
    which lists the subcommands, goes to stderr, and the exit code is 2, as for any usage error,
    so a script that forgot the subcommand fails instead of passing silently."""
    parser.print_help(sys.stderr)
    return 2


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
            return print_help_and_fail(parser)
        code = args.run(args) or 0
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        return code
    except BrokenPipeError:
        # The reader went away (`gradcraft ... | head -1`): not an error worth a traceback. Point
        # stdout at devnull so the flush at exit does not raise again, and exit 1 (output was cut
        # short), as in the Python docs' "Note on SIGPIPE".
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (AttributeError, OSError, ValueError):  # a stdout without a file descriptor
            pass
        return 1
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
