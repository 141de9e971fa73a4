"""The fused normalisation op (`ops.norm.Normalize`) through batch_norm, layer_norm and
group_norm: parity with torch.nn.functional in float64 (values, every gradient, the running
buffers), float64 gradient checks, float32 accuracy without cancellation, and memory layout
(an NCHW view of channels-last memory stays channels-last, output and input gradient)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import gradcraft as gc
from gradcraft import functional as F
from gradcraft.gradcheck import gradcheck


def _tensors(rng, *shapes):
    arrays = [rng.normal(size=shape) for shape in shapes]
    return arrays, [gc.tensor(a, requires_grad=True) for a in arrays], \
        [torch.tensor(a, requires_grad=True) for a in arrays]


def _compare(out, expected, ours, theirs, rng):
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = rng.normal(size=out.shape)
    (out * gc.tensor(g)).sum().backward()
    (expected * torch.from_numpy(g)).sum().backward()
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-8, atol=1e-11)


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 6), (3, 2, 4, 5), (2, 3, 2, 2, 2)])
@pytest.mark.parametrize("affine", [(True, True), (True, False), (False, True), (False, False)])
def test_batch_norm_training_updates_the_running_arrays_as_torch(shape, affine):
    rng = np.random.default_rng(0)
    c = shape[1]
    (x, w, b), (xg, wg, bg), (xt, wt, bt) = _tensors(rng, shape, (c,), (c,))
    mean, var = rng.normal(size=c), rng.uniform(0.5, 2, c)
    ours_running, torch_running = (mean.copy(), var.copy()), (torch.tensor(mean), torch.tensor(var))
    pick = [(p, q) for p, q, keep in ((wg, wt, affine[0]), (bg, bt, affine[1]))]
    ours_params = [p if keep else None for (p, _), keep in zip(pick, affine)]
    torch_params = [q if keep else None for (_, q), keep in zip(pick, affine)]
    out = F.batch_norm(xg, *ours_running, *ours_params, training=True, momentum=0.2, eps=1e-4)
    expected = TF.batch_norm(xt, *torch_running, *torch_params, training=True, momentum=0.2, eps=1e-4)
    _compare(out, expected, [xg] + [p for p in ours_params if p is not None],
             [xt] + [p for p in torch_params if p is not None], rng)
    for mine, reference in zip(ours_running, torch_running):
        np.testing.assert_allclose(mine, reference.numpy(), rtol=1e-12)


def test_batch_norm_eval_is_an_affine_map_with_gradients_to_x_weight_bias():
    rng = np.random.default_rng(1)
    (x, w, b), ours, theirs = _tensors(rng, (4, 3, 2, 3), (3,), (3,))
    mean, var = rng.normal(size=3), rng.uniform(0.5, 2, 3)
    out = F.batch_norm(ours[0], mean, var, ours[1], ours[2], training=False)
    expected = TF.batch_norm(theirs[0], torch.tensor(mean), torch.tensor(var), theirs[1], theirs[2],
                             training=False)
    _compare(out, expected, ours, theirs, rng)
    # by hand: y = (x - mean) / sqrt(var + eps) * w + b
    by_hand = (x - mean[:, None, None]) / np.sqrt(var[:, None, None] + 1e-5) * w[:, None, None] + b[:, None, None]
    np.testing.assert_allclose(out.data, by_hand, rtol=1e-12)


def test_batch_norm_training_without_running_arrays_and_an_empty_batch():
    rng = np.random.default_rng(2)
    (x,), (xg,), (xt,) = _tensors(rng, (6, 2, 3))
    _compare(F.batch_norm(xg, None, None, training=True), TF.batch_norm(xt, None, None, training=True),
             [xg], [xt], rng)
    running = np.zeros(2), np.ones(2)
    empty = F.batch_norm(gc.zeros((0, 2, 3), dtype=np.float64), *running, training=True)
    assert empty.shape == (0, 2, 3)
    np.testing.assert_array_equal(running[0], 0)   # torch leaves the running arrays as they were


@pytest.mark.parametrize("shape, normalized_shape", [((4, 5), 5), ((2, 3, 4), (3, 4)), ((3, 2, 2, 3), [2, 2, 3]),
                                                     ((6,), (6,))])
def test_layer_norm_matches_torch(shape, normalized_shape):
    rng = np.random.default_rng(3)
    ns = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    (x, w, b), ours, theirs = _tensors(rng, shape, ns, ns)
    _compare(F.layer_norm(ours[0], normalized_shape, ours[1], ours[2], eps=1e-3),
             TF.layer_norm(theirs[0], ns, theirs[1], theirs[2], eps=1e-3), ours, theirs, rng)
    # by hand, for the output
    axes = tuple(range(len(shape) - len(ns), len(shape)))
    by_hand = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + 1e-3) * w + b
    np.testing.assert_allclose(F.layer_norm(x, normalized_shape, w, b, 1e-3).data, by_hand, rtol=1e-10)


@pytest.mark.parametrize("shape, groups", [((2, 6, 3), 3), ((3, 4, 2, 2), 2), ((2, 4), 4), ((1, 2, 3), 1)])
def test_group_norm_matches_torch(shape, groups):
    rng = np.random.default_rng(4)
    c = shape[1]
    (x, w, b), ours, theirs = _tensors(rng, shape, (c,), (c,))
    _compare(F.group_norm(ours[0], groups, ours[1], ours[2]), TF.group_norm(theirs[0], groups, theirs[1], theirs[2]),
             ours, theirs, rng)
    (x2,), (x2g,), (x2t,) = _tensors(rng, shape)
    _compare(F.group_norm(x2g, groups), TF.group_norm(x2t, groups), [x2g], [x2t], rng)


def test_gradcheck_every_form():
    rng = np.random.default_rng(5)
    x = gc.tensor(rng.normal(size=(3, 4, 2, 2)), requires_grad=True)
    w = gc.tensor(rng.uniform(0.5, 2, 4), requires_grad=True)
    b = gc.tensor(rng.normal(size=4), requires_grad=True)
    mean, var = rng.normal(size=4), rng.uniform(0.5, 2, 4)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), x, w, b)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, mean, var, w, b, training=False), x, w, b)
    assert gradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), x, w, b)
    w2 = gc.tensor(rng.uniform(0.5, 2, (2, 2)), requires_grad=True)
    b2 = gc.tensor(rng.normal(size=(2, 2)), requires_grad=True)
    assert gradcheck(lambda x, w, b: F.layer_norm(x, (2, 2), w, b), x, w2, b2)
    assert gradcheck(lambda x: F.layer_norm(x, 2), x)


def _channels_last(a):
    """An NCHW view of a C-contiguous NHWC copy of `a`."""
    return np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


@pytest.mark.parametrize("training", [True, False])
def test_a_channels_last_view_stays_channels_last(training):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(4, 3, 5, 6)).astype(np.float32)
    g = rng.normal(size=x.shape).astype(np.float32)
    w, b = rng.uniform(0.5, 2, 3).astype(np.float32), rng.normal(size=3).astype(np.float32)
    mean, var = rng.normal(size=3).astype(np.float32), rng.uniform(0.5, 2, 3).astype(np.float32)
    results = []
    for array in (x, _channels_last(x)):
        xg = gc.tensor(array, requires_grad=True)
        assert xg.data.strides == array.strides
        out = F.batch_norm(xg, mean, var, gc.tensor(w), gc.tensor(b), training=training)
        out.backward(_channels_last(g) if array is not x else g)
        results.append((out.data, xg.grad))
        assert out.dtype == np.float32 and xg.grad.dtype == np.float32
    (out, grad), (out_cl, grad_cl) = results
    for array in (out_cl, grad_cl):   # channels innermost in memory, no NCHW copy
        assert array.strides[1] == 4 and array.transpose(0, 2, 3, 1).flags.c_contiguous
    np.testing.assert_allclose(out_cl, out, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(grad_cl, grad, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("layout", [lambda a: a, _channels_last])
def test_float32_statistics_have_no_cancellation(layout):
    """A large mean over a small spread (mean/std = 1000): E[x^2] - E[x]^2 in float32 would lose
    every digit; the centred two-pass statistics keep float32's precision."""
    rng = np.random.default_rng(7)
    x = rng.normal(1000.0, 1.0, (16, 4, 8, 8))
    g = rng.normal(size=x.shape)
    xt = torch.tensor(x, requires_grad=True)
    expected = TF.batch_norm(xt, None, None, training=True)
    expected.backward(torch.from_numpy(g))
    x32 = gc.tensor(layout(x.astype(np.float32)), requires_grad=True)
    out = F.batch_norm(x32, None, None, training=True)
    out.backward(layout(g.astype(np.float32)))
    # the float32 rounding of x itself (1000 * 6e-8 = 6e-5 of a unit spread) bounds the accuracy
    np.testing.assert_allclose(out.data, expected.detach().numpy(), atol=5e-4)
    np.testing.assert_allclose(x32.grad, xt.grad.numpy(), atol=5e-3)


