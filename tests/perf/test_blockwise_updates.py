"""Cache-blocked optimizer updates (`flat_blocks`, the shared work buffer): same results as PyTorch
on parameters spanning several blocks, on non-contiguous arrays, and in every SGD variant."""

import numpy as np
import pytest
import torch

from gradcraft import nn, optim
from gradcraft.optim.optimizer import UPDATE_BLOCK, flat_blocks

# 2 full blocks and a partial one, so a block that is skipped, repeated or cut short shows up.
BIG = (2 * UPDATE_BLOCK + 1234,)
SHAPES = [(3, UPDATE_BLOCK // 2 + 7), BIG, (5,)]

SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01, maximize=True),
    dict(lr=0.1, weight_decay=0.2),
]


def _run_both(kwargs, dtype, steps=6, layout=np.ascontiguousarray, grad_layout=np.ascontiguousarray,
              name="SGD"):
    rng = np.random.default_rng(0)
    start = [layout(rng.normal(size=s).astype(dtype)) for s in SHAPES]
    grads = [[grad_layout(rng.normal(size=s).astype(dtype)) for s in SHAPES] for _ in range(steps)]
    ours = [nn.Parameter(v) for v in start]
    theirs = [torch.nn.Parameter(torch.from_numpy(v.copy())) for v in start]
    our_opt = getattr(optim, name)(ours, **kwargs)
    their_opt = getattr(torch.optim, name)(theirs, **kwargs)
    for step_grads in grads:
        for p, t, g in zip(ours, theirs, step_grads):
            p.grad = g.copy(order="K")
            t.grad = torch.from_numpy(g.copy())
        our_opt.step()
        their_opt.step()
    return ours, theirs, start, our_opt, their_opt


@pytest.mark.parametrize("kwargs", SGD_CASES, ids=[str(k) for k in SGD_CASES])
def test_sgd_on_multi_block_parameters_matches_torch_float64(kwargs):
    ours, theirs, start, our_opt, their_opt = _run_both(kwargs, np.float64)
    for p, t, s in zip(ours, theirs, start):
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-12, atol=1e-12)
        assert np.abs(p.data - s).min() > 0  # every element moved: no block was skipped
    if kwargs.get("momentum"):
        for p, t in zip(ours, theirs):
            np.testing.assert_allclose(our_opt.state[p]["momentum_buffer"],
                                       their_opt.state[t]["momentum_buffer"].numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kwargs", SGD_CASES[1:4], ids=[str(k) for k in SGD_CASES[1:4]])
def test_sgd_on_multi_block_parameters_matches_torch_float32(kwargs):
    # float32: 6 steps of a few roundings each (PyTorch may fuse a multiply-add) -> a few ulps
    ours, theirs, *_ = _run_both(kwargs, np.float32)
    for p, t in zip(ours, theirs):
        assert p.dtype == np.float32
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=2e-6, atol=2e-6)


def test_non_contiguous_parameters_and_gradients_are_updated_in_place():
    # Fortran-ordered parameters and gradients cannot be flattened into views: whole-array path.
    kwargs = dict(lr=0.05, momentum=0.9, nesterov=True)
    ours, theirs, start, *_ = _run_both(kwargs, np.float64, layout=np.asfortranarray,
                                        grad_layout=np.asfortranarray)
    assert ours[0].data.flags.f_contiguous and not ours[0].data.flags.c_contiguous
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-12, atol=1e-12)
    mixed = _run_both(kwargs, np.float64, grad_layout=np.asfortranarray)  # C param, F grad
    for p, t in zip(mixed[0], mixed[1]):
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name, kwargs", [("Adam", dict(lr=0.01, amsgrad=True)),
                                          ("RMSprop", dict(momentum=0.5, centered=True)),
                                          ("Adagrad", dict(lr=0.1))])
def test_shared_work_buffer_keeps_other_optimizers_exact(name, kwargs):
    # they share one work buffer across parameters of different sizes (largest first here)
    ours, theirs, *_ = _run_both(kwargs, np.float64, name=name)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-12, atol=1e-12)


def test_flat_blocks_cover_every_element_once_and_write_through():
    a = np.arange(10.0).reshape(2, 5)
    b = np.zeros((2, 5))
    blocks = list(flat_blocks(a, None, b, block=4))
    assert [len(x) for x, _, _ in blocks] == [4, 4, 2]
    assert all(middle is None for _, middle, _ in blocks)
    for x, _, y in blocks:
        y += x + 1
    np.testing.assert_array_equal(b, [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]])


def test_flat_blocks_returns_small_or_non_contiguous_arrays_whole():
    small = np.ones((2, 3))
    assert list(flat_blocks(small, small, block=6)) == [(small, small)]
    big_f = np.asfortranarray(np.ones((4, 5)))
    c = np.ones((4, 5))
    (whole,) = list(flat_blocks(c, big_f, block=3))
    assert whole[0] is c and whole[1] is big_f


def test_work_arrays_are_views_of_one_buffer_per_dtype():
    opt = optim.SGD([nn.Parameter(np.zeros(3, dtype=np.float32))], lr=0.1)
    w_small = opt._work(None, np.empty((2, 3), np.float32))
    w_large = opt._work(None, np.empty((4, 5), np.float32))
    w_again = opt._work(None, np.empty((2, 3), np.float32))
    w64 = opt._work(None, np.empty(7, np.float64))
    assert (w_large.shape, w_large.dtype, w64.shape, w64.dtype) == ((4, 5), np.float32, (7,), np.float64)
    assert np.shares_memory(w_large, w_again) and not np.shares_memory(w_large, w64)
    assert w_small.shape == (2, 3) and w_again.flags.c_contiguous
