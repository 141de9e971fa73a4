"""RNN, LSTM and GRU against PyTorch 2.13 in float64: outputs, final states and the gradients of
the input, the initial states and every parameter (loaded from the torch module's state dict);
gradient checks of the fused ops; initialisation, names and argument errors."""

import numpy as np
import pytest
import torch

import gradcraft as gc
from gradcraft.nn.rnn import GRU, LSTM, RNN
from gradcraft.ops.rnn import RNNLayer
from gradcraft.ops.rnn_gru import GRULayer
from gradcraft.ops.rnn_lstm import LSTMLayer

LAYERS = {"rnn_tanh": (RNN, torch.nn.RNN, {}), "rnn_relu": (RNN, torch.nn.RNN, {"nonlinearity": "relu"}),
          "lstm": (LSTM, torch.nn.LSTM, {}), "gru": (GRU, torch.nn.GRU, {})}


def twins(kind, *args, **kwargs):
    """A torch layer (float64, seeded) and the gradcraft layer holding its weights."""
    ours, theirs, extra = LAYERS[kind]
    torch.manual_seed(0)
    reference = theirs(*args, **kwargs, **extra).double()
    layer = ours(*args, **kwargs, **extra, dtype=np.float64)
    layer.load_state_dict({k: v.detach().numpy() for k, v in reference.state_dict().items()})
    return layer, reference


def states_of(h, lstm):
    return list(h) if lstm else [h]


def compare(layer, reference, x, states=None, rtol=1e-10):
    """Run both with a random weighting of every output, compare values and gradients."""
    lstm = isinstance(layer, LSTM)
    xg, xt = gc.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    sg = [gc.tensor(s, requires_grad=True) for s in states] if states else None
    st = [torch.tensor(s, requires_grad=True) for s in states] if states else None
    hx_g = None if sg is None else (tuple(sg) if lstm else sg[0])
    hx_t = None if st is None else (tuple(st) if lstm else st[0])
    out_g, h_g = layer(xg, hx_g)
    out_t, h_t = reference(xt, hx_t)
    rng = np.random.default_rng(1)
    loss_g, loss_t = 0, 0
    for a, b in zip([out_g, *states_of(h_g, lstm)], [out_t, *states_of(h_t, lstm)]):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=rtol, atol=1e-12)
        w = rng.standard_normal(a.shape)
        loss_g, loss_t = loss_g + (a * w).sum(), loss_t + (b * torch.tensor(w)).sum()
    loss_g.backward()
    loss_t.backward()
    np.testing.assert_allclose(xg.grad, xt.grad.numpy(), rtol=rtol, atol=1e-12)
    for a, b in zip(sg or [], st or []):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=rtol, atol=1e-12)
    ours = dict(layer.named_parameters())
    for name, p in reference.named_parameters():
        np.testing.assert_allclose(ours[name].grad, p.grad.numpy(), rtol=rtol, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("kind", LAYERS)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_two_layers_with_initial_states(kind, bidirectional, batch_first):
    layer, reference = twins(kind, 3, 4, num_layers=2, bidirectional=bidirectional, batch_first=batch_first)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 5, 3) if batch_first else (5, 2, 3))
    d = 2 if bidirectional else 1
    states = [rng.standard_normal((2 * d, 2, 4)) for _ in range(2 if kind == "lstm" else 1)]
    compare(layer, reference, x, states)
    compare(layer, reference, x)          # zeros when hx is None


@pytest.mark.parametrize("kind", LAYERS)
def test_unbatched_input(kind):
    layer, reference = twins(kind, 3, 5, num_layers=2, bidirectional=True)
    rng = np.random.default_rng(2)
    compare(layer, reference, rng.standard_normal((4, 3)),
            [rng.standard_normal((4, 5)) for _ in range(2 if kind == "lstm" else 1)])


