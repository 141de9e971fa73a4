"""The loss modules (nn.CrossEntropyLoss, nn.MSELoss, ...): PyTorch's constructor arguments and
defaults, weight / pos_weight as buffers (state_dict keys as torch's), values and gradients
equal to torch.nn's modules in float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradcraft as gc
from gradcraft import nn

RNG = np.random.default_rng(11)
W = RNG.uniform(0.5, 2.0, 4)


def _t(a):
    return torch.tensor(a)


def check(mine, ref, x, target):
    gx = gc.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    out, expected = mine(gx, target), ref(tx, torch.tensor(target))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-11, atol=1e-13)
    up = RNG.standard_normal(tuple(expected.shape))
    out.backward(up)
    expected.backward(torch.tensor(up))
    np.testing.assert_allclose(gx.grad, tx.grad.numpy(), rtol=1e-11, atol=1e-13)


CLASS_CASES = [
    ("CrossEntropyLoss", {}),
    ("CrossEntropyLoss", {"weight": W, "ignore_index": 1, "label_smoothing": 0.2}),
    ("CrossEntropyLoss", {"reduction": "none", "label_smoothing": 0.1}),
    ("NLLLoss", {"weight": W, "reduction": "sum"}),
    ("NLLLoss", {"ignore_index": 0}),
]


@pytest.mark.parametrize("name, options", CLASS_CASES)
def test_class_loss_modules_match_torch(name, options):
    x = RNG.standard_normal((6, 4))
    y = RNG.integers(0, 4, 6)
    torch_options = {k: (_t(v) if isinstance(v, np.ndarray) else v) for k, v in options.items()}
    check(getattr(nn, name)(**options), getattr(torch.nn, name)(**torch_options), x, y)


@pytest.mark.parametrize("name, options", [
    ("MSELoss", {}), ("L1Loss", {"reduction": "sum"}), ("SmoothL1Loss", {"beta": 0.5}),
    ("HuberLoss", {"delta": 0.7, "reduction": "none"}), ("BCEWithLogitsLoss", {"pos_weight": W}),
    ("BCEWithLogitsLoss", {"weight": W, "reduction": "none"}),
])
def test_elementwise_loss_modules_match_torch(name, options):
    x = RNG.standard_normal((3, 4)) * 2
    t = RNG.uniform(0, 1, (3, 4))
    torch_options = {k: (_t(v) if isinstance(v, np.ndarray) else v) for k, v in options.items()}
    check(getattr(nn, name)(**options), getattr(torch.nn, name)(**torch_options), x, t)


def test_bce_loss_matches_torch():
    p, t = RNG.uniform(0.1, 0.9, (3, 4)), RNG.uniform(0, 1, (3, 4))
    check(nn.BCELoss(weight=W), torch.nn.BCELoss(weight=_t(W)), p, t)


def test_weights_are_buffers_with_torchs_state_dict_keys():
    assert list(nn.CrossEntropyLoss(weight=W).state_dict()) == list(torch.nn.CrossEntropyLoss(weight=_t(W)).state_dict()) == ["weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == list(torch.nn.CrossEntropyLoss().state_dict()) == []
    mine = nn.BCEWithLogitsLoss(weight=W, pos_weight=W)
    assert list(mine.state_dict()) == list(torch.nn.BCEWithLogitsLoss(weight=_t(W), pos_weight=_t(W)).state_dict())
    assert dict(mine.named_buffers()).keys() == {"weight", "pos_weight"}
    assert mine.to(np.float32).weight.dtype == np.float32
    mine.load_state_dict({"weight": np.ones(4), "pos_weight": np.full(4, 2.0)})
    np.testing.assert_array_equal(mine.pos_weight, np.full(4, 2.0, dtype=np.float32))


def test_defaults_and_legacy_arguments_as_torch():
    assert nn.CrossEntropyLoss().reduction == "mean"
    assert nn.CrossEntropyLoss().ignore_index == -100
    assert nn.SmoothL1Loss().beta == 1.0 and nn.HuberLoss().delta == 1.0
    with pytest.warns(UserWarning):
        assert nn.MSELoss(size_average=False).reduction == "sum"
    with pytest.warns(UserWarning):
        assert nn.NLLLoss(reduce=False).reduction == "none"
    assert repr(nn.L1Loss(reduction="sum")) == "L1Loss(reduction='sum')"


def test_bad_constructor_arguments_name_them():
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(ValueError, match="label_smoothing"):
        nn.CrossEntropyLoss(label_smoothing=-0.1)
    with pytest.raises(TypeError, match="ignore_index"):
        nn.NLLLoss(ignore_index="x")
    with pytest.raises(ValueError, match="delta"):
        nn.HuberLoss(delta=-1.0)
