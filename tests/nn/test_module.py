"""Module: attribute walking, names and order (against torch), modes, grads, dtype, repr."""

import numpy as np
import pytest
import torch

import gradcraft as gc
from gradcraft import nn


def test_named_parameters_match_torch_names_and_order(net, torch_net):
    ours = [(name, p.shape) for name, p in net.named_parameters()]
    theirs = [(name, tuple(p.shape)) for name, p in torch_net.named_parameters()]
    assert ours == theirs
    assert ours[0][0] == "scale"  # own parameters come before children's, as in torch


def test_parameters_are_leaf_tensors_requiring_grad(net):
    params = list(net.parameters())
    assert len(params) == 8
    assert all(isinstance(p, gc.Tensor) and p.requires_grad and p.is_leaf for p in params)


def test_named_buffers_children_and_modules(net, torch_net):
    assert [n for n, _ in net.named_buffers()] == [n for n, _ in torch_net.named_buffers()] == ["running"]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "blocks.0", "blocks.1", "head"]
    assert [n for n, _ in net.named_modules()] == [n for n, _ in torch_net.named_modules()
                                                    if n != "blocks"]  # a plain list is not a module


def test_num_parameters_matches_torch(net, torch_net):
    expected = sum(p.numel() for p in torch_net.parameters())
    assert expected == 4 * 8 + 8 + 8 * 8 + 8 + 8 * 8 + 8 + 8 * 3 + 3
    assert net.num_parameters() == expected


def test_shared_parameter_listed_once_but_saved_under_both_names():
    shared = nn.Linear(3, 3, rng=0)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    torch_shared = torch.nn.Linear(3, 3)
    torch_model = torch.nn.Sequential(torch_shared, torch.nn.ReLU(), torch_shared)
    assert [n for n, _ in model.named_parameters()] == [n for n, _ in torch_model.named_parameters()]
    assert list(model.state_dict()) == list(torch_model.state_dict())
    assert model.num_parameters() == 12


def test_train_eval_flip_every_submodule_and_return_self(net):
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    assert net.train() is net
    assert all(m.training for m in net.modules())
    with pytest.raises(TypeError, match=r"mode must be True or False, got 'no' \(str\)"):
        net.train("no")


def test_zero_grad_sets_grads_to_none_or_zero(net):
    x = gc.tensor(np.ones((2, 4), dtype=np.float32))
    net(x).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(np.all(p.grad == 0) for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_forward_matches_torch_with_the_same_weights(net, torch_net):
    torch_net.load_state_dict({k: torch.from_numpy(v) for k, v in net.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    expected = torch_net(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(net(gc.tensor(x)).data, expected, rtol=1e-5, atol=1e-6)


def test_double_and_float_convert_parameters_buffers_and_grads(net):
    net(gc.tensor(np.ones((2, 4), dtype=np.float32))).sum().backward()
    params = list(net.parameters())
    assert net.double() is net
    after = list(net.parameters())
    assert len(after) == len(params) and all(a is b for a, b in zip(after, params))  # same objects
    assert all(p.dtype == np.float64 and p.grad.dtype == np.float64 for p in net.parameters())
    assert net.running.dtype == np.float64
    out = net(gc.tensor(np.ones((2, 4))))
    assert out.dtype == np.float64
    assert net.float() is net
    assert all(p.dtype == np.float32 for p in net.parameters()) and net.running.dtype == np.float32
    assert net.to("float64") is net and net.fc1.weight.dtype == np.float64


def test_to_keeps_integer_buffers_and_refuses_non_float_dtypes():
    model = nn.Linear(2, 2)
    model.register_buffer("count", np.array(3, dtype=np.int64))
    model.double()
    assert model.count.dtype == np.int64 and model.count == 3
    # dtypes that are not floating, and strings that name no dtype, are wrong values
    with pytest.raises(ValueError, match="floating"):
        model.to(np.int32)
    with pytest.raises(ValueError, match="floating dtype"):
        model.to("flaot32")
    assert model.to("cpu") is model  # a device string: the CPU is the one device


def test_non_persistent_and_none_buffers_stay_out_of_state_dict():
    model = nn.Linear(2, 2)
    model.register_buffer("cache", np.zeros(2), persistent=False)
    model.register_buffer("absent", None)
    assert list(model.state_dict()) == ["weight", "bias"]
    assert [n for n, _ in model.named_buffers()] == ["cache"]
    with pytest.raises(ValueError, match="buffer name"):
        model.register_buffer("a.b", np.zeros(1))
    with pytest.raises(ValueError, match="already holds a Parameter"):
        model.register_buffer("weight", np.zeros(1))


def test_reassigned_buffer_is_what_state_dict_saves():
    model = nn.Identity()
    model.register_buffer("running_mean", np.zeros(3, dtype=np.float32))
    model.running_mean = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    np.testing.assert_array_equal(model.state_dict()["running_mean"], [1.0, 2.0, 3.0])


def test_repr_matches_torch_layout():
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
    expected = ("Sequential(\n"
                "  (0): Linear(in_features=784, out_features=128, bias=True)\n"
                "  (1): ReLU()\n"
                "  (2): Dropout(p=0.2)\n"
                "  (3): Linear(in_features=128, out_features=10, bias=True)\n"
                ")")
    assert repr(model) == expected
    torch_repr = repr(torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU()))
    assert repr(model[:2]) == torch_repr


def test_nested_repr_indents_children(net):
    text = repr(net)
    assert text.startswith("Net(\n  (fc1): Linear(in_features=4, out_features=8, bias=True)\n")
    assert "  (blocks.1): Linear(in_features=8, out_features=8, bias=False)\n" in text
    assert "  (head): Sequential(\n    (0): Linear(in_features=8, out_features=3, bias=True)\n" \
           "    (1): Softmax(axis=-1)\n  )\n)" in text


def test_parameter_repr_and_validation():
    p = nn.Parameter(np.zeros(2, dtype=np.float32))
    assert repr(p).startswith("Parameter containing:\ntensor(")
    with pytest.raises(TypeError, match="floating point"):
        nn.Parameter(np.arange(3))


def test_module_without_super_init_still_works():
    class Bare(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 1, rng=0)

        def forward(self, x):
            return self.fc(x)

    model = Bare()
    assert model.training and [n for n, _ in model.named_parameters()] == ["fc.weight", "fc.bias"]
    model.eval()
    assert not model.fc.training


def test_forward_not_defined_is_a_clear_error():
    with pytest.raises(NotImplementedError, match="must define forward"):
        nn.Module()(1)


def test_requires_grad_and_apply():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    model.requires_grad_(False)
    assert model.num_parameters(only_trainable=True) == 0 and model.num_parameters() == 9
    visited = []
    assert model.apply(lambda m: visited.append(type(m).__name__)) is model
    assert visited == ["Linear", "Linear", "Sequential"]  # children first, as torch


def test_deepcopy_gives_an_independent_model(net):
    import copy

    clone = copy.deepcopy(net)
    assert [n for n, _ in clone.named_parameters()] == [n for n, _ in net.named_parameters()]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in clone.parameters())
    clone.fc1.weight.data[...] = 0.0
    clone.running[...] = -1.0
    assert net.fc1.weight.data.any() and net.running.min() == 0.0
