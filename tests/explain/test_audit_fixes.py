"""Regression tests for the defects a hand audit of `gradcraft explain` found. Expected values
come from hand arithmetic (written next to them) or torch."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gradcraft import explain


# ------------------------------------------------------------------ 1. receptive field, later padding
def _torch_field(layers, size, cell):
    """Input rows and columns (padding of the first layer included, as negative / >= size
    indices) whose value reaches output `cell`: gradient of out[cell] wrt an input pre-padded by
    the first layer's padding, through all-ones convs and average pools (so nothing cancels)."""
    first_pad = layers[0][3]
    x = torch.ones(1, 1, size + 2 * first_pad, size + 2 * first_pad, dtype=torch.float64,
                   requires_grad=True)
    h = x
    for index, (kind, k, s, p, d) in enumerate(layers):
        pad = 0 if index == 0 else p  # the first padding is already explicit in x
        if kind == "conv":
            h = F.conv2d(h, torch.ones(1, 1, k, k, dtype=torch.float64), stride=s, padding=pad, dilation=d)
        else:
            h = F.avg_pool2d(h, k, stride=s, padding=pad)
    h[0, 0, cell[0], cell[1]].backward()
    reached = x.grad[0, 0] != 0
    rows = (torch.nonzero(reached.any(dim=1)).flatten() - first_pad).tolist()
    cols = (torch.nonzero(reached.any(dim=0)).flatten() - first_pad).tolist()
    return rows, cols, int(reached.sum())


def test_receptive_field_drops_later_padding_like_torch():
    # conv2 (p1) reads pool-output rows {-1, 0, 1}; -1 is its zero padding. The pool reads conv1
    # rows {0..3}; conv1 (p1) reads input rows {-1..4}: 6 rows, 6x6 = 36 cells, of which the 11
    # in row -1 or column -1 are padding (6 + 6 - 1).
    r = explain.receptive_field("conv:3x3/p1,pool:2x2,conv:3x3/p1", input_size=(8, 8))
    assert r["input rows"] == [-1, 0, 1, 2, 3, 4]
    assert r["input columns"] == [-1, 0, 1, 2, 3, 4]
    assert r["cells covered"] == 36
    assert r["padding cells"] == 11
    assert "sees a 6x6 window" in r.summary_text()
    rows, cols, _ = _torch_field([("conv", 3, 1, 1, 1), ("pool", 2, 2, 0, 1), ("conv", 3, 1, 1, 1)], 8, (0, 0))
    assert (rows, cols) == (r["input rows"], r["input columns"])


@pytest.mark.parametrize("spec, layers, cell", [
    # bottom-right corner: a later layer's padding beyond the end of its input is dropped too
    ("conv:3x3/p1,pool:2x2,conv:3x3/p1", [("conv", 3, 1, 1, 1), ("pool", 2, 2, 0, 1), ("conv", 3, 1, 1, 1)], (3, 3)),
    ("conv:3x3/p1/d2,conv:3x3/s2/p2,conv:3x3/p1",
     [("conv", 3, 1, 1, 2), ("conv", 3, 2, 2, 1), ("conv", 3, 1, 1, 1)], (0, 2)),
])
def test_receptive_field_cells_match_torch(spec, layers, cell):
    r = explain.receptive_field(spec, cell=cell, input_size=(9, 9))
    rows, cols, count = _torch_field(layers, 9, cell)
    assert r["input rows"] == rows and r["input columns"] == cols
    assert r["cells covered"] == count


# ------------------------------------------------------------------ 2. conv: unread rows
@pytest.mark.parametrize("size, kernel, stride, padding, dilation, ending", [
    # O = floor((6 + 2 - 3)/2) + 1 = 3; rows read {-1,0,1}, {1,2,3}, {3,4,5}: all of 0..5
    (6, 3, 2, 1, 1, "every input row is read"),
    # O = floor((7 + 2 - 5)/3) + 1 = 2; rows read {-1,1,3}, {2,4,6}: 0 and 5 unread
    (7, 3, 3, 1, 2, "input rows 0 and 5 are never read"),
    # O = floor((7 - 2)/3) + 1 = 2; rows read {0,1}, {3,4}: 2, 5, 6 unread
    (7, 2, 3, 0, 1, "input rows 2, 5 and 6 are never read"),
    # O = floor((8 - 3)/2) + 1 = 3; rows read {0,1,2}, {2,3,4}, {4,5,6}: only the last, 7
    (8, 3, 2, 0, 1, "input row 7 is never read"),
])
def test_conv_lists_the_rows_never_read(size, kernel, stride, padding, dilation, ending):
    r = explain.conv(size, kernel, stride, padding, dilation)
    assert r.step("OH").note_text().endswith(ending)
    assert r.step("OW").note_text().endswith(ending.replace("row", "column"))


