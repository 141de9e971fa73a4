"""`gradcraft explain`: every topic from the command line (text and --json), the number formats,
--precision, and bad input (exit code 2, one line on stderr, no traceback)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gradcraft.explain import TOPICS


def _gradcraft_command() -> list[str]:
    """The installed `gradcraft` script next to this interpreter (else the same `main` via -c)."""
    script = shutil.which("gradcraft", path=str(Path(sys.executable).parent))
    if script:
        return [script]
    return [sys.executable, "-c", "import sys; from gradcraft.cli import main; sys.exit(main())"]


def test_subprocess_hinge_with_negative_numbers():
    # end to end in a fresh process: `--scores 3 -1 4` must read -1 as a number
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    done = subprocess.run([*_gradcraft_command(), "explain", "hinge", "--scores", "3", "-1",
                           "4", "--label", "0", "--classes", "cat,dog,bird"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "loss          : 2    (sum of the terms)" in done.stdout
    assert "dL/ds         : [-1, 0, 1]" in done.stdout
    assert "term 2 (bird) : 2    (s_2 - s_0 + margin = 4 - 3 + 1 = 2 > 0, so dL/ds_2 = +1)" in done.stdout


def test_subprocess_bad_input_is_one_line_exit_2():
    done = subprocess.run([*_gradcraft_command(), "explain", "kl", "--p", "1", "2",
                           "--q", "1", "2", "3"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: explain kl: p and q must have the same length, got 2 and 3"
    assert done.stdout == ""


@pytest.mark.parametrize("scores", [["3", "-1", "4"], ["3,-1,4"], ["3,", "-1,4"], ["=-1e0,3,4"]])
def test_vector_formats(cli, scores):
    args = ["hinge", "--label", "0", "--json"]
    if scores[0].startswith("="):
        args.append("--scores" + scores[0])  # --scores=-1e0,3,4
        expected = [-1.0, 3.0, 4.0]
    else:
        args += ["--scores", *scores]
        expected = [3.0, -1.0, 4.0]
    result = cli(*args)
    assert result.code == 0, result.err
    assert result.steps()["scores"] == expected


def test_comma_string_starting_with_a_negative_number(cli):
    result = cli("softmax", "--scores", "-1,2,3", "--label", "2", "--json")
    assert result.code == 0, result.err
    assert result.steps()["scores"] == [-1.0, 2.0, 3.0]


@pytest.mark.parametrize("token, expected", [("-1e-3", [-0.001, 2.0]), ("-.5", [-0.5, 2.0]),
                                              ("-1,-2", [-1.0, -2.0, 2.0])])
def test_values_starting_with_a_minus_are_numbers_not_options(cli, token, expected):
    # argparse alone reads "-1e-3" and "-1,-2" as unknown options; the topic parsers widen its
    # private negative-number pattern (if a Python release renames it, this test fails)
    result = cli("prox", "--x", token, "2", "--t", "0", "--json")
    assert result.code == 0, result.err
    assert result.json()["result"]["prox"] == expected  # t = 0 leaves x unchanged


def test_precision_option(cli):
    # softmax loss of [3, -1, 4], label 0: 1.3181754...
    assert "loss    : 1.3    (" in cli("softmax", "--scores", "3", "-1", "4", "--label", "0", "--precision", "2").out
    assert "loss    : 1.318175    (" in cli("softmax", "--scores", "3", "-1", "4", "--label", "0",
                                           "--precision", "7").out
    assert "loss    : 1.318    (" in cli("softmax", "--scores", "3", "-1", "4", "--label", "0").out


def test_json_output_is_machine_readable(cli):
    result = cli("compare", "--scores", "3", "-1", "4", "--label", "0", "--json")
    data = result.json()
    assert data["topic"] == "compare" and data["title"]
    steps = result.steps()
    assert steps["hinge loss"] == 2.0 and steps["larger loss"] == "hinge"
    assert steps["softmax loss"] == pytest.approx(1.3181754, abs=1e-7)
    assert "hinge larger" in data["summary"]


# every topic from the CLI: (arguments, a step name, its expected JSON value)
TOPIC_CASES = [
    (["hinge", "--scores", "3", "-1", "4", "--label", "0", "--margin", "2"], "loss", 3.0),
    (["softmax", "--scores", "0", "0", "--label", "1"], "p", [0.5, 0.5]),  # equal scores: 1/2 each
    (["linear", "--W", "1,2; 3,4", "--b", "0", "1", "--x", "1", "-1", "--label", "1"],
     "scores", [-1.0, 0.0]),  # [1 - 2 + 0, 3 - 4 + 1]
    (["sigmoid", "--x", "0"], "S'(x)", [0.25]),
    (["kl", "--p", "1", "1", "--q", "1", "1"], "KL(p||q)", 0.0),
    (["conv", "--input", "5x5", "--kernel", "3"], "OH", 3),
    (["conv", "--x", "1,2;3,4", "--w", "1,1;1,1"], "output", [[10.0]]),
    (["params", "--spec", "conv:2x2x3->2,fc:8->10", "--no-bias"], "total", 104),
    (["params", "--spec", "conv:2x2x3->2,fc:8->10"], "total", 116),  # + 2 + 10 biases
    (["receptive-field", "--spec", "conv:3x3/s3,conv:2x2", "--cell", "1,1"], "input rows", [3, 4, 5, 6, 7, 8]),
    (["distance", "--x", "1", "0", "--y", "0", "1"], "D_C", 0.0),
    (["batchnorm", "--x", "1", "3"], "mean", 2.0),
    (["batchnorm", "--x", "1,2; 3,6"], "mean", [2.0, 4.0]),
    (["gradient-signs", "--W1", "1,0;0,1", "--W2", "3,0;0,3", "--x", "1", "0", "--label", "0"],
     "hinge sign(dL/dW1)", [["0", "0"], ["0", "0"]]),
    (["prox", "--x", "3", "-0.5", "--t", "1"], "prox_t(x)", [2.0, 0.0]),
]


@pytest.mark.parametrize("args, name, expected", TOPIC_CASES, ids=[" ".join(c[0][:1]) for c in TOPIC_CASES])
def test_every_topic_text_and_json(cli, args, name, expected):
    text = cli(*args)
    assert text.code == 0, text.err
    assert text.err == "" and text.out.strip()
    assert name in text.out
    result = cli(*args, "--json")
    assert result.code == 0, result.err
    assert tuple(result.json()["result"]) == TOPICS[args[0]].results  # values: test_results.py
    value = result.steps()[name]
    if isinstance(expected, float) or (isinstance(expected, list) and isinstance(expected[0], float)):
        np.testing.assert_allclose(value, expected, atol=1e-12)
    else:
        assert value == expected


def test_sigmoid_default_points(cli):
    result = cli("sigmoid", "--json")
    assert result.steps()["x"] == [-100.0, -10.0, 0.0, 10.0, 100.0]


def test_explain_without_topic_prints_help_on_stderr_and_exits_2(cli):
    # like `gradcraft` without a command: the help (it lists the topics) on stderr, exit 2
    result = cli()
    assert result.code == 2 and result.out == ""
    assert "receptive-field" in result.err and "gradient-signs" in result.err


BAD_INPUTS = [
    (["distance", "--x", "1", "2", "--y", "1", "2", "3"], ["x and y must have the same length, got 2 and 3"]),
    (["kl", "--p", "1", "-2", "--q", "1", "2"], ["p must be non-negative"]),
    (["hinge", "--scores", "1", "2", "--label", "2"], ["label must be in [0, 2)"]),
    (["hinge", "--scores", "1", "x", "--label", "0"], ["--scores", "not a number: 'x'"]),
    (["hinge", "--label", "0"], ["required", "--scores"]),
    (["hinge", "--scores", "1", "2", "--label", "0.5"], ["--label", "not an integer"]),
    (["params", "--spec", "conv:2x2x3-2"], ["layer 1 'conv:2x2x3-2' is malformed"]),
    (["params", "--spec", "conv:2x2x3->2,conv:3x3x4->1"], ["expects 4 input channels"]),
    (["receptive-field", "--spec", "conv:3x3", "--input", "2x2"], ["smaller than its kernel"]),
    (["conv", "--input", "3x", "--kernel", "2"], ["--input", "expected a size"]),
    (["conv", "--input", "2", "--kernel", "3"], ["smaller than the dilated kernel"]),
    (["linear", "--W", "1,2;3", "--b", "0", "0", "--x", "1", "1", "--label", "0"],
     ["--W: rows must have the same length"]),
    (["gradient-signs", "--W1", "1,2", "--W2", "1;1", "--x", "1", "--label", "0"],
     ["x must have one entry per column of W1 (2)"]),
    (["prox", "--x", "1", "--t", "-1"], ["t must be >= 0"]),
    (["sigmoid", "--precision", "0"], ["--precision must be between 1 and 17"]),
    (["batchnorm", "--x", "1", "2", "--eps", "0"], ["eps must be > 0"]),
    (["nonsense"], ["invalid choice: 'nonsense'"]),
    # a doubled comma is a typo (a missing number), never silently skipped
    (["hinge", "--scores", "3,,4", "--label", "0"], ["--scores", "empty entry (two commas in a row) in '3,,4'"]),
    (["linear", "--W", "1,,2; 3,4", "--b", "0", "0", "--x", "1", "1", "--label", "0"],
     ["--W: empty entry (two commas in a row) in '1,,2'"]),
    # (1e200)^2 overflows float64: one line, not inf/NaN steps behind RuntimeWarnings
    (["batchnorm", "--x", "1e200", "-1e200"], ["explain batchnorm: the numbers are too large for float64 (overflow"]),
]


@pytest.mark.parametrize("args, fragments", BAD_INPUTS, ids=[" ".join(a[:2]) for a, _ in BAD_INPUTS])
def test_bad_input(cli, usage_error, args, fragments):
    usage_error(cli(*args), *fragments)
