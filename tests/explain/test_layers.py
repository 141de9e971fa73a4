"""conv, params and receptive-field topics: the exam's and homework's numbers by hand, output
values against torch.nn.functional.conv2d, receptive fields against PyTorch's own gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gradcraft import explain


def test_conv_size_homework_seed():
    # homework 003: a 5x5 input and a 3x3 kernel give (5 - 3 + 1) x (5 - 3 + 1) = 3x3
    r = explain.conv((5, 5), 3)
    assert (r["OH"], r["OW"]) == (3, 3)
    assert r["parameters"] == 3 * 3 + 1


def test_conv_size_with_stride_padding_dilation_by_hand():
    # H = 7, k = 3, s = 2, p = 1, d = 2: floor((7 + 2 - 2*2 - 1) / 2) + 1 = floor(4/2) + 1 = 3
    #   rows read: o*2 - 1 + {0, 2, 4} for o = 0, 1, 2 -> {-1, 1, 3}, {1, 3, 5}, {3, 5, 7}: the input
    #   rows 0..6 that are read are 1, 3, 5 (dilation holes), so 0, 2, 4 and 6 are never read
    # W = 10, k = 2, s = 3, p = 0, d = 1: floor((10 - 1 - 1) / 3) + 1 = floor(8/3) + 1 = 3
    #   columns read: {0, 1}, {3, 4}, {6, 7} -> 2, 5, 8 and 9 are never read
    r = explain.conv((7, 10), (3, 2), stride=(2, 3), padding=(1, 0), dilation=(2, 1),
                     in_channels=3, out_channels=8)
    assert (r["OH"], r["OW"]) == (3, 3)
    assert r.step("OH").note_text().endswith("input rows 0, 2, 4 and 6 are never read")
    assert r.step("OW").note_text().endswith("input columns 2, 5, 8 and 9 are never read")
    assert r["parameters"] == 3 * 2 * 3 * 8 + 8  # 152
    assert r["output shape"] == "8x3x3"


def test_conv_exam_model_one_feature_map():
    # exam 1.4: a 4x4x3 input through conv 2x2x3->2 must give 8 = 2x2x2 features for fc:8->10,
    # so the stride is 2: floor((4 - 2) / 2) + 1 = 2
    r = explain.conv(4, 2, stride=2, in_channels=3, out_channels=2)
    assert r["output shape"] == "2x2x2"
    assert r["parameters"] == 2 * 2 * 3 * 2 + 2


@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 1), (2, 1, 1), (1, 2, 2), ((2, 1), (0, 1), 1)])
def test_conv_values_match_torch(stride, padding, dilation):
    rng = np.random.default_rng(7)
    x, k = rng.integers(-3, 4, (6, 5)).astype(float), rng.integers(-2, 3, (3, 2)).astype(float)
    r = explain.conv(x=x.tolist(), kernel=k.tolist(), stride=stride, padding=padding, dilation=dilation, bias=0.5)
    expected = F.conv2d(torch.tensor(x)[None, None], torch.tensor(k)[None, None], torch.tensor([0.5], dtype=torch.float64),
                        stride=stride, padding=padding, dilation=dilation)[0, 0].numpy()
    np.testing.assert_allclose(r["output"], expected, atol=1e-12)
    assert r["out[0, 0]"] == expected[0, 0]


def test_conv_first_cell_arithmetic_by_hand():
    # [[1,2],[0,1]] * [[2,0],[1,-1]] = 1*2 + 2*0 + 0*1 + 1*(-1) = 1, plus bias 1 -> 2
    r = explain.conv(x=[[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]], kernel=[[2, 0], [1, -1]],
                     stride=2, bias=1)
    assert r["out[0, 0]"] == 2.0
    assert r.step("out[0, 0]").note == "1*2 + 2*0 + 0*1 + 1*(-1) + 1"
    # stride 2, the other windows: (0,1) [[3,0],[2,3]] -> 3*2 + 0*0 + 2*1 + 3*(-1) + 1 = 6;
    # (1,0) [[3,0],[2,3]] -> 6 as well; (1,1) [[1,2],[0,1]] -> 2 like (0,0)
    np.testing.assert_array_equal(r["output"], [[2, 6], [6, 2]])


@pytest.mark.parametrize("kwargs, message", [
    (dict(input_size=2, kernel_size=3), "smaller than the dilated kernel"),
    (dict(input_size=5), "needs input_size (or x) and kernel_size"),
    (dict(input_size=5, kernel_size=3, stride=0), "stride must be a positive int, got 0"),
    (dict(x=[[1.0, 2.0]]), "give both x and kernel"),
    (dict(input_size=(3, 3), x=[[1.0, 2.0]], kernel=[[1.0]]), "does not match the shape of x"),
])
def test_conv_bad_input(kwargs, message):
    with pytest.raises(ValueError) as error:
        explain.conv(**kwargs)
    assert message in str(error.value)


def test_params_exam_seed():
    # exam 1.4: model 1 = 2*2*3*2 + 2*2*2*10 = 24 + 80 = 104 weights; model 2 = 4*4*3*10 = 480
    r = explain.params("conv:2x2x3->2,fc:8->10", bias=False)
    assert r["total"] == 104
    assert r["layer 1 conv:2x2x3->2"] == 24 and r["layer 2 fc:8->10"] == 80
    assert explain.params("fc:48->10", bias=False)["total"] == 480


def test_params_match_torch_modules():
    r = explain.params("conv:3x3x1->8/p1, bn:8, relu, pool:2x2, conv:3x3x8->16, fc:400->10")
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.BatchNorm2d(8), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3), torch.nn.Flatten(), torch.nn.Linear(400, 10))
    expected = [sum(p.numel() for p in m.parameters()) for m in model if not isinstance(m, torch.nn.Flatten)]
    assert [s.value for s in r.steps[:-1]] == expected
    assert r["total"] == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("spec, message", [
    ("conv:2x2x3-2", "malformed"),
    ("conv:3x3", "needs its channels"),
    ("conv:2x2x3->2,conv:3x3x4->1", "expects 4 input channels but layer 1 gives 2"),
    ("conv:2x2x3->2,fc:9->10", "must be a multiple of 2"),
    ("fc:3->4,bn:5", "expects 5 input features but layer 1 gives 4"),
    ("fc:8->10,,fc:10->2", "layer 2 is empty"),
    ("bn:0", "size of 0"),
    ("dense:3->4", "malformed"),
    ("", "non-empty"),
    # a space where the comma should be: not one glued layer 'conv:2x2x3->2fc:8->10'
    ("conv:2x2x3->2 fc:8->10", "layer 1 'conv:2x2x3->2 fc:8->10' holds more than one layer; "
                               "separate layers with commas"),
])
def test_params_malformed_spec(spec, message):
    with pytest.raises(ValueError) as error:
        explain.params(spec)
    assert message in str(error.value)


def _torch_receptive_field(layers, input_size, cell):
    """Input cells whose gradient is nonzero for one output cell: conv layers with all-one
    weights and average pools on a positive input, so nothing cancels."""
    x = torch.ones((1, 1, *input_size), dtype=torch.float64, requires_grad=True)
    out = x
    for kind, kernel, stride, padding, dilation in layers:
        if kind == "conv":
            out = F.conv2d(out, torch.ones((1, 1, *kernel), dtype=torch.float64), stride=stride,
                           padding=padding, dilation=dilation)
        else:
            out = F.avg_pool2d(out, kernel, stride, padding)
    out[0, 0, cell[0], cell[1]].backward()
    return x.grad[0, 0].numpy() != 0


def test_receptive_field_exam_seed():
    # exam 2.4: conv1 3x3 with stride 3, conv2 2x2 with stride 1: rf = 1 + 2*1 = 3, then
    # 3 + (2 - 1)*3 = 6; the jump is 3, so output cell (1, 1) covers input rows/cols 3..8
    r = explain.receptive_field("conv:3x3/s3,conv:2x2", cell=(1, 1), input_size=(9, 9))
    np.testing.assert_array_equal(r["receptive field"], [6, 6])
    assert r["input rows"] == [3, 4, 5, 6, 7, 8] and r["input columns"] == [3, 4, 5, 6, 7, 8]
    assert r["after conv:3x3/s3"] == "3x3" and r["cells covered"] == 36
    mask = _torch_receptive_field([("conv", (3, 3), 3, 0, 1), ("conv", (2, 2), 1, 0, 1)], (9, 9), (1, 1))
    expected_map = "\n".join("".join("#" if m else "." for m in row) for row in mask)
    assert r["coverage map"] == expected_map


@pytest.mark.parametrize("spec, layers, input_size, cell", [
    ("conv:3x3/p1,pool:2x2,conv:3x3", [("conv", (3, 3), 1, 1, 1), ("pool", (2, 2), 2, 0, 1),
                                       ("conv", (3, 3), 1, 0, 1)], (12, 12), (2, 1)),
    ("conv:3x2/s2/d2,conv:2x3/s1x2", [("conv", (3, 2), 2, 0, 2), ("conv", (2, 3), (1, 2), 0, 1)],
     (15, 16), (1, 0)),
    ("conv:5x5/p2,pool:3x3/s2/p1", [("conv", (5, 5), 1, 2, 1), ("pool", (3, 3), 2, 1, 1)], (8, 8), (0, 0)),
])
def test_receptive_field_matches_torch_gradients(spec, layers, input_size, cell):
    r = explain.receptive_field(spec, cell=cell, input_size=input_size)
    mask = _torch_receptive_field(layers, input_size, cell)
    expected_map = "\n".join("".join("#" if m else "." for m in row) for row in mask)
    assert r["coverage map"] == expected_map


def test_receptive_field_with_padding_reports_cells_outside():
    # conv 3x3 padding 1: output (0, 0) reads rows -1..1 and columns -1..1; 9 - 4 = 5 are padding
    r = explain.receptive_field("conv:3x3/p1", cell=(0, 0), input_size=(4, 4))
    assert r["input rows"] == [-1, 0, 1] and r["padding cells"] == 5


@pytest.mark.parametrize("kwargs, message", [
    (dict(spec="fc:3->4"), "fully connected layer sees the whole input"),
    (dict(spec="relu"), "has no conv or pool layer"),
    (dict(spec="conv:3x3", input_size=(2, 2)), "smaller than its kernel"),
    (dict(spec="conv:3x3", input_size=(5, 5), cell=(3, 0)), "outside the 3x3 output"),
    (dict(spec="pool:2x2/d2"), "pooling has no dilation"),
    (dict(spec="conv:3x3/s0"), "stride and dilation of at least 1"),
    (dict(spec="conv:3x3/s3/s2"), "each option once; the stride is given twice"),  # not "last wins"
])
def test_receptive_field_bad_input(kwargs, message):
    with pytest.raises(ValueError) as error:
        explain.receptive_field(**kwargs)
    assert message in str(error.value)
