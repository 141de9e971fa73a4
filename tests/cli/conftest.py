"""A small run directory written once by `gradcraft train`, shared by the CLI tests."""

import pytest

from gradcraft.cli import main

SMALL_RUN = ["train", "--epochs", "2", "--hidden", "32", "--seed", "1", "--lr", "0.01"]


@pytest.fixture(scope="session")
def small_run(tmp_path_factory):
    """(run directory, stdout of the train command) of a 2-epoch MLP 64-32-10 on the digits."""
    import contextlib
    import io

    out_dir = tmp_path_factory.mktemp("runs") / "small"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main([*SMALL_RUN, "--out", str(out_dir)])
    assert code == 0
    return out_dir, stdout.getvalue()


@pytest.fixture
def error_line(capsys):
    """run(argv, expected_code=2) -> the single stderr line of a failed command, asserting the
    exit code, exactly one line, and no traceback."""
    def run(argv, expected_code=2):
        code = main([str(a) for a in argv])
        captured = capsys.readouterr()
        assert code == expected_code, captured.err
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
        return lines[0]
    return run
