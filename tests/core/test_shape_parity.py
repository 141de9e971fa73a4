"""Shape ops (reshape transpose/permute .T broadcast_to/expand squeeze unsqueeze flatten,
concatenate stack split, pad) against PyTorch (float64) and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import gradcraft as gc


def _reverse_axes(t):
    return t.permute(*reversed(range(t.ndim))) if t.ndim else t


def _torch_pad(pad_width, value=0.0):
    """NumPy's ((before, after) per axis) as F.pad's flat list, last axis first."""
    def fn(t):
        widths = np.broadcast_to(np.asarray(pad_width), (t.ndim, 2))
        flat = [int(w) for before_after in widths[::-1] for w in before_after]
        return F.pad(t, flat, value=value)
    return fn


RESHAPE = [
    ("reshape", lambda x: x.reshape(6, 4), lambda x: x.reshape(6, 4), ((2, 3, 4),)),
    ("reshape_tuple", lambda x: x.reshape((-1,)), lambda x: x.reshape(-1), ((2, 3, 4),)),
    ("gc.reshape", lambda x: gc.reshape(x, (3, -1)), lambda x: x.reshape(3, -1), ((2, 3, 2),)),
    ("reshape_0d", lambda x: x.reshape(1, 1), lambda x: x.reshape(1, 1), ((),)),
    ("reshape_to_0d", lambda x: x.reshape(()), lambda x: x.reshape(()), ((1, 1),)),
    ("reshape_empty", lambda x: x.reshape(3, 0), lambda x: x.reshape(3, 0), ((0, 3),)),
    ("reshape_T", lambda x: x.reshape(12), lambda x: x.reshape(12), ((4, 3),), "any", "T"),
    ("reshape_S", lambda x: x.reshape(2, 6), lambda x: x.reshape(2, 6), ((3, 4),), "any", "S"),
    ("view", lambda x: x.view(4, 3), lambda x: x.reshape(4, 3), ((3, 4),)),
    ("flatten", lambda x: x.flatten(), lambda x: x.flatten(), ((2, 3, 4),)),
    ("flatten_1", lambda x: gc.flatten(x, 1), lambda x: x.flatten(1), ((2, 3, 4),)),
]

TRANSPOSE = [
    ("transpose", lambda x: x.transpose(), _reverse_axes, ((2, 3, 4),)),
    ("transpose_axes", lambda x: x.transpose(1, 0, 2), lambda x: x.permute(1, 0, 2), ((2, 3, 4),)),
    ("transpose_tuple", lambda x: gc.transpose(x, (2, 0, 1)), lambda x: x.permute(2, 0, 1), ((2, 3, 4),)),
    ("transpose_negative", lambda x: x.transpose(-1, 0, 1), lambda x: x.permute(-1, 0, 1), ((2, 3, 4),)),
    ("permute", lambda x: x.permute(2, 0, 1), lambda x: x.permute(2, 0, 1), ((2, 3, 4),)),
    ("gc.permute", lambda x: gc.permute(x, 1, 0), lambda x: x.permute(1, 0), ((3, 4),), "any", "T"),
    (".T", lambda x: x.T, lambda x: x.T, ((3, 4),)),
    (".T_1d", lambda x: x.T, _reverse_axes, ((5,),)),
    (".T_0d", lambda x: x.T, _reverse_axes, ((),)),
    (".T_3d", lambda x: x.T, _reverse_axes, ((2, 3, 4),), "any", "S"),
    (".T_empty", lambda x: x.T, lambda x: x.T, ((0, 3),)),
]

BROADCAST = [
    ("broadcast_to", lambda x: x.broadcast_to(2, 3, 4), lambda x: x.expand(2, 3, 4), ((3, 1),)),
    ("gc.broadcast_to", lambda x: gc.broadcast_to(x, (2, 2)), lambda x: x.expand(2, 2), ((),)),
    ("broadcast_to_empty", lambda x: x.broadcast_to((0,)), lambda x: x.expand(0), ((1,),)),
    ("broadcast_to_T", lambda x: x.broadcast_to(4, 3), lambda x: x.expand(4, 3), ((1, 3),), "any", "T"),
    ("expand", lambda x: x.expand(2, -1, 4), lambda x: x.expand(2, -1, 4), ((3, 1),)),
    ("gc.expand", lambda x: gc.expand(x, (5, 3)), lambda x: x.expand(5, 3), ((3,),)),
    ("squeeze", lambda x: x.squeeze(), lambda x: x.squeeze(), ((1, 3, 1),)),
    ("squeeze_0", lambda x: x.squeeze(0), lambda x: x.squeeze(0), ((1, 3, 1),)),
    ("squeeze_tuple", lambda x: gc.squeeze(x, (0, 2)), lambda x: x.squeeze((0, 2)), ((1, 3, 1),)),
    ("squeeze_-1", lambda x: x.squeeze(axis=-1), lambda x: x.squeeze(-1), ((1, 3, 1),)),
    ("squeeze_to_0d", lambda x: x.squeeze(), lambda x: x.squeeze(), ((1,),)),
    ("squeeze_empty", lambda x: x.squeeze(1), lambda x: x.squeeze(1), ((0, 1),)),
    ("unsqueeze_0", lambda x: x.unsqueeze(0), lambda x: x.unsqueeze(0), ((3, 4),)),
    ("unsqueeze_-1", lambda x: x.unsqueeze(-1), lambda x: x.unsqueeze(-1), ((3, 4),), "any", "T"),
    ("unsqueeze_1", lambda x: gc.unsqueeze(x, 1), lambda x: x.unsqueeze(1), ((3, 4),)),
    ("unsqueeze_0d", lambda x: x.unsqueeze(0), lambda x: x.unsqueeze(0), ((),)),
    ("expand_dims", lambda x: gc.expand_dims(x, 2), lambda x: x.unsqueeze(2), ((3, 4),)),
]


def _join(gc_join, torch_join, axis):
    return (lambda *xs: gc_join(list(xs), axis=axis), lambda *xs: torch_join(list(xs), dim=axis))


JOIN = [
    ("concatenate", *_join(gc.concatenate, torch.cat, 0), ((2, 3), (4, 3))),
    ("concatenate", *_join(gc.concatenate, torch.cat, 1), ((2, 3), (2, 1), (2, 0))),
    ("concatenate", *_join(gc.concatenate, torch.cat, -1), ((2, 3, 1), (2, 3, 2))),
    ("concatenate", *_join(gc.concatenate, torch.cat, 0), ((3, 2), (3, 2)), "any", "TS"),
    ("concatenate", *_join(gc.concatenate, torch.cat, 0), ((3,), (2,))),
    ("concatenate_one", *_join(gc.concatenate, torch.cat, 0), ((2, 3),)),
    ("stack", *_join(gc.stack, torch.stack, 0), ((2, 3), (2, 3), (2, 3))),
    ("stack", *_join(gc.stack, torch.stack, -1), ((2, 3), (2, 3))),
    ("stack", *_join(gc.stack, torch.stack, 1), ((2, 3), (2, 3)), "any", "TC"),
    ("stack_0d", *_join(gc.stack, torch.stack, 0), ((), ())),
    ("stack_empty", *_join(gc.stack, torch.stack, 0), ((0, 2), (0, 2))),
]

SPLIT = [
    ("split_sections", lambda x: gc.split(x, 3), lambda x: torch.tensor_split(x, 3), ((6, 4),)),
    ("split_indices", lambda x: gc.split(x, [1, 4], axis=1),
     lambda x: torch.tensor_split(x, [1, 4], dim=1), ((4, 6),)),
    ("split_-1", lambda x: gc.split(x, 2, axis=-1), lambda x: torch.tensor_split(x, 2, dim=-1),
     ((2, 3, 4),), "any", "T"),
    ("split_empty_piece", lambda x: gc.split(x, [0, 2], axis=0),
     lambda x: torch.tensor_split(x, [0, 2], dim=0), ((5, 2),)),
    ("split_one", lambda x: gc.split(x, 1), lambda x: torch.tensor_split(x, 1), ((3,),)),
]

PAD = [
    ("pad", lambda x: gc.pad(x, ((1, 2), (0, 3))), _torch_pad(((1, 2), (0, 3))), ((3, 4),)),
    ("pad_int", lambda x: x.pad(1), _torch_pad(1), ((3, 4),)),
    ("pad_pair", lambda x: x.pad((2, 1)), _torch_pad((2, 1)), ((3,),)),
    ("pad_value", lambda x: gc.pad(x, ((0, 0), (1, 1), (2, 0)), constant_values=0.5),
     _torch_pad(((0, 0), (1, 1), (2, 0)), 0.5), ((2, 3, 2),)),
    ("pad_T", lambda x: gc.pad(x, ((1, 0), (0, 1))), _torch_pad(((1, 0), (0, 1))), ((4, 3),), "any", "T"),
    ("pad_empty", lambda x: gc.pad(x, ((1, 1), (0, 0))), _torch_pad(((1, 1), (0, 0))), ((0, 2),)),
]

CASES = RESHAPE + TRANSPOSE + BROADCAST + JOIN + SPLIT + PAD


def test_parity_with_torch(case, parity):
    parity(case)


def test_gradcheck(case, gradcheck_case):
    gradcheck_case(case)


def test_reshape_and_transpose_do_not_copy_contiguous_data():
    base = gc.tensor(np.arange(12.0))
    assert np.shares_memory(base.reshape(3, 4).data, base.data)
    assert np.shares_memory(base.reshape(3, 4).T.data, base.data)


def test_split_returns_a_list_of_the_pieces():
    pieces = gc.split(gc.tensor(np.arange(6.0)), [2, 3])
    assert isinstance(pieces, list)
    assert [p.shape for p in pieces] == [(2,), (1,), (3,)]


@pytest.mark.parametrize("call,message", [
    (lambda x: x.reshape(5, 5), r"\(2, 3, 4\).*\(5, 5\)"),
    (lambda x: x.transpose(0, 0, 1), r"\(0, 0, 1\).*\(2, 3, 4\)"),
    (lambda x: x.transpose(0, 2, 2), r"\(0, 2, 2\).*\(2, 3, 4\)"),
    (lambda x: x.transpose(0, 5), r"axis2=5"),
    (lambda x: x.transpose(0, 1, 5), r"\(0, 1, 5\).*\(2, 3, 4\)"),
    (lambda x: x.broadcast_to(3, 3, 4), r"\(2, 3, 4\).*\(3, 3, 4\)"),
    (lambda x: x.squeeze(1), r"axis 1.*\(2, 3, 4\)"),
    (lambda x: x.unsqueeze(5), r"axis 5.*\(2, 3, 4\)"),
    (lambda x: gc.split(x, 5, axis=1), r"size 3.*5"),
    (lambda x: gc.concatenate([x, gc.tensor(np.ones((2, 4, 4)))], axis=0), r"\(2, 4, 4\).*\(2, 3, 4\)"),
    (lambda x: gc.stack([x, gc.tensor(np.ones((2, 3)))]), r"\(2, 3\).*\(2, 3, 4\)"),
    (lambda x: x.pad(-3), r"pad_width"),  # cropping more than the axis holds
    (lambda x: x.pad(1, mode="foo"), r"mode"),
    (lambda x: x.sum(axis=3), r"axis=3.*3 dimensions"),
    (lambda x: x.mean(axis=(0, 0)), r"repeats"),
])
def test_bad_shape_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call(gc.tensor(np.ones((2, 3, 4))))