# ------------------------------------------------------------------ 3. KL with zeros
def test_kl_zeros_in_both_at_the_same_place_are_finite():
    # 0 log 0 = 0: both directions are .5 ln 1 + .5 ln 1 + 0 = 0
    r = explain.kl([0.5, 0.5, 0], [0.5, 0.5, 0])
    assert r["KL(p||q)"] == 0 and r["KL(q||p)"] == 0
    # dKL(p||q)/dq = -p/q = -1, -1, and 0 where p = 0; dKL(q||p)/dq = log(q/p) + 1 = 1, 1, and
    # undefined at q = 0
    np.testing.assert_allclose(np.array(r["dKL(p||q)/dq"], dtype=float), [-1, -1, 0])
    assert list(r["dKL(q||p)/dq"]) == [1.0, 1.0, None]


def test_kl_one_direction_infinite():
    p, q = [0.5, 0.5, 0], [0.4, 0.4, 0.2]
    r = explain.kl(p, q)
    # KL(p||q) = .5 ln(.5/.4) * 2 + 0 = ln 1.25 = 0.22314
    assert r["KL(p||q)"] == pytest.approx(math.log(1.25), rel=1e-12)
    pt, qt = torch.tensor(p, dtype=torch.float64), torch.tensor(q, dtype=torch.float64)
    assert r["KL(p||q)"] == pytest.approx(F.kl_div(qt.log(), pt, reduction="sum").item(), rel=1e-12)
    # KL(q||p): q_2 = 0.2 > 0 where p_2 = 0 -> inf (torch agrees: 0.2 (log 0.2 - log 0))
    assert r["KL(q||p)"] == math.inf == F.kl_div(pt.log(), qt, reduction="sum").item()
    # dKL(p||q)/dq = -p/q = -1.25, -1.25, 0
    np.testing.assert_allclose(np.array(r["dKL(p||q)/dq"], dtype=float), [-1.25, -1.25, 0])
    assert list(r["dKL(q||p)/dq"]) == [None, None, None]
    assert "q_d = 0 where p_d > 0" not in r.step("KL(p||q)").note
    assert "p_d = 0 where q_d > 0 (d = 2)" in r.step("KL(q||p)").note
    text = r.to_text()
    assert "KL(q||p)     : inf" in text and "undefined" in text
    assert r.to_dict()["steps"][4]["value"] == "inf"


def test_kl_cli_accepts_zeros(cli):
    result = cli("kl", "--p", "0.5", "0.5", "0", "--q", "0.4", "0.4", "0.2", "--json")
    assert result.code == 0
    steps = result.steps()
    assert steps["KL(p||q)"] == pytest.approx(0.2231435513142097, rel=1e-12)
    assert steps["KL(q||p)"] == "inf"
    assert steps["dKL(q||p)/dq"] == [None, None, None]


def test_kl_total_of_huge_counts_prints_short():
    r = explain.kl([1e300, 1e300], [1, 2])
    assert r.step("p").note == "normalised: counts / 2e+300"
    assert r.step("q").note == "normalised: counts / 3"


# ------------------------------------------------------------------ 4. broken pipe
def test_broken_pipe_exits_quietly():
    # 20000 numbers per vector print well over a pipe buffer (64 KiB), so the writer is still
    # writing when the reader closes after one line.
    numbers = [str(i % 7 + 1) for i in range(20000)]
    command = [sys.executable, "-c", "import sys; from gradcraft.cli import main; sys.exit(main())",
               "explain", "distance", "--x", *numbers, "--y", *numbers[::-1]]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline().startswith(b"Euclidean distance")
    process.stdout.close()
    error = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=60) == 1
    assert error == ""


# ------------------------------------------------------------------ 5. wording
def test_compare_underflowing_softmax_is_not_equal(cli):
    # softmax loss = log(1 + e^-1000) ~ e^-1000 > 0, which float64 rounds to 0; hinge = max(0, -999) = 0
    r = explain.compare([1000, 0], 0)
    assert r["larger loss"] == "softmax" and r["larger gradient"] == "softmax"
    assert "e^-1000" in r.step("larger loss").note_text()
    assert "equal" not in r.summary_text()
    assert "positive but below float64 precision" in r.summary_text()