@pytest.mark.parametrize("kind", LAYERS)
def test_no_bias_one_step_and_float32(kind):
    layer, reference = twins(kind, 2, 3, bias=False)
    assert [n for n, _ in layer.named_parameters()] == ["weight_ih_l0", "weight_hh_l0"]
    compare(layer, reference, np.random.default_rng(3).standard_normal((1, 3, 2)))
    layer32 = LAYERS[kind][0](2, 3, bias=False, **LAYERS[kind][2])
    layer32.load_state_dict({k: v.float().detach().numpy() for k, v in reference.state_dict().items()})
    x = np.random.default_rng(4).standard_normal((6, 2, 2)).astype(np.float32)
    out, _ = layer32(gc.tensor(x))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, reference.float()(torch.tensor(x))[0].detach().numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("op,states,gates,options", [
    (RNNLayer, 1, 1, {"nonlinearity": "tanh"}), (RNNLayer, 1, 1, {"nonlinearity": "relu"}),
    (LSTMLayer, 2, 4, {}), (GRULayer, 1, 3, {})])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("lengths", [None, np.array([2, 4, 3])])
def test_fused_op_gradcheck(op, states, gates, options, reverse, lengths):
    rng = np.random.default_rng(5)
    T, N, I, H = 4, 3, 2, 3
    inputs = [rng.standard_normal((T, N, I))] + [rng.standard_normal((N, H)) for _ in range(states)]
    inputs += [rng.standard_normal((gates * H, I)) * 0.6, rng.standard_normal((gates * H, H)) * 0.6,
               rng.standard_normal(gates * H) * 0.3, rng.standard_normal(gates * H) * 0.3]
    tensors = [gc.tensor(a, requires_grad=True) for a in inputs]
    report = gc.gradcheck(lambda *t: op.apply(*t, reverse=reverse, lengths=lengths, **options), *tensors)
    assert report.passed, report


def test_parameter_names_shapes_and_init_match_torch():
    layer = LSTM(3, 5, num_layers=2, bidirectional=True, rng=0)
    reference = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    assert list(layer.state_dict()) == list(reference.state_dict())
    for (name, p), (_, q) in zip(layer.named_parameters(), reference.named_parameters()):
        assert p.shape == tuple(q.shape), name
        assert np.abs(p.data).max() <= 1 / np.sqrt(5) and p.data.std() > 0.2 / np.sqrt(5)
    assert GRU(4, 6).weight_hh_l0.shape == (18, 6) and RNN(4, 6).weight_ih_l0.shape == (6, 4)


def test_dropout_between_layers_only_in_training():
    layer, reference = twins("gru", 3, 4, num_layers=2, dropout=0.5)
    layer.rng = np.random.default_rng(0)
    x = gc.tensor(np.random.default_rng(6).standard_normal((5, 2, 3)))
    train_a, train_b = layer(x)[0].data, layer(x)[0].data
    assert not np.allclose(train_a, train_b)          # fresh masks on the first layer's output
    layer.eval()
    np.testing.assert_allclose(layer(x)[0].data, reference.eval()(torch.tensor(x.data))[0].detach().numpy(),
                               rtol=1e-10, atol=1e-12)


def test_argument_errors():
    with pytest.raises(ValueError, match="proj_size"):
        LSTM(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="nonlinearity"):
        RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="hidden_size"):
        GRU(3, 0)
    layer = LSTM(3, 4, num_layers=2)
    with pytest.raises(ValueError, match=r"input_size=3.*\(5, 2, 7\)"):
        layer(np.zeros((5, 2, 7), np.float32))
    with pytest.raises(ValueError, match="3-D"):
        layer(np.zeros((5, 2, 3, 1), np.float32))
    with pytest.raises(TypeError, match="float64"):
        layer(np.zeros((5, 2, 3)))
    with pytest.raises(ValueError, match=r"h0 must have shape \(2, 2, 4\)"):
        layer(np.zeros((5, 2, 3), np.float32), (np.zeros((1, 2, 4), np.float32), np.zeros((2, 2, 4), np.float32)))
    with pytest.raises(TypeError, match=r"pair \(h0, c0\)"):
        layer(np.zeros((5, 2, 3), np.float32), np.zeros((2, 2, 4), np.float32))
