"""The activation modules of issue #9 against torch.nn's: outputs and gradients, reprs, PReLU's
parameter (name, shape, init, state dicts both ways) and the constructor argument checks.
Expected values come from torch==2.13.0."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradcraft as gc
from gradcraft import nn

MODULES = [
    # (name, constructor arguments): the same on both sides
    ("GELU", ()), ("GELU", ("tanh",)), ("SiLU", ()), ("Mish", ()), ("ELU", ()), ("ELU", (0.5,)),
    ("SELU", ()), ("CELU", ()), ("CELU", (2.0,)), ("Softplus", ()), ("Softplus", (2.0, 3.0)),
    ("Softsign", ()), ("LogSigmoid", ()), ("Hardtanh", ()), ("Hardtanh", (-2.0, 3.0)),
    ("ReLU6", ()), ("Hardsigmoid", ()), ("Hardswish", ()), ("Softmin", (1,)), ("Softmin", (-1,)),
    ("PReLU", ()), ("PReLU", (3,)), ("PReLU", (3, 0.1)),
]


def _ids(rows):
    return [f"{name}{args}" for name, args in rows]


def _input():
    # k + 0.75 (k integer) scaled: both sides of every kink (0, +-1, +-3, 6), none on one
    rng = np.random.default_rng(0)
    return rng.integers(-8, 8, (2, 3, 4)) + 0.75


@pytest.mark.parametrize("name,args", MODULES, ids=_ids(MODULES))
def test_output_and_gradients_match_torch(name, args):
    ours = getattr(nn, name)(*args).double()
    theirs = getattr(torch.nn, name)(*args).double()
    values = _input()
    x, tx = gc.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    out, ref = ours(x), theirs(tx)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12, atol=1e-14)
    upstream = np.random.default_rng(1).standard_normal(values.shape)
    out.backward(upstream)
    ref.backward(torch.tensor(upstream))
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-14)
    for (n, p), (tn, tp) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        assert n == tn
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name,args", MODULES, ids=_ids(MODULES))
def test_repr_is_torchs(name, args):
    assert repr(getattr(nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))


INPLACE = [("SiLU", ()), ("Mish", ()), ("ELU", (1.0,)), ("SELU", ()), ("CELU", (1.0,)),
           ("Hardtanh", (-1.0, 1.0)), ("ReLU6", ()), ("Hardsigmoid", ()), ("Hardswish", ())]


@pytest.mark.parametrize("name,args", INPLACE, ids=_ids(INPLACE))
def test_inplace_is_accepted_shown_like_torch_and_ignored(name, args):
    module = getattr(nn, name)(*args, inplace=True)
    assert module.inplace is True
    assert repr(module) == repr(getattr(torch.nn, name)(*args, inplace=True))
    values = _input()
    x = gc.tensor(values)
    out = module(x)
    assert out is not x
    np.testing.assert_array_equal(x.data, values)  # out-of-place: the input keeps its values
    expected = getattr(torch.nn, name)(*args)(torch.tensor(values))
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-12)


def test_float32_input_gives_float32():
    x = gc.tensor(_input().astype(np.float32), requires_grad=True)
    for name, args in MODULES:
        module = getattr(nn, name)(*args)
        out = module(x)
        assert out.dtype == np.float32, name
        out.sum().backward()
        assert x.grad.dtype == np.float32, name
        x.grad = None


def test_softmin_without_dim_warns_and_uses_torchs_implicit_dim():
    values = _input()
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        out = nn.Softmin()(gc.tensor(values))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        ref = torch.nn.Softmin()(torch.tensor(values))
    np.testing.assert_allclose(out.data, ref.numpy(), rtol=1e-14)


# ----------------------------------------------------------------------------- PReLU's state
def test_prelu_parameter_is_torchs():
    ours, theirs = nn.PReLU(3, init=0.1), torch.nn.PReLU(3, init=0.1)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    assert [n for n, _ in ours.named_parameters()] == ["weight"]
    assert ours.weight.shape == tuple(theirs.weight.shape) == (3,)
    assert ours.weight.dtype == np.float32  # torch's default float
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())
    assert nn.PReLU().weight.data.tolist() == [0.25]
    assert nn.PReLU(2, dtype=np.float64).weight.dtype == np.float64
    assert ours.num_parameters == 3 and ours.init == 0.1


def test_prelu_loads_torch_weights_and_torch_loads_ours():
    theirs = torch.nn.PReLU(4)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor([-0.5, 0.0, 0.3, 2.0]))
    ours = nn.PReLU(4)
    ours.load_state_dict(theirs.state_dict())
    values = _input()[:, :, :1].repeat(4, axis=2).transpose(0, 2, 1)  # (2, 4, 3): channels on axis 1
    np.testing.assert_allclose(ours(gc.tensor(values.astype(np.float32))).data,
                               theirs(torch.tensor(values, dtype=torch.float32)).detach().numpy(),
                               rtol=1e-6)
    ours.weight.data[:] = [0.1, 0.2, 0.3, 0.4]
    back = torch.nn.PReLU(4)
    back.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
    np.testing.assert_array_equal(back.weight.detach().numpy(), np.float32([0.1, 0.2, 0.3, 0.4]))


def test_prelu_reset_parameters_refills_init():
    layer = nn.PReLU(2, init=0.5)
    layer.weight.data[:] = 3.0
    layer.reset_parameters()
    assert layer.weight.data.tolist() == [0.5, 0.5]


def test_prelu_trains_its_weight():
    layer = nn.PReLU(2, dtype=np.float64)
    x = gc.tensor(np.array([[-1.0, -2.0], [3.0, -4.0]]))
    layer(x).sum().backward()
    np.testing.assert_array_equal(layer.weight.grad, [-1.0, -6.0])  # sum of x where x <= 0, per channel


# ----------------------------------------------------------------------------- bad arguments
BAD = [
    (lambda: nn.ELU(alpha="a"), TypeError, "alpha"),
    (lambda: nn.CELU(alpha=0.0), ValueError, "alpha"),
    (lambda: nn.CELU(alpha=None), TypeError, "alpha"),
    (lambda: nn.GELU(approximate="fast"), ValueError, "approximate"),
    (lambda: nn.GELU(approximate=1), TypeError, "approximate"),
    (lambda: nn.Softplus(beta="1"), TypeError, "beta"),
    (lambda: nn.Softplus(threshold=None), TypeError, "threshold"),
    (lambda: nn.Hardtanh(min_val=2.0, max_val=1.0), ValueError, "max_val must be greater than min_val"),
    (lambda: nn.Hardtanh(1.0, 1.0), ValueError, "max_val must be greater than min_val"),  # torch asserts >
    (lambda: nn.Hardtanh(min_val="0"), TypeError, "min_val"),
    (lambda: nn.SiLU(inplace="yes"), TypeError, "inplace"),
    (lambda: nn.ReLU6(inplace=1), TypeError, "inplace"),
    (lambda: nn.Softmin(dim=1.5), TypeError, "dim"),
    (lambda: nn.PReLU(num_parameters=0), ValueError, "num_parameters"),
    (lambda: nn.PReLU(num_parameters=2.5), TypeError, "num_parameters"),
    (lambda: nn.PReLU(init="0.25"), TypeError, "init"),
    (lambda: nn.PReLU(dtype=np.int64), ValueError, "dtype"),
]


@pytest.mark.parametrize("call,error,words", BAD, ids=[f"{b[2]}-{i}" for i, b in enumerate(BAD)])
def test_bad_constructor_arguments_name_the_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_prelu_with_the_wrong_channel_count_says_so():
    with pytest.raises(ValueError, match="weight has 3 values but the input has 4 channels"):
        nn.PReLU(3)(gc.tensor(np.zeros((2, 4), dtype=np.float32)))
