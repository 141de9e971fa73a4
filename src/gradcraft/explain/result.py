"""The result every explain topic returns: named steps with values, and how to render them.

An `Explanation` is plain data. It holds two views of one worked problem:

- `steps`: the derivation, in order, as a reader follows it (`result["loss"]` reads a step's
  value by its display name, e.g. `result["dL/ds"]`);
- `result`: the topic's named quantities under stable snake_case keys, for programs
  (`result.result["grad"]`, `.result.grad` in the JSON). Each topic documents its keys (the
  topic registry, `gradcraft.explain.TOPICS[name].results`, lists them).

The CLI renders it as text (`to_text(precision)`) or JSON (`to_dict()`). Nothing here prints.

A step's note may quote numbers: write them as `{}` placeholders in `note` and pass the numbers
in `args`, so the note is formatted with the same precision as the values.

`precision` applies to computed values only. The user's own inputs are shown as given (the
shortest text that reads back as the same float): mark an input step with `given=True`, and
wrap an input quoted in a note or summary in `Given(value)`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Number
from typing import Any

import numpy as np


@dataclass
class Step:
    """One named quantity: `value` is a number, an array, a string or a bool."""

    name: str
    value: Any
    note: str = ""
    args: tuple = ()
    given: bool = False  # the user's input: shown as given, whatever the precision

    def note_text(self, precision: int = 4) -> str:
        if not self.args:
            return self.note
        return self.note.format(*(format_value(a, precision) for a in self.args))


@dataclass
class Explanation:
    topic: str
    title: str
    steps: list[Step] = field(default_factory=list)
    summary: str = ""
    summary_args: tuple = ()
    #: the named quantities (key -> number, bool, str, tuple, NumPy array or None for undefined)
    result: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, value, note: str = "", *args, given: bool = False) -> Step:
        step = Step(name, value, note, tuple(args), given)
        self.steps.append(step)
        return step

    def record(self, **quantities) -> None:
        """Set named quantities of `result`. NumPy scalars become Python numbers (np.float64(2.0)
        -> 2.0), so `result` holds plain numbers, tuples, NumPy arrays and None."""
        self.result.update({key: _plain(value) for key, value in quantities.items()})

    # ------------------------------------------------------------- access by name
    def names(self) -> list[str]:
        return [s.name for s in self.steps]

    def step(self, name: str) -> Step:
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(f"{self.topic}: no step named {name!r}; steps are {self.names()}")

    def __getitem__(self, name: str):
        return self.step(name).value

    def __contains__(self, name: str) -> bool:
        return any(s.name == name for s in self.steps)

    # ------------------------------------------------------------- rendering
    def summary_text(self, precision: int = 4) -> str:
        if not self.summary_args:
            return self.summary
        return self.summary.format(*(format_value(a, precision) for a in self.summary_args))

    def to_dict(self, precision: int = 4) -> dict:
        """JSON-able: values at full precision (arrays -> nested lists, inf -> "inf", undefined
        -> null); notes and summary formatted with `precision` significant digits. Keys: topic,
        title, steps (name, value, note), summary, result (the named quantities)."""
        return {
            "topic": self.topic,
            "title": self.title,
            "steps": [{"name": s.name, "value": jsonable(s.value), "note": s.note_text(precision)}
                      for s in self.steps],
            "summary": self.summary_text(precision),
            "result": {key: jsonable(value) for key, value in self.result.items()},
        }

    def to_text(self, precision: int = 4) -> str:
        lines = [self.title, "=" * len(self.title)]
        width = max((len(s.name) for s in self.steps), default=0)
        for s in self.steps:
            value = format_value(Given(s.value) if s.given else s.value, precision)
            note = s.note_text(precision)
            head = f"{s.name.ljust(width)} : "
            if "\n" in value:  # matrices start on their own line, indented
                lines.append(head.rstrip())
                lines.extend("    " + row for row in value.splitlines())
                if note:
                    lines.append("    " + note)
            else:
                lines.append(head + value + (f"    ({note})" if note else ""))
        if self.summary:
            lines += ["", self.summary_text(precision)]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


@dataclass(frozen=True)
class Given:
    """A value the user typed: `format_value` shows it exactly, ignoring the precision."""

    value: Any


def format_given(x) -> str:
    """The shortest text that reads back as the same float (`repr`); integral values as
    integers (3, not 3.0), -0 as 0."""
    if isinstance(x, bool | np.bool_ | int | np.integer) or not isinstance(x, Number | np.number):
        return format_number(x)
    x = float(x)
    if math.isfinite(x) and x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return format_number(x) if not math.isfinite(x) else repr(x)


def format_number(x, precision: int = 4) -> str:
    """`precision` significant digits; integers print as integers, -0 as 0."""
    if isinstance(x, bool | np.bool_):
        return "yes" if x else "no"
    if isinstance(x, int | np.integer):
        return str(int(x))
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = format(x, f".{precision}g")
    return "0" if text in ("-0", "0") else text


def format_value(value, precision: int = 4) -> str:
    """Text of a step value: numbers with `precision` significant digits, `Given(...)` values
    exactly, None (an undefined entry) as "undefined"; vectors as [a, b], matrices as rows."""
    exact = isinstance(value, Given)
    if exact:
        value = value.value
    if value is None:
        return "undefined"
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_ | Number | np.number):
        return format_given(value) if exact else format_number(value, precision)
    array = np.asarray(value)
    if array.ndim == 0:
        item = array.item()
        return format_value(Given(item) if exact else item, precision)
    if array.dtype.kind in "US":  # arrays of strings (e.g. sign patterns)
        cells = array.astype(str)
    else:
        cells = np.vectorize(lambda v: format_value(Given(v) if exact else v, precision),
                             otypes=[object])(array)
    if array.ndim == 1:
        return "[" + ", ".join(cells) + "]"
    if array.ndim == 2:
        width = max((len(c) for c in cells.ravel()), default=0)
        return "\n".join("[" + "  ".join(c.rjust(width) for c in row) + "]" for row in cells)
    return np.array2string(array, precision=precision)


def _plain(value):
    """NumPy scalars as the Python scalars they hold; everything else unchanged."""
    return value.item() if isinstance(value, np.generic) else value


def jsonable(value):
    """Numbers, strings, lists; NumPy scalars and arrays converted; inf/nan as strings."""
    if isinstance(value, Given):
        value = value.value
    if isinstance(value, str | bool | type(None)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        return value if math.isfinite(value) else format_number(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [jsonable(v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
    raise TypeError(f"cannot convert {type(value).__name__} to JSON")
