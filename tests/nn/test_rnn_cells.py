"""RNNCell, LSTMCell and GRUCell against PyTorch 2.13 in float64 (values and every gradient),
batched and unbatched, with and without a given state; names, init and errors."""

import numpy as np
import pytest
import torch

import gradcraft as gc
from gradcraft.nn.rnn import GRUCell, LSTMCell, RNNCell

CELLS = {"rnn_tanh": (RNNCell, torch.nn.RNNCell, {}), "rnn_relu": (RNNCell, torch.nn.RNNCell, {"nonlinearity": "relu"}),
         "lstm": (LSTMCell, torch.nn.LSTMCell, {}), "gru": (GRUCell, torch.nn.GRUCell, {})}


@pytest.mark.parametrize("kind", CELLS)
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("given_state", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_cell_matches_torch(kind, batched, given_state, bias):
    ours, theirs, extra = CELLS[kind]
    torch.manual_seed(0)
    reference = theirs(3, 4, bias=bias, **extra).double()
    cell = ours(3, 4, bias=bias, **extra, dtype=np.float64)
    cell.load_state_dict({k: v.detach().numpy() for k, v in reference.state_dict().items()})
    rng = np.random.default_rng(0)
    lead = (2,) if batched else ()
    x = rng.standard_normal(lead + (3,))
    count = 2 if kind == "lstm" else 1
    states = [rng.standard_normal(lead + (4,)) for _ in range(count)] if given_state else None
    xg, xt = gc.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    sg = [gc.tensor(s, requires_grad=True) for s in states] if states else None
    st = [torch.tensor(s, requires_grad=True) for s in states] if states else None
    pack = (lambda s: None if s is None else (tuple(s) if count == 2 else s[0]))
    out_g, out_t = cell(xg, pack(sg)), reference(xt, pack(st))
    out_g = list(out_g) if count == 2 else [out_g]
    out_t = list(out_t) if count == 2 else [out_t]
    loss_g, loss_t = 0, 0
    for a, b in zip(out_g, out_t):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-12, atol=1e-14)
        w = rng.standard_normal(a.shape)
        loss_g, loss_t = loss_g + (a * w).sum(), loss_t + (b * torch.tensor(w)).sum()
    loss_g.backward()
    loss_t.backward()
    np.testing.assert_allclose(xg.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-14)
    for a, b in zip(sg or [], st or []):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-12, atol=1e-14)
    ours_params = dict(cell.named_parameters())
    assert list(ours_params) == [n for n, _ in reference.named_parameters()]
    for name, p in reference.named_parameters():
        np.testing.assert_allclose(ours_params[name].grad, p.grad.numpy(), rtol=1e-12, atol=1e-14, err_msg=name)


def test_cell_init_and_errors():
    cell = LSTMCell(3, 16, rng=0)
    assert cell.weight_ih.shape == (64, 3) and cell.bias_hh.shape == (64,)
    assert np.abs(cell.weight_hh.data).max() <= 0.25 and cell.weight_hh.data.std() > 0.1
    with pytest.raises(ValueError, match=r"\(batch, 3\).*\(2, 5\)"):
        cell(np.zeros((2, 5), np.float32))
    with pytest.raises(TypeError, match=r"pair \(h, c\)"):
        cell(np.zeros((2, 3), np.float32), np.zeros((2, 16), np.float32))
    with pytest.raises(ValueError, match=r"hx must have shape \(2, 4\)"):
        GRUCell(3, 4)(np.zeros((2, 3), np.float32), np.zeros((3, 4), np.float32))
    with pytest.raises(ValueError, match="nonlinearity"):
        RNNCell(3, 4, nonlinearity="gelu")
