"""Padded batches of sequences of different lengths (`lengths=` / `mask=`) against PyTorch's
packed sequences (pack_padded_sequence(enforce_sorted=False)) in float64: outputs (zero at
padded steps), h_n (and c_n), the gradients of the input, the initial states and every
parameter; padding values have no effect at all; argument errors."""

import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import gradcraft as gc
from gradcraft.nn.rnn import GRU, LSTM, RNN

LAYERS = {"rnn_tanh": (RNN, torch.nn.RNN, {}), "rnn_relu": (RNN, torch.nn.RNN, {"nonlinearity": "relu"}),
          "lstm": (LSTM, torch.nn.LSTM, {}), "gru": (GRU, torch.nn.GRU, {})}
LENGTHS = [3, 6, 1, 4, 6]          # unsorted, with a length-1 and two full sequences
T = 7                              # padded past the longest: every sequence is padded


def twins(kind, **kwargs):
    ours, theirs, extra = LAYERS[kind]
    torch.manual_seed(0)
    reference = theirs(3, 4, num_layers=2, **kwargs, **extra).double()
    layer = ours(3, 4, num_layers=2, **kwargs, **extra, dtype=np.float64)
    layer.load_state_dict({k: v.detach().numpy() for k, v in reference.state_dict().items()})
    return layer, reference


def padded_input(batch_first, fill):
    x = np.random.default_rng(0).standard_normal((len(LENGTHS), T, 3))
    for b, n in enumerate(LENGTHS):
        x[b, n:] = fill
    return x if batch_first else x.transpose(1, 0, 2).copy()


def run_ours(layer, x, states, **given):
    """Outputs, final states and gradients (input, states, parameters) under a fixed weighting."""
    for p in layer.parameters():
        p.grad = None
    xg = gc.tensor(x, requires_grad=True)
    sg = [gc.tensor(s, requires_grad=True) for s in states]
    out, h = layer(xg, tuple(sg) if len(sg) == 2 else sg[0], **given)
    finals = list(h) if len(sg) == 2 else [h]
    rng = np.random.default_rng(1)
    loss = (out * rng.standard_normal(out.shape)).sum()
    for f in finals:
        loss = loss + (f * rng.standard_normal(f.shape)).sum()
    loss.backward()
    return ([out.data] + [f.data for f in finals], xg.grad, [s.grad for s in sg],
            {n: p.grad for n, p in layer.named_parameters()})


def run_torch(reference, x, states, batch_first):
    xt = torch.tensor(x, requires_grad=True)
    st = [torch.tensor(s, requires_grad=True) for s in states]
    packed = pack_padded_sequence(xt, LENGTHS, batch_first=batch_first, enforce_sorted=False)
    out, h = reference(packed, tuple(st) if len(st) == 2 else st[0])
    out, _ = pad_packed_sequence(out, batch_first=batch_first, total_length=T)
    finals = list(h) if len(st) == 2 else [h]
    rng = np.random.default_rng(1)
    loss = (out * torch.tensor(rng.standard_normal(tuple(out.shape)))).sum()
    for f in finals:
        loss = loss + (f * torch.tensor(rng.standard_normal(tuple(f.shape)))).sum()
    loss.backward()
    return ([out.detach().numpy()] + [f.detach().numpy() for f in finals], xt.grad.numpy(),
            [s.grad.numpy() for s in st], {n: p.grad.numpy() for n, p in reference.named_parameters()})


def assert_same(ours, theirs):
    for a, b in zip(ours[0], theirs[0]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-10, atol=1e-12)
    for a, b in zip(ours[2], theirs[2]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    for name in theirs[3]:
        np.testing.assert_allclose(ours[3][name], theirs[3][name], rtol=1e-10, atol=1e-12, err_msg=name)


def initial_states(kind, bidirectional):
    rng = np.random.default_rng(2)
    return [rng.standard_normal((2 * (2 if bidirectional else 1), len(LENGTHS), 4))
            for _ in range(2 if kind == "lstm" else 1)]


@pytest.mark.parametrize("kind", LAYERS)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_lengths_match_packed_sequences(kind, bidirectional, batch_first):
    layer, reference = twins(kind, bidirectional=bidirectional, batch_first=batch_first)
    states = initial_states(kind, bidirectional)
    ours = run_ours(layer, padded_input(batch_first, 0.0), states, lengths=LENGTHS)
    assert_same(ours, run_torch(reference, padded_input(batch_first, 0.0), states, batch_first))


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn_relu"])
def test_padding_values_change_nothing(kind):
    """NaN, inf or large padding: outputs of real steps, h_n and every gradient as with zeros;
    outputs at padded steps and the input's gradient there are exactly zero."""
    layer, _ = twins(kind, bidirectional=True, batch_first=True)
    states = initial_states(kind, True)
    clean = run_ours(layer, padded_input(True, 0.0), states, lengths=LENGTHS)
    for fill in (np.nan, np.inf, 1e6):
        dirty = run_ours(layer, padded_input(True, fill), states, lengths=np.array(LENGTHS))
        assert_same(dirty, clean)
    padded = np.arange(T)[None, :] >= np.array(LENGTHS)[:, None]
    assert (clean[0][0][padded] == 0).all() and (clean[1][padded] == 0).all()


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_mask_is_the_same_as_lengths(kind):
    layer, _ = twins(kind, bidirectional=True)
    states = initial_states(kind, True)
    mask = np.arange(T)[None, :] < np.array(LENGTHS)[:, None]
    by_lengths = run_ours(layer, padded_input(False, 0.0), states, lengths=gc.tensor(np.array(LENGTHS)))
    by_mask = run_ours(layer, padded_input(False, 0.0), states, mask=gc.tensor(mask))
    assert_same(by_mask, by_lengths)


def test_full_lengths_are_the_plain_run():
    layer, reference = twins("gru")
    x = np.random.default_rng(3).standard_normal((4, 2, 3))
    out, h = layer(gc.tensor(x), lengths=[4, 4])
    expected_out, expected_h = reference(torch.tensor(x))
    np.testing.assert_allclose(out.data, expected_out.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(h.data, expected_h.detach().numpy(), rtol=1e-12)


def test_length_and_mask_errors():
    layer = LSTM(3, 4, batch_first=True)
    x = np.zeros((2, 5, 3), np.float32)
    with pytest.raises(ValueError, match=r"\[1, 5\].*\[0, 5\]"):
        layer(x, lengths=[0, 5])
    with pytest.raises(ValueError, match=r"\[1, 5\].*\[6, 2\]"):
        layer(x, lengths=[6, 2])
    with pytest.raises(ValueError, match=r"shape \(2,\).*\(3,\)"):
        layer(x, lengths=[1, 2, 3])
    with pytest.raises(TypeError, match="ints"):
        layer(x, lengths=[1.5, 2.0])
    with pytest.raises(TypeError, match="1-D sequence"):
        layer(x, lengths=3)
    with pytest.raises(ValueError, match="not both"):
        layer(x, lengths=[1, 2], mask=np.ones((2, 5), bool))
    with pytest.raises(ValueError, match="prefix"):
        layer(x, mask=np.array([[True, False, True, False, False], [True] * 5]))
    with pytest.raises(ValueError, match=r"\(batch, time\) = \(2, 5\)"):
        layer(x, mask=np.ones((5, 2), bool))
    with pytest.raises(TypeError, match="boolean"):
        layer(x, mask=np.ones((2, 5)))
    with pytest.raises(ValueError, match="batched"):
        layer(np.zeros((5, 3), np.float32), lengths=[5])
