"""scaled_dot_product_attention and nn.MultiheadAttention against PyTorch in float64: a torch
state_dict loads, outputs, attention weights and every gradient (inputs, parameters, a float
mask) match, for batch_first True/False, unbatched input, key_padding_mask, bool and float
attn_mask, need_weights False, kdim/vdim; PyTorch's parameter names and initialisation;
dropout only in training."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import gradcraft as gc
from gradcraft import functional as F
from gradcraft import nn

RNG = np.random.default_rng(5)


def _leaves(arrays):
    mine = [gc.tensor(a, requires_grad=True) if a.dtype.kind == "f" else a for a in arrays]
    ref = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    return mine, ref


def _close(mine, ref, what):
    np.testing.assert_allclose(mine, ref, rtol=1e-10, atol=1e-12, err_msg=what)


# ----------------------------------------------------------------------------- sdpa
SDPA_CASES = {  # name: (shapes of q, k, v, mask (shape, kind) or None, options)
    "plain 3-d": ((2, 3, 4), (2, 5, 4), (2, 5, 3), None, {}),
    "4-d heads, scale": ((2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 6), None, {"scale": 0.3}),
    "broadcast batch": ((2, 3, 4), (1, 5, 4), (1, 5, 4), None, {}),
    "2-d": ((3, 4), (5, 4), (5, 2), None, {}),
    "causal": ((2, 4, 4), (2, 4, 4), (2, 4, 3), None, {"is_causal": True}),
    "bool mask": ((2, 3, 4), (2, 5, 4), (2, 5, 3), ((3, 5), "bool"), {}),
    "bool mask, a row fully masked": ((2, 3, 4), (2, 5, 4), (2, 5, 3), ((3, 5), "dead row"), {}),
    "float mask": ((2, 3, 4), (2, 5, 4), (2, 5, 3), ((2, 3, 5), "float"), {}),
}


def _mask(shape, kind):
    if kind == "float":
        return RNG.standard_normal(shape)
    mask = RNG.uniform(size=shape) < 0.7
    mask[..., 0] = True
    if kind == "dead row":
        mask[1] = False
    return mask


@pytest.mark.parametrize("name", list(SDPA_CASES))
def test_sdpa_matches_torch(name):
    q_shape, k_shape, v_shape, mask, options = SDPA_CASES[name]
    arrays = [RNG.standard_normal(s) for s in (q_shape, k_shape, v_shape)]
    if mask is not None:
        arrays.append(_mask(*mask))
    mine_in, ref_in = _leaves(arrays)
    mine = F.scaled_dot_product_attention(*mine_in, **options)
    ref = TF.scaled_dot_product_attention(*ref_in, **options)
    _close(mine.data, ref.detach().numpy(), "output")
    up = RNG.standard_normal(tuple(ref.shape))
    mine.backward(up)
    ref.backward(torch.tensor(up))
    for i, (m, r) in enumerate(zip(mine_in, ref_in)):
        if isinstance(m, gc.Tensor):
            _close(m.grad, r.grad.numpy(), f"gradient of input {i}")


def test_sdpa_gradcheck():
    q, k, v = (gc.tensor(RNG.standard_normal(s), requires_grad=True) for s in ((2, 3, 4), (2, 4, 4), (2, 4, 2)))
    mask = gc.tensor(RNG.standard_normal((3, 4)), requires_grad=True)
    report = gc.gradcheck(lambda a, b, c, m: F.scaled_dot_product_attention(a, b, c, attn_mask=m), q, k, v, mask)
    assert report, str(report)


def test_sdpa_dropout_is_active_whenever_p_is_positive():
    q = RNG.standard_normal((1, 4, 3))
    plain = F.scaled_dot_product_attention(q, q, q).data
    dropped = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5, rng=0).data
    assert not np.allclose(plain, dropped)
    np.testing.assert_array_equal(F.scaled_dot_product_attention(q, q, q, dropout_p=0.0).data, plain)


def test_sdpa_bad_input_names_the_argument():
    q = np.zeros((2, 3, 4))
    with pytest.raises(ValueError, match="key's last axis"):
        F.scaled_dot_product_attention(q, np.zeros((2, 3, 5)), q)
    with pytest.raises(ValueError, match="value must have as many positions"):
        F.scaled_dot_product_attention(q, q, np.zeros((2, 2, 4)))
    with pytest.raises(ValueError, match="attn_mask of shape"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((4, 4), bool))
    with pytest.raises(ValueError, match="not both"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((3, 3), bool), is_causal=True)
    with pytest.raises(ValueError, match="dropout_p"):
        F.scaled_dot_product_attention(q, q, q, dropout_p=1.5)


# ----------------------------------------------------------------------------- MultiheadAttention
def _pair(**options):
    ref = torch.nn.MultiheadAttention(**options).double()
    mine = nn.MultiheadAttention(**options, dtype=np.float64)
    mine.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    return mine, ref


MHA_CASES = {  # name: (constructor options, q, k, v shapes, masks, forward options)
    "defaults": ({"embed_dim": 6, "num_heads": 2}, (4, 2, 6), (5, 2, 6), (5, 2, 6), {}, {}),
    "batch_first, key_padding_mask": ({"embed_dim": 6, "num_heads": 3, "batch_first": True},
                                      (2, 4, 6), (2, 5, 6), (2, 5, 6), {"key_padding_mask": "bool"}, {}),
    "bool attn_mask and padding, per-head weights": (
        {"embed_dim": 4, "num_heads": 2}, (3, 2, 4), (5, 2, 4), (5, 2, 4),
        {"key_padding_mask": "bool", "attn_mask": "bool"}, {"average_attn_weights": False}),
    "float attn_mask (N*heads, L, S)": ({"embed_dim": 4, "num_heads": 2}, (3, 2, 4), (5, 2, 4), (5, 2, 4),
                                        {"attn_mask": "float3"}, {}),
    "need_weights False, masks": ({"embed_dim": 6, "num_heads": 2, "batch_first": True},
                                  (2, 4, 6), (2, 5, 6), (2, 5, 6),
                                  {"key_padding_mask": "bool", "attn_mask": "float"}, {"need_weights": False}),
    "need_weights False, bool mask only": ({"embed_dim": 6, "num_heads": 2}, (4, 2, 6), (5, 2, 6), (5, 2, 6),
                                           {"attn_mask": "bool"}, {"need_weights": False}),
    "kdim vdim, no bias": ({"embed_dim": 6, "num_heads": 2, "kdim": 3, "vdim": 5, "bias": False},
                           (4, 2, 6), (5, 2, 3), (5, 2, 5), {"key_padding_mask": "bool"}, {}),
    "unbatched": ({"embed_dim": 4, "num_heads": 2}, (3, 4), (5, 4), (5, 4), {"attn_mask": "bool"}, {}),
    "causal hint": ({"embed_dim": 4, "num_heads": 2}, (4, 2, 4), (4, 2, 4), (4, 2, 4),
                    {"attn_mask": "causal"}, {"is_causal": True, "need_weights": False}),
}


def _mha_mask(kind, name, heads, q_shape, k_shape, batch_first):
    batched = len(q_shape) == 3
    length = q_shape[1 if batch_first and batched else 0]
    source = k_shape[1 if batch_first and batched else 0]
    batch = (q_shape[0] if batch_first else q_shape[1]) if batched else 1
    if name == "key_padding_mask":
        mask = np.zeros((batch, source), bool)
        mask[0, -2:] = True
        return mask if batched else mask[0]
    if kind == "bool":
        mask = RNG.uniform(size=(length, source)) < 0.3
        mask[:, 0] = False  # every query sees a key
        return mask
    if kind == "causal":
        return np.triu(np.ones((length, source), bool), 1)
    if kind == "float3":
        return RNG.standard_normal((batch * heads, length, source))
    return RNG.standard_normal((length, source))


@pytest.mark.parametrize("name", list(MHA_CASES))
def test_multihead_attention_matches_torch(name):
    options, q_shape, k_shape, v_shape, masks, forward_options = MHA_CASES[name]
    mine, ref = _pair(**options)
    arrays = [RNG.standard_normal(s) for s in (q_shape, k_shape, v_shape)]
    mine_in, ref_in = _leaves(arrays)
    mask_arrays = {m: _mha_mask(kind, m, options["num_heads"], q_shape, k_shape, options.get("batch_first", False))
                   for m, kind in masks.items()}
    mine_out, mine_w = mine(*mine_in, **mask_arrays, **forward_options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's note on mixed bool/float masks
        ref_out, ref_w = ref(*ref_in, **{m: torch.tensor(a) for m, a in mask_arrays.items()}, **forward_options)
    _close(mine_out.data, ref_out.detach().numpy(), "attn_output")
    if ref_w is None:
        assert mine_w is None
    else:
        assert mine_w.shape == tuple(ref_w.shape)
        _close(mine_w.data, ref_w.detach().numpy(), "attn_weights")
    up = RNG.standard_normal(tuple(ref_out.shape))
    mine_out.backward(up)
    ref_out.backward(torch.tensor(up))
    for i, (m, r) in enumerate(zip(mine_in, ref_in)):
        _close(m.grad, r.grad.numpy(), f"gradient of input {i}")
    ref_params = dict(ref.named_parameters())
    assert [n for n, _ in mine.named_parameters()] == list(ref_params)
    for n, p in mine.named_parameters():
        _close(p.grad, ref_params[n].grad.numpy(), f"gradient of {n}")


def test_gradient_of_a_float_attn_mask_matches_torch():
    mine, ref = _pair(embed_dim=4, num_heads=2)
    x = RNG.standard_normal((3, 2, 4))
    mask = RNG.standard_normal((3, 3))
    gm, tm = gc.tensor(mask, requires_grad=True), torch.tensor(mask, requires_grad=True)
    mine(x, x, x, attn_mask=gm)[0].sum().backward()
    ref(torch.tensor(x), torch.tensor(x), torch.tensor(x), attn_mask=tm)[0].sum().backward()
    _close(gm.grad, tm.grad.numpy(), "gradient of attn_mask")


def test_parameter_names_shapes_and_initialisation_as_torch():
    layer = nn.MultiheadAttention(8, 2, rng=0)
    ref = torch.nn.MultiheadAttention(8, 2)
    assert {k: v.shape for k, v in layer.state_dict().items()} == {k: tuple(v.shape) for k, v in ref.state_dict().items()}
    np.testing.assert_array_equal(layer.in_proj_bias.data, 0)
    np.testing.assert_array_equal(layer.out_proj.bias.data, 0)
    bound = math.sqrt(6 / (8 + 24))  # xavier_uniform_ on (3E, E)
    w = layer.in_proj_weight.data
    assert w.min() >= -bound and w.max() <= bound and w.std() > bound / 3
    assert layer.in_proj_weight.dtype == np.float32
    separate = nn.MultiheadAttention(8, 2, kdim=3, vdim=5)
    assert separate.in_proj_weight is None
    assert [n for n, _ in separate.named_parameters()] == [n for n, _ in torch.nn.MultiheadAttention(8, 2, kdim=3, vdim=5).named_parameters()]


def test_dropout_only_in_training():
    mine, ref = _pair(embed_dim=4, num_heads=2, dropout=0.5)
    x = RNG.standard_normal((3, 2, 4))
    mine.eval()
    ref.eval()
    out, _ = mine(x, x, x)
    _close(out.data, ref(*(torch.tensor(x),) * 3)[0].detach().numpy(), "eval output")
    mine.train()
    trained, weights = mine(x, x, x, average_attn_weights=False)
    assert not np.allclose(trained.data, out.data)
    assert np.any(weights.data == 0)  # dropped attention weights are returned, as torch's


def test_bad_arguments_name_them():
    with pytest.raises(ValueError, match="divisible by num_heads"):
        nn.MultiheadAttention(6, 4)
    with pytest.raises(ValueError, match="embed_dim"):
        nn.MultiheadAttention(0, 1)
    with pytest.raises(NotImplementedError, match="add_bias_kv"):
        nn.MultiheadAttention(4, 2, add_bias_kv=True)
    layer = nn.MultiheadAttention(4, 2)
    x = np.zeros((3, 2, 4), np.float32)
    with pytest.raises(ValueError, match="key_padding_mask must have shape \\(2, 3\\)"):
        layer(x, x, x, key_padding_mask=np.zeros((2, 4), bool))
    with pytest.raises(ValueError, match="attn_mask must have shape"):
        layer(x, x, x, attn_mask=np.zeros((3, 4), bool))
    with pytest.raises(ValueError, match="is_causal=True needs attn_mask"):
        layer(x, x, x, is_causal=True)
