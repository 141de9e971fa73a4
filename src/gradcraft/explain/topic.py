"""What a topic of `gradcraft explain` is, declared once: its function, a one-line summary, its
parameters (how the command line reads each one), and the keys of its `result`.

The registry (`registry.TOPICS`) holds one `Topic` per worked problem; the CLI
(`gradcraft.cli.explain`) builds its subcommands from it, so a topic added there appears on the
command line with nothing else to edit. Nothing here knows argparse: a `Parameter` says what
kind of value it is (a vector, a size, a flag, ...), the CLI decides how that kind is typed.

Defaults are not declared: they are read from the function's signature, so each is stated once,
where Python callers see it too.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable

#: kind -> what a value of that kind is (the CLI maps each kind to a parser)
KINDS = {
    "vector": "a list of numbers (1-D)",
    "matrix": "rows of numbers (2-D)",
    "array": "a list of numbers (1-D) or rows of numbers (2-D)",
    "size": "an int or an (H, W) pair of ints",
    "cell": "a (row, column) pair of indices",
    "number": "a real number",
    "int": "an integer",
    "flag": "a switch: the flag sets the parameter to the opposite of its default",
    "names": "a list of names",
    "spec": "a layer spec (see gradcraft.explain.layer_spec)",
}

#: the default of a parameter that has none (the function requires it)
REQUIRED = inspect.Parameter.empty


@dataclass(frozen=True)
class Parameter:
    """One argument of a topic function, as the command line reads it.

    name: the function's keyword. kind: one of `KINDS`. help: one line for `--help`.
    flag: the command-line option, "--" + name with "_" as "-" unless given (`--input` for
    `input_size`, `--no-bias` for the flag that turns `bias` off).
    low: for a number, the smallest value the command line accepts (inclusive), checked while
    parsing so the error names the flag; the function checks its own domain in any case.
    """

    name: str
    kind: str
    help: str
    flag: str = ""
    low: float | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"parameter {self.name!r}: kind must be one of {', '.join(KINDS)}, "
                             f"got {self.kind!r}")
        if self.low is not None and self.kind != "number":
            raise ValueError(f"parameter {self.name!r}: low applies to numbers only, not to a {self.kind}")
        if not self.flag:
            object.__setattr__(self, "flag", "--" + self.name.replace("_", "-"))


@dataclass(frozen=True, eq=False)
class Topic:
    """A worked problem: `function(**arguments)` returns an `Explanation` whose `result` has
    exactly the keys `results`.

    name: the CLI name (`receptive-field`); summary: one line for the topic list and `--help`;
    parameters: every argument the command line can set, in `--help` order (each required
    argument of the function must be among them). Calling the topic calls its function.
    """

    name: str
    function: Callable[..., Any]
    summary: str
    parameters: tuple[Parameter, ...]
    results: tuple[str, ...]

    def __post_init__(self):
        signature = inspect.signature(self.function)
        declared = [p.name for p in self.parameters]
        unknown = [name for name in declared if name not in signature.parameters]
        if unknown:
            raise ValueError(f"topic {self.name!r}: {unknown} are not arguments of "
                             f"{self.function.__name__}{signature}")
        missing = [name for name, p in signature.parameters.items()
                   if p.default is REQUIRED and name not in declared]
        if missing:
            raise ValueError(f"topic {self.name!r}: required arguments {missing} have no Parameter")
        for what, values in (("parameter names", declared), ("flags", [p.flag for p in self.parameters]),
                             ("result keys", list(self.results))):
            if len(set(values)) != len(values):
                raise ValueError(f"topic {self.name!r}: {what} must be unique, got {values}")
        for parameter in self.parameters:
            if parameter.kind == "flag" and not isinstance(self.default(parameter.name), bool):
                raise ValueError(f"topic {self.name!r}: flag {parameter.flag} needs a True/False "
                                 f"default, got {self.default(parameter.name)!r}")

    def default(self, name: str):
        """The function's default for argument `name`, or `REQUIRED` if it has none."""
        return inspect.signature(self.function).parameters[name].default

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)