def test_compare_reason_for_a_small_margin():
    # gaps -4, 1: hinge = max(0, -4 + .3) + max(0, 1 + .3) = 1.3;
    # softmax = ln(1 + e^-4 + e^1) = ln(3.736600) = 1.318200 > 1.3
    r = explain.compare([3, -1, 4], 0, margin=0.3)
    assert r["hinge loss"] == pytest.approx(1.3, rel=1e-12)
    assert r["softmax loss"] == pytest.approx(math.log(1 + math.e ** -4 + math.e), rel=1e-12)
    assert r["larger loss"] == "softmax"
    why = r.step("larger loss").note_text()
    assert "the margin 0.3 is small" in why and "hinge is 0" not in why
    assert "exceeds the largest gap (1) by 0.3182" in why  # 1.318200 - 1


@pytest.mark.parametrize("topic", ["hinge", "softmax", "compare"])
def test_negative_margin_is_refused(cli, usage_error, topic):
    usage_error(cli(topic, "--scores", "3", "-1", "4", "--label", "0", "--margin", "-1"),
                "--margin", ">= 0", "-1")
    with pytest.raises(ValueError, match="margin must be >= 0"):
        getattr(explain, topic)([3, -1, 4], 0, margin=-1)


def test_softmax_summary_gives_the_sign_of_the_gradient():
    # p_0 = e^3 / (e^3 + e^-1 + e^4) = 0.267623; dL/ds_0 = p_0 - 1 = -0.732377 < 0
    r = explain.softmax([3, -1, 4], 0)
    text = r.summary_text()
    assert "a gradient-descent step raises s_0 (dL/ds_0 = p_0 - 1 = -0.7324 < 0)" in text
    assert "raises s_0 by" not in text


def test_batchnorm_says_why_the_gradient_vanishes():
    # x = 1, 2, 3, 4 and g = 1, 2, 3, 4: g = mean(g) + x_hat * const (up to eps), so
    # dL/dx = gamma/sigma (g - mean g - x_hat mean(g x_hat)) ~ 0
    r = explain.batchnorm([1, 2, 3, 4])
    assert np.abs(r["dL/dx"]).max() < 1e-4
    assert "about 0 here" in r.step("dL/dx").note
    # a batch that is not evenly spaced: x = 1, 5, 2, 3 -> dL/dx is far from 0, no such note
    r = explain.batchnorm([1, 5, 2, 3])
    assert np.abs(r["dL/dx"]).max() > 0.1
    assert "about 0" not in r.step("dL/dx").note
    # N = 2: x_hat = -1, +1 for any x
    assert "N = 2" in explain.batchnorm([3, 7]).step("dL/dx").note


def test_gradient_signs_with_every_relu_dead():
    # W1 x = (-1, -1): both hidden units inactive, scores (0, 0), hinge 1 > 0, softmax ln 2 > 0
    r = explain.gradient_signs([[-1, 0], [0, -1]], [[1, 2], [3, 4]], [1, 1], 0)
    assert "all ReLUs are inactive (dead)" in r.summary
    assert "active hidden units" not in r.summary


def test_distance_unit_and_identity_agree():
    # |x| = sqrt(.36 + .64000016) = 1.00000008: not unit within 1e-9, so the identity is checked
    # on x/|x|, where it holds
    r = explain.distance([0.6, 0.8000001], [1, 0])
    assert r["unit vectors"] is False
    assert r["identity holds"] is True


# ------------------------------------------------------------------ 6. formatting and usability
def test_precision_does_not_round_the_inputs(cli):
    out = cli("hinge", "--scores", "123.456", "-1", "--label", "0", "--precision", "2").out
    assert "scores  : [123.456, -1]" in out
    # computed values keep the precision: -1 - 123.456 + 1 = -123.456 -> -1.2e+02
    assert "= (-1) - 123.456 + 1 = -1.2e+02 <= 0" in out


def test_bad_cell_names_the_cell(cli, usage_error):
    usage_error(cli("receptive-field", "--spec", "conv:3x3", "--cell", "-1,0"),
                "--cell", "must be ROW,COL with 0 <= ROW < H", "'-1,0'")


def test_batchnorm_one_sample_of_two_features(cli):
    # "1 2;" is one sample with two features: mean = x, variance 0, x_hat = y = 0
    steps = cli("batchnorm", "--x", "1 2;", "--json").steps()
    assert steps["x"] == [[1.0, 2.0]]
    assert steps["mean"] == [1.0, 2.0]
    assert steps["y"] == [[0.0, 0.0]]
    assert steps["unbiased variance"] == "undefined"
    # without ';' the numbers are still samples of one feature
    assert cli("batchnorm", "--x", "1", "2", "--json").steps()["mean"] == 1.5
