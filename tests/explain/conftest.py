"""Shared fixtures of the explain tests."""

from __future__ import annotations

import json

import pytest

from gradcraft.cli import main


class CliResult:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    def json(self) -> dict:
        return json.loads(self.out)

    def steps(self) -> dict:
        """name -> value of the JSON output."""
        return {s["name"]: s["value"] for s in self.json()["steps"]}


@pytest.fixture
def cli(capsys):
    """Run `gradcraft explain ...` in-process: cli("hinge", "--scores", ...) -> CliResult."""

    def run(*args: str) -> CliResult:
        code = main(["explain", *args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def assert_usage_error(result: CliResult, *fragments: str) -> None:
    """Exit code 2, nothing on stdout, one line on stderr containing every fragment."""
    assert result.code == 2
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def usage_error():
    return assert_usage_error
