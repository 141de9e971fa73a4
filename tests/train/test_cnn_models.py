"""The CNN zoo (lenet5, vgg_small, resnet_small) against the same networks written in torch:
parameter counts by hand, outputs with the same weights, and `gradcraft train --model`."""

import numpy as np
import pytest
import torch
import torch.nn as tnn

import gradcraft as gc
from gradcraft.models import build_model, lenet5, resnet_small, vgg_small


def torch_lenet5_mnist():
    return tnn.Sequential(tnn.Conv2d(1, 6, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Conv2d(6, 16, 5),
                          tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(), tnn.Linear(400, 120), tnn.ReLU(),
                          tnn.Linear(120, 84), tnn.ReLU(), tnn.Linear(84, 10)).double()


class TorchBlock(tnn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1, self.bn1 = tnn.Conv2d(cin, cout, 3, stride, 1, bias=False), tnn.BatchNorm2d(cout)
        self.conv2, self.bn2 = tnn.Conv2d(cout, cout, 3, 1, 1, bias=False), tnn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = tnn.Sequential(tnn.Conv2d(cin, cout, 1, stride, bias=False), tnn.BatchNorm2d(cout))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + (x if self.shortcut is None else self.shortcut(x)))


def torch_resnet_small(channels):
    return tnn.Sequential(tnn.Conv2d(channels, 16, 3, padding=1, bias=False), tnn.BatchNorm2d(16), tnn.ReLU(),
                          TorchBlock(16, 16, 1), TorchBlock(16, 32, 2), TorchBlock(32, 64, 2),
                          tnn.AdaptiveAvgPool2d(1), tnn.Flatten(), tnn.Linear(64, 10)).double()


def _same_output(ours, theirs, shape, train):
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    ours.train(train)
    theirs.train(train)
    x = np.random.default_rng(0).normal(size=(4, *shape))
    xg = gc.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    out, expected = ours(xg), theirs(xt)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-9, atol=1e-11)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(xg.grad, xt.grad.numpy(), rtol=1e-8, atol=1e-11)


def test_parameter_counts_by_hand():
    # vgg-small on 3x32x32: convs (C*9 + 1)*O, then 4096*256 + 256 and 256*10 + 10
    assert vgg_small((3, 32, 32)).num_parameters() == 896 + 9248 + 18496 + 36928 + 1048832 + 2570
    # with BatchNorm: 2 parameters (scale, shift) per channel of each of the four convs
    assert vgg_small((3, 32, 32), bn=True).num_parameters() == 1116970 + 2 * (32 + 32 + 64 + 64)
    # LeNet-5 on 28x28: 6*(25+1), 16*(6*25+1), 400*120+120, 120*84+84, 84*10+10
    assert lenet5((1, 28, 28)).num_parameters() == 156 + 2416 + 48120 + 10164 + 850


@pytest.mark.parametrize("bn", [False, True])
@pytest.mark.parametrize("shape", [(3, 32, 32), (1, 28, 28), (1, 8, 8)])
def test_vgg_small_matches_torch(shape, bn, torch_vgg_small):
    _same_output(vgg_small(shape, bn=bn, dtype=np.float64), torch_vgg_small(shape[0], shape[1], bn).double(), shape,
                 train=True)


def test_lenet5_matches_torch_on_mnist_sizes():
    _same_output(lenet5((1, 28, 28), dtype=np.float64), torch_lenet5_mnist(), (1, 28, 28), train=False)


@pytest.mark.parametrize("train", [True, False])
def test_resnet_small_matches_torch(train):
    _same_output(resnet_small((3, 16, 16), dtype=np.float64), torch_resnet_small(3), (3, 16, 16), train=train)


@pytest.mark.parametrize("name", ["lenet5", "vgg-small", "resnet-small"])
@pytest.mark.parametrize("shape", [(1, 8, 8), (1, 28, 28), (3, 32, 32)])
def test_every_model_builds_for_every_dataset_shape(name, shape):
    assert build_model(name, shape, 10)(gc.zeros((2, *shape))).shape == (2, 10)


def test_too_small_inputs_are_refused_by_name():
    with pytest.raises(ValueError, match=r"vgg_small: input of size 2x2 is too small"):
        vgg_small((1, 2, 2))
    with pytest.raises(ValueError, match=r"lenet5: input_shape must be \(C, H, W\), got \(64,\)"):
        lenet5((64,))


def test_same_seed_same_weights_and_dtype():
    a, b = vgg_small((1, 8, 8), seed=5, dtype=np.float64), vgg_small((1, 8, 8), seed=5, dtype=np.float64)
    assert all(np.array_equal(p.data, q.data) and p.data.dtype == np.float64
               for p, q in zip(a.parameters(), b.parameters()))
    assert not np.array_equal(next(vgg_small((1, 8, 8), seed=6).parameters()).data, next(a.parameters()).data)


@pytest.mark.parametrize("name", ["lenet5", "resnet-small"])
def test_train_one_epoch_from_the_command_line(name, tmp_path, capsys):
    from gradcraft.cli import main

    out = tmp_path / "run"
    assert main(["train", "--model", name, "--epochs", "1", "--batch-size", "128", "--out", str(out)]) == 0
    accuracy = float(capsys.readouterr().out.split("test accuracy: ")[1].split("%")[0])
    assert accuracy > 20   # 10 digit classes, chance 10%
    assert main(["evaluate", str(out)]) == 0
    assert f"{accuracy:.2f}%" in capsys.readouterr().out   # evaluate rebuilt the same model
