"""Embedding and functional.embedding against PyTorch 2.13 (float64): lookup, gradients with
repeated indices, padding_idx, scale_grad_by_freq, from_pretrained, and argument errors."""

import numpy as np
import pytest
import torch

import gradcraft as gc
from gradcraft.functional.recurrent import embedding
from gradcraft.nn.sparse import Embedding

INDICES = np.array([[1, 3, 3, 0], [4, 1, 1, 1]])


def torch_twin(padding_idx=None, scale_grad_by_freq=False):
    torch.manual_seed(0)
    reference = torch.nn.Embedding(6, 3, padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq).double()
    layer = Embedding(6, 3, padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq, dtype=np.float64)
    layer.load_state_dict({k: v.detach().numpy() for k, v in reference.state_dict().items()})
    return layer, reference


@pytest.mark.parametrize("padding_idx", [None, 1, -5])
@pytest.mark.parametrize("scale_grad_by_freq", [False, True])
def test_lookup_and_gradient_match_torch(padding_idx, scale_grad_by_freq):
    layer, reference = torch_twin(padding_idx, scale_grad_by_freq)
    assert layer.padding_idx == reference.padding_idx
    out = layer(gc.tensor(INDICES))
    expected = reference(torch.tensor(INDICES))
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    w = np.random.default_rng(0).standard_normal(out.shape)
    (out * w).sum().backward()
    (expected * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(layer.weight.grad, reference.weight.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_padding_row_starts_at_zero_and_gets_no_gradient():
    layer = Embedding(5, 4, padding_idx=2, rng=0)
    np.testing.assert_array_equal(layer.weight.data[2], np.zeros(4, np.float32))
    assert np.abs(layer.weight.data[[0, 1, 3, 4]]).min() > 0
    layer(np.array([2, 2, 0])).sum().backward()
    np.testing.assert_array_equal(layer.weight.grad[2], np.zeros(4, np.float32))
    np.testing.assert_array_equal(layer.weight.grad[0], np.ones(4, np.float32))  # picked once, d sum = 1


def test_functional_matches_torch_and_init_is_standard_normal():
    weight = np.random.default_rng(1).standard_normal((7, 2))
    wg, wt = gc.tensor(weight, requires_grad=True), torch.tensor(weight, requires_grad=True)
    index = np.array([6, 0, 6])
    out = embedding(index, wg, padding_idx=0)
    expected = torch.nn.functional.embedding(torch.tensor(index), wt, padding_idx=0)
    np.testing.assert_array_equal(out.data, expected.detach().numpy())   # the padding row is still looked up
    (out ** 2).sum().backward()
    (expected ** 2).sum().backward()
    np.testing.assert_allclose(wg.grad, wt.grad.numpy(), rtol=1e-12)
    table = Embedding(400, 50, rng=0).weight.data
    assert table.dtype == np.float32 and abs(table.mean()) < 0.01 and abs(table.std() - 1) < 0.01


def test_from_pretrained_freezes_by_default():
    table = np.arange(12, dtype=np.float64).reshape(4, 3)
    frozen = Embedding.from_pretrained(table, padding_idx=1)
    assert not frozen.weight.requires_grad
    np.testing.assert_array_equal(frozen(np.array([1, 3])).data, table[[1, 3]])   # the given row is kept
    trainable = Embedding.from_pretrained(gc.tensor(table), freeze=False)
    assert trainable.weight.requires_grad and trainable.weight.dtype == np.float64


def test_errors():
    layer = Embedding(5, 2)
    with pytest.raises(IndexError, match=r"\[0, 5\).*from 0 to 5"):
        layer(np.array([0, 5]))
    with pytest.raises(IndexError, match="from -1"):
        layer(np.array([-1]))
    with pytest.raises(TypeError, match="integer indices"):
        layer(np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="padding_idx"):
        Embedding(5, 2, padding_idx=5)
    with pytest.raises(ValueError, match="max_norm"):
        Embedding(5, 2, max_norm=1.0)
    with pytest.raises(ValueError, match="sparse"):
        Embedding(5, 2, sparse=True)
    with pytest.raises(ValueError, match=r"_weight.*\(5, 2\)"):
        Embedding(5, 2, _weight=np.zeros((2, 5)))
    with pytest.raises(ValueError, match="2-D"):
        Embedding.from_pretrained(np.zeros(3))
