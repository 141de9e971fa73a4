"""The README's `gradcraft explain` examples print exactly what the README shows."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def _examples() -> list[tuple[str, str]]:
    """(command, expected output) of every ``` block that starts with `$ gradcraft explain`."""
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"^```\n(\$ gradcraft explain [^\n]*)\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)
    return [(command[2:], output) for command, output in blocks]


def test_the_readme_has_the_two_explain_examples():
    assert [command.split()[2] for command, _ in _examples()] == ["hinge", "params"]


@pytest.mark.parametrize("command, expected", _examples(), ids=[c.split()[2] for c, _ in _examples()])
def test_readme_example_output_is_exact(cli, command, expected):
    result = cli(*shlex.split(command)[2:])   # drop "gradcraft explain"
    assert result.code == 0, result.err
    assert result.out == expected