def test_non_contiguous_input_and_bad_arguments():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(4, 6, 3))[:, ::2]   # (4, 3, 3), strided
    np.testing.assert_allclose(F.batch_norm(x, None, None, training=True).data,
                               TF.batch_norm(torch.tensor(x), None, None, training=True).numpy(), rtol=1e-10)
    with pytest.raises(ValueError, match=r"batch_norm: weight must have shape \(3,\) for an input of shape "
                                         r"\(4, 3, 3\), got \(2,\)"):
        F.batch_norm(x, None, None, np.ones(2), training=True)
    with pytest.raises(ValueError, match="running_mean and running_var must be given when training=False"):
        F.batch_norm(x, None, None)
    with pytest.raises(TypeError, match="batch_norm: momentum must be a number"):
        F.batch_norm(x, np.zeros(3), np.ones(3), training=True, momentum=None)
    with pytest.raises(TypeError, match="batch_norm: input must be a floating-point tensor"):
        F.batch_norm(np.ones((2, 3), dtype=np.int64), None, None, training=True)
    with pytest.raises(ValueError, match=r"group_norm: the number of channels must be divisible by "
                                         r"num_groups, got input of shape \(4, 3, 3\) and num_groups=2"):
        F.group_norm(x, 2)
    with pytest.raises(ValueError, match=r"group_norm: Expected more than 1 value per channel"):
        F.group_norm(np.zeros((1, 2, 1)), 2)
    with pytest.raises(ValueError, match=r"layer_norm: weight must have shape \(3,\)"):
        F.layer_norm(x, 3, np.ones(2))


