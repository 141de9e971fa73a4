"""Axes as NumPy has them: a 0-d tensor reduces over axis 0 or -1, and an axis out of range is
NumPy's AxisError (a ValueError and an IndexError)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradcraft as gc


@pytest.mark.parametrize("call", [lambda x: x.sum(0), lambda x: x.sum(-1), lambda x: x.max(0),
                                  lambda x: x.min(-1), lambda x: x.squeeze(0),
                                  lambda x: x.squeeze(-1)],
                         ids=["sum(0)", "sum(-1)", "max(0)", "min(-1)", "squeeze(0)", "squeeze(-1)"])
def test_a_0d_tensor_takes_axis_0_and_minus_1_as_numpy_and_torch_do(call):
    expected = call(np.array(3.5))                       # NumPy accepts these
    t = torch.tensor(3.5, dtype=torch.float64, requires_grad=True)
    out_t = call(t)
    out_t = out_t.values if isinstance(out_t, tuple) else out_t  # torch's max(dim) -> (values, indices)
    out_t.backward()
    x = gc.tensor(np.array(3.5), requires_grad=True)
    out = call(x)
    assert out.shape == () and out.item() == expected == out_t.item() == 3.5
    out.backward()
    assert x.grad.item() == t.grad.item() == 1.0


@pytest.mark.parametrize("call, torch_call", [
    (lambda x: x.mean(0), lambda t: t.mean(0)), (lambda x: x.var(-1), lambda t: t.var(-1, correction=0)),
    (lambda x: x.std(0), lambda t: t.std(0, correction=0)), (lambda x: x.sum((0,)), lambda t: t.sum((0,))),
    (lambda x: x.argmax(0), lambda t: t.argmax(0)),
])
def test_every_reduction_of_a_0d_tensor_takes_axis_0_as_torch(call, torch_call):
    assert call(gc.tensor(np.array(2.0))).item() == torch_call(torch.tensor(2.0, dtype=torch.float64)).item()


@pytest.mark.parametrize("call, numpy_call", [
    (lambda x: x.sum(2), lambda a: a.sum(2)), (lambda x: x.mean(-3), lambda a: a.mean(-3)),
    (lambda x: x.max(axis=(0, 2)), lambda a: a.max(axis=(0, 2))), (lambda x: x.var(5), lambda a: a.var(5)),
    (lambda x: x.squeeze(2), lambda a: a.squeeze(2)),
    (lambda x: x.unsqueeze(4), lambda a: np.expand_dims(a, 4)),
    (lambda x: gc.concatenate([x, x], axis=2), lambda a: np.concatenate([a, a], axis=2)),
    (lambda x: gc.stack([x, x], axis=4), lambda a: np.stack([a, a], axis=4)),
    (lambda x: gc.split(x, 2, axis=3), None),  # np.split raises a plain IndexError
    (lambda x: x.argmax(axis=2), lambda a: a.argmax(axis=2)),
    (lambda x: gc.functional.softmax(x, axis=2), None),
])
def test_an_axis_out_of_range_is_numpys_axis_error(call, numpy_call):
    if numpy_call is not None:
        with pytest.raises(np.exceptions.AxisError):  # NumPy's own verdict on the same call
            numpy_call(np.zeros((2, 2)))
    with pytest.raises(np.exceptions.AxisError) as info:
        call(gc.tensor(np.zeros((2, 2))))
    assert isinstance(info.value, ValueError) and isinstance(info.value, IndexError)


def test_an_axis_other_than_0_or_minus_1_of_a_0d_tensor_is_out_of_range():
    with pytest.raises(np.exceptions.AxisError, match=r"axis=1 is out of range for a 0-d tensor"):
        gc.tensor(1.0).sum(1)
    with pytest.raises(np.exceptions.AxisError):
        np.sum(np.array(1.0), axis=1)
