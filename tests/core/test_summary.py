"""`gradcraft.summary`: counts by hand, per-layer output shapes against torch's forward hooks,
receptive fields by the recurrence worked out by hand, any Module (residual blocks, ModuleList)."""

import json

import numpy as np
import pytest
import torch
import torch.nn as tnn

import gradcraft as gc
from gradcraft import nn
from gradcraft.models import lenet5, resnet_small, vgg_small
from gradcraft.summary import summary


def _torch_leaf_shapes(model, shape):
    shapes = []
    hooks = [m.register_forward_hook(lambda m, i, o: shapes.append(list(o.shape)))
             for m in model.modules() if not list(m.children())]
    model.eval()
    model(torch.zeros(2, *shape))
    for h in hooks:
        h.remove()
    return shapes


@pytest.mark.parametrize("bn", [False, True])
def test_vgg_small_params_by_hand_and_by_torch(bn, torch_vgg_small):
    result = summary(vgg_small((3, 32, 32), bn=bn), (3, 32, 32))
    # convs: (C_in*9 + 1) * C_out; linears: in*out + out; BatchNorm: weight and bias per channel
    by_hand = ((3 * 9 + 1) * 32 + (32 * 9 + 1) * 32 + (32 * 9 + 1) * 64 + (64 * 9 + 1) * 64
               + (64 * 8 * 8 + 1) * 256 + (256 + 1) * 10 + (2 * (32 + 32 + 64 + 64) if bn else 0))
    torch_count = sum(p.numel() for p in torch_vgg_small(3, 32, bn).parameters())
    assert result.total_params == result.trainable_params == by_hand == torch_count
    assert sum(row.params for row in result.rows) == by_hand
    assert f"Total params: {by_hand:,}" in str(result)


@pytest.mark.parametrize("shape", [(1, 8, 8), (1, 28, 28), (3, 32, 32)])
@pytest.mark.parametrize("build", ["vgg", "vgg-bn", "lenet5"])
def test_layer_output_shapes_match_torch_hooks(build, shape, torch_vgg_small):
    if build == "lenet5":
        ours = lenet5(shape)
        pad1 = 2 if shape[1] < 32 else 0
        h = (shape[1] + 2 * pad1 - 4) // 2
        pad2 = 2 if h < 10 else 0
        h = (h + 2 * pad2 - 4) // 2
        theirs = tnn.Sequential(tnn.Conv2d(shape[0], 6, 5, padding=pad1), tnn.ReLU(), tnn.MaxPool2d(2),
                                tnn.Conv2d(6, 16, 5, padding=pad2), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
                                tnn.Linear(16 * h * h, 120), tnn.ReLU(), tnn.Linear(120, 84), tnn.ReLU(),
                                tnn.Linear(84, 10))
    else:
        ours, theirs = vgg_small(shape, bn=build == "vgg-bn"), torch_vgg_small(shape[0], shape[1], build == "vgg-bn")
    rows = summary(ours, shape, batch_size=2).rows
    assert [row.output_shape for row in rows if row.leaf] == _torch_leaf_shapes(theirs, shape)
    assert rows[0].output_shape == [2, 10]


def test_mult_adds_by_hand_for_a_two_layer_net():
    model = nn.Sequential(nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 3 * 3, 4))
    result = summary(model, (2, 5, 5), batch_size=2)
    # conv: out elements 2*3*3*3 = 54, each 2*3*3 = 18 multiply-adds, plus one bias add each
    conv = 54 * 18 + 54
    # linear: 2 rows of 27*4 multiply-adds plus 4 bias adds each
    linear = 2 * (27 * 4 + 4)
    assert [row.mult_adds for row in result.rows if row.leaf] == [conv, 0, 0, linear]
    assert result.mult_adds == conv + linear == 1250


def test_grouped_conv_counts_c_in_over_groups():
    result = summary(nn.Conv2d(4, 6, 3, groups=2, bias=False), (4, 6, 6))
    assert result.mult_adds == 6 * 4 * 4 * (4 // 2) * 9  # out elements * C_in/groups * k*k
    assert result.total_params == 6 * 2 * 9


def test_receptive_field_by_hand():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Conv2d(2, 2, 3), nn.MaxPool2d(2), nn.Conv2d(2, 2, 3))
    rows = summary(model, (1, 20, 20)).rows[1:]
    # r: 1 -> 3 -> 5 -> 5 + 1*1 = 6 (j 2) -> 6 + 2*2 = 10; j: 1, 1, 2, 2
    assert [row.receptive_field for row in rows] == [[3, 3], [5, 5], [6, 6], [10, 10]]
    assert [row.jump for row in rows] == [[1, 1], [1, 1], [2, 2], [2, 2]]