# ------------------------------------------------------------------ in-place verdicts
_R = np.random.default_rng(9)
_X, _C, _CHANNELS = _R.normal(size=(3, 2, 4)), _R.uniform(0.5, 2, 2), _R.normal(size=2)
SAVED_CASES = {
    "batch_norm(train)": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                          lambda x, w, b: TF.batch_norm(x, None, None, w, b, training=True), [_X, _C, _CHANNELS]),
    "batch_norm(eval)": (lambda x, w, b: F.batch_norm(x, np.zeros(2), np.ones(2), w, b),
                         lambda x, w, b: TF.batch_norm(x, torch.zeros(2, dtype=torch.float64),
                                                       torch.ones(2, dtype=torch.float64), w, b), [_X, _C, _CHANNELS]),
    "layer_norm": (lambda x, w, b: F.layer_norm(x, 4, w, b), lambda x, w, b: TF.layer_norm(x, (4,), w, b),
                   [_X, _R.uniform(0.5, 2, 4), _R.normal(size=4)]),
    "group_norm": (lambda x, w, b: F.group_norm(x, 2, w, b), lambda x, w, b: TF.group_norm(x, 2, w, b),
                   [_X, _C, _CHANNELS]),
}
_OWN_CENTRED = ("the fused op keeps its own centred copy x - mean (it needs it for the statistics "
                "anyway; in eval only when dweight is wanted), not x, so changing x after the "
                "forward does not change the gradient of the recorded graph")
_NEEDS = ("ggg", "gg-", "g-g", "g--", "-gg", "-g-", "--g")
SAVED_DEVIATIONS = {
    **{(name, needs, "input 0"): _OWN_CENTRED for name in SAVED_CASES for needs in _NEEDS},
    **{("layer_norm", needs, "input 2"): "torch's layer_norm kernel keeps bias; dx and dweight do "
       "not depend on it, and gradcraft's backward never reads it" for needs in _NEEDS},
}


def test_in_place_change_verdict_is_pytorchs(saved_program, check_saved_program):
    check_saved_program(saved_program)
