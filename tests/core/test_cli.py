"""The `gradcraft` command's top level: --version, --help, and one-line usage errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import gradcraft
from gradcraft.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"gradcraft {gradcraft.__version__}"


def test_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: gradcraft") and "--version" in out


def test_no_arguments_prints_usage_on_stderr_and_exits_2(capsys):
    # a missing command is a usage error (issue #8): a script that forgot it must not pass
    assert main([]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("usage: gradcraft")
    assert "explain" in captured.err and "train" in captured.err  # the commands are listed


@pytest.mark.parametrize("argv", [["--no-such-flag"], ["no-such-command"]])
def test_bad_usage_is_one_line_on_stderr_and_exit_2(argv, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "Traceback" not in captured.err


def test_the_installed_command():
    script = Path(sys.executable).with_name("gradcraft")   # the console script of the venv
    command = [str(script)]
    if not script.exists():
        command = [sys.executable, "-c", "import sys; from gradcraft.cli import main; sys.exit(main())"]
    done = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == f"gradcraft {gradcraft.__version__}"
    bad = subprocess.run([*command, "--bogus"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1 and "--bogus" in bad.stderr
    bare = subprocess.run(command, capture_output=True, text=True, timeout=120)  # no command at all
    assert bare.returncode == 2 and bare.stdout == "" and bare.stderr.startswith("usage: gradcraft")