def test_receptive_field_of_strides_dilations_and_rectangles():
    model = nn.Sequential(nn.Conv2d(1, 1, (3, 5), stride=2), nn.ReLU(), nn.Conv2d(1, 1, 3, dilation=2))
    rows = summary(model, (1, 30, 30)).rows[1:]
    # conv (3x5, s2): r (3, 5), j 2; ReLU keeps it; dilated conv: r + (3-1)*2*2 = r + 8
    assert [row.receptive_field for row in rows] == [[3, 5], [3, 5], [11, 13]]
    assert rows[-1].jump == [2, 2]
    assert "3x5" in str(summary(model, (1, 30, 30)))


class Residual(nn.Module):
    """x + two 3x3 convs, an identity shortcut: the field is the max over the branches, 5."""

    def __init__(self):
        super().__init__()
        self.branch = nn.ModuleList([nn.Conv2d(2, 2, 3, padding=1), nn.Conv2d(2, 2, 3, padding=1)])

    def forward(self, x):
        out = x
        for layer in self.branch:
            out = layer(out)
        return (out + x).relu()


def test_residual_blocks_and_module_lists():
    model = nn.Sequential(Residual(), nn.MaxPool2d(2))
    rows = summary(model, (2, 8, 8)).rows
    assert [(row.name, row.type, row.depth) for row in rows] == [
        ("", "Sequential", 0), ("0", "Residual", 1), ("0.branch.0", "Conv2d", 2),
        ("0.branch.1", "Conv2d", 2), ("1", "MaxPool2d", 1)]
    assert rows[1].receptive_field == [5, 5] and rows[1].leaf is False
    assert rows[-1].receptive_field == [6, 6] and rows[-1].jump == [2, 2]


def test_resnet_small_downsampling_block_takes_the_larger_branch():
    rows = {row.name: row for row in summary(resnet_small((3, 16, 16)), (3, 16, 16)).rows}
    # stem 3; block 1: 3 + 2 + 2 = 7; block 2: conv s2 (7 + 2 = 9, j 2), conv (9 + 4 = 13),
    # 1x1 s2 shortcut keeps 7: the block's field is max(13, 7) = 13
    assert rows["3"].receptive_field == [7, 7]
    assert rows["4.conv2"].receptive_field == [13, 13] and rows["4.shortcut"].receptive_field == [7, 7]
    assert rows["4"].receptive_field == [13, 13] and rows["4"].jump == [2, 2]
    assert rows["5"].output_shape == [1, 64, 4, 4]


def test_adaptive_pooling_field_is_the_whole_map():
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.AdaptiveAvgPool2d(1), nn.Flatten())
    rows = summary(model, (1, 6, 6)).rows
    assert rows[2].receptive_field == [3 + 5, 3 + 5] and rows[2].output_shape == [1, 2, 1, 1]


def test_shared_layer_counted_once_and_model_left_as_it_was():
    layer = nn.Linear(4, 4)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    model.train()
    result = summary(model, (4,))
    assert result.total_params == 20 and sum(row.params for row in result.rows) == 20
    assert result.mult_adds == 2 * 20          # called twice: twice the work
    assert model.training and all("forward" not in vars(m) for m in model.modules())
    assert layer(gc.zeros((1, 4))).shape == (1, 4)


def test_frozen_parameters_and_json():
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    model[0].weight.requires_grad = False
    result = summary(model, (3,), dtype=np.float64)
    assert (result.total_params, result.trainable_params, result.non_trainable_params) == (11, 5, 6)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["dtype"] == "float64" and data["layers"][1]["type"] == "Linear"
    assert data["non_trainable_params"] == 6


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="summary: module must be a gradcraft nn.Module"):
        summary(torch.nn.Linear(2, 2), (2,))
    with pytest.raises(ValueError, match=r"summary: Sequential cannot take an input of shape \(1, 1, 3, 3\)"):
        summary(vgg_small((1, 8, 8)), (1, 3, 3))
    with pytest.raises(ValueError, match=r"input_shape\[1\]"):
        summary(nn.ReLU(), (1, 0))
    model = vgg_small((1, 8, 8))
    with pytest.raises(ValueError):
        summary(model, (1, 3, 3))
    assert all("forward" not in vars(m) for m in model.modules())
