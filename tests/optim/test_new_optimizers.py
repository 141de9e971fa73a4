"""Adadelta, NAdam, RAdam, Adamax and LBFGS against torch.optim (2.13, CPU) in float64: update
rules (30 steps, identical gradients, 1e-9), LBFGS iterates and closure calls, argument checks,
state dicts (within gradcraft, and torch's loaded here)."""

import contextlib

import numpy as np
import pytest
import torch

import gradcraft as gc
from gradcraft import nn, optim

CASES = [
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5)),
    ("Adadelta", dict(weight_decay=0.1)),
    ("Adadelta", dict(rho=0.95, weight_decay=0.05, maximize=True)),
    ("Adadelta", dict(rho=1.0)),                      # the edge torch allows: nothing decays
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6)),
    ("NAdam", dict(weight_decay=0.1)),
    ("NAdam", dict(weight_decay=0.1, decoupled_weight_decay=True)),
    ("NAdam", dict(momentum_decay=0.05, maximize=True, weight_decay=0.02)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6)),  # rho_t > 5 from the first steps
    ("RAdam", dict(weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01, maximize=True, weight_decay=0.05, betas=(0.5, 0.95))),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-4)),
    ("Adamax", dict(weight_decay=0.1)),
    ("Adamax", dict(lr=0.01, maximize=True, weight_decay=0.05)),
]
NAMES = ["Adadelta", "NAdam", "RAdam", "Adamax"]


@contextlib.contextmanager
def torch_scalars_like(name):
    """torch keeps NAdam's 'mu_product' in a tensor of its default dtype (float32 unless changed);
    gradcraft keeps it in double, as torch does under a float64 default: compare there."""
    if name != "NAdam":
        yield
        return
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


def _run_both(h, name, kwargs, steps=30, dtype=np.float64):
    ours, theirs = h.make_params(dtype)
    grads = h.gradient_sequence(steps, dtype=dtype)
    opt = getattr(optim, name)(ours, **kwargs)
    h.run_steps(ours, opt, grads)
    with torch_scalars_like(name):
        torch_opt = getattr(torch.optim, name)(theirs, **kwargs)
        h.run_steps(theirs, torch_opt, grads, torch_side=True)
    return ours, theirs, opt, torch_opt


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_matches_torch_for_30_steps_in_float64(h, name, kwargs):
    ours, theirs, _, _ = _run_both(h, name, kwargs)
    for p, t, start in zip(ours, theirs, h.initial_values()):
        assert p.dtype == np.float64
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-9, atol=1e-9)
        assert not np.allclose(p.data, start, atol=1e-3)  # the parameters did move


def test_nadam_under_torchs_float32_scalar_default_agrees_to_float32_precision(h):
    ours, theirs = h.make_params()
    grads = h.gradient_sequence(30)
    h.run_steps(ours, optim.NAdam(ours), grads)
    assert torch.get_default_dtype() == torch.float32
    h.run_steps(theirs, torch.optim.NAdam(theirs), grads, torch_side=True)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_float32_parameters_stay_float32_and_match_torch(h, name):
    ours, theirs, opt, _ = _run_both(h, name, dict(weight_decay=0.01), dtype=np.float32)
    for p, t in zip(ours, theirs):
        assert p.dtype == np.float32
        assert all(v.dtype == np.float32 for v in opt.state[p].values() if isinstance(v, np.ndarray))
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, group_options", [
    ("Adadelta", {"rho": 0.5, "lr": 0.3}), ("NAdam", {"decoupled_weight_decay": True, "weight_decay": 0.2}),
    ("RAdam", {"betas": (0.7, 0.9), "maximize": True}), ("Adamax", {"lr": 0.02, "eps": 1e-3})])
def test_parameter_groups_with_their_own_hyper_parameters_match_torch(h, name, group_options):
    ours, theirs = h.make_params()
    grads = h.gradient_sequence(30)
    opt = getattr(optim, name)([{"params": ours[:1]}, {"params": ours[1:], **group_options}])
    h.run_steps(ours, opt, grads)
    with torch_scalars_like(name):
        torch_opt = getattr(torch.optim, name)([{"params": theirs[:1]}, {"params": theirs[1:], **group_options}])
        h.run_steps(theirs, torch_opt, grads, torch_side=True)
    for key, value in group_options.items():
        assert opt.param_groups[1][key] == value
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_zero_learning_rate_leaves_parameters_unchanged_like_torch(h, name):
    ours, theirs, _, _ = _run_both(h, name, dict(lr=0.0), steps=3)
    for p, t, start in zip(ours, theirs, h.initial_values()):
        np.testing.assert_array_equal(t.detach().numpy(), start)
        np.testing.assert_array_equal(p.data, start)


# ---------------------------------------------------------------- state dicts

# (the save/load/continue round trip of these is in test_optimizer_state.py, with the others)
STATE_CASES = [("Adadelta", dict(weight_decay=0.1)), ("NAdam", dict(decoupled_weight_decay=True, weight_decay=0.1)),
               ("RAdam", dict(weight_decay=0.1)), ("Adamax", dict(maximize=True))]
TORCH_ONLY_GROUP_KEYS = {"foreach", "capturable", "differentiable"}


@pytest.mark.parametrize("name, kwargs", STATE_CASES)
def test_state_dict_layout_and_names_are_torchs(h, name, kwargs):
    _, _, opt, torch_opt = _run_both(h, name, kwargs, steps=8)
    state, torch_state = opt.state_dict(), torch_opt.state_dict()
    assert sorted(state["state"]) == sorted(torch_state["state"]) == [0, 1, 2]
    for index, entries in state["state"].items():
        assert sorted(entries) == sorted(torch_state["state"][index])
        for key, value in entries.items():
            np.testing.assert_allclose(value, np.asarray(torch_state["state"][index][key]), rtol=1e-9)
    group, torch_group = state["param_groups"][0], torch_state["param_groups"][0]
    assert set(torch_group) - set(group) == TORCH_ONLY_GROUP_KEYS
    for key, value in group.items():
        assert torch_group[key] == value, key


@pytest.mark.parametrize("name, kwargs", STATE_CASES)
def test_a_torch_state_dict_loads_and_continues_as_torch(h, name, kwargs):
    grads = h.gradient_sequence(20)
    _, theirs = h.make_params()
    with torch_scalars_like(name):
        torch_opt = getattr(torch.optim, name)(theirs, **kwargs)
        h.run_steps(theirs, torch_opt, grads[:10], torch_side=True)
        torch_state = torch_opt.state_dict()
        ours = [nn.Parameter(t.detach().numpy().copy()) for t in theirs]
        opt = getattr(optim, name)(ours)
        # torch's tensors are read as arrays; only its implementation switches are not ours
        opt.load_state_dict({
            "state": {i: {k: np.asarray(v) for k, v in s.items()} for i, s in torch_state["state"].items()},
            "param_groups": [{k: v for k, v in g.items() if k not in TORCH_ONLY_GROUP_KEYS}
                             for g in torch_state["param_groups"]]})
        h.run_steps(theirs, torch_opt, grads[10:], torch_side=True)
    h.run_steps(ours, opt, grads[10:])
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-9, atol=1e-9)


def test_a_checkpoint_file_resumes_nadam_identically(tmp_path):
    model = nn.Linear(3, 4, rng=0)
    params = list(model.parameters())
    rng = np.random.default_rng(3)
    grads = [[rng.normal(size=p.shape).astype(np.float32) for p in params] for _ in range(20)]

    def run(optimizer, sequence):
        for step_grads in sequence:
            for p, g in zip(params, step_grads):
                p.grad = g.copy()
            optimizer.step()

    opt = optim.NAdam(params, lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)
    run(opt, grads[:8])
    gc.save(model, tmp_path / "model.safetensors", opt)
    run(opt, grads[8:])
    expected = [p.data.copy() for p in params]

    fresh = optim.NAdam(params)
    gc.load(model, tmp_path / "model.safetensors", fresh)  # the weights and state of step 8
    assert fresh.state[params[0]]["step"] == 8 and fresh.param_groups[0]["decoupled_weight_decay"]
    run(fresh, grads[8:])
    for p, value in zip(params, expected):
        np.testing.assert_array_equal(p.data, value)


# ---------------------------------------------------------------- argument checks


@pytest.mark.parametrize("make, error, message", [
    (lambda p: optim.Adadelta([p], lr=-1), ValueError, "lr must be >= 0, got -1.0"),
    (lambda p: optim.NAdam([p], lr=-1), ValueError, "lr must be >= 0, got -1.0"),
    (lambda p: optim.RAdam([p], lr=-1), ValueError, "lr must be >= 0, got -1.0"),
    (lambda p: optim.Adamax([p], lr=-1), ValueError, "lr must be >= 0, got -1.0"),
    (lambda p: optim.LBFGS([p], lr=-1), ValueError, "lr must be >= 0, got -1.0"),
    (lambda p: optim.Adadelta([p], rho=1.5), ValueError, r"rho must be in \[0, 1\], got 1.5"),
    (lambda p: optim.Adadelta([p], rho="0.9"), TypeError, r"rho must be a real number, got '0.9' \(str\)"),
    (lambda p: optim.NAdam([p], betas=(1.0, 0.9)), ValueError, r"betas\[0\] must be in \[0, 1\), got 1.0"),
    (lambda p: optim.RAdam([p], betas=(1.0, 0.9)), ValueError, r"betas\[0\] must be in \[0, 1\), got 1.0"),
    (lambda p: optim.Adamax([p], betas=(1.0, 0.9)), ValueError, r"betas\[0\] must be in \[0, 1\), got 1.0"),
    (lambda p: optim.Adamax([p], betas=(0.9, -0.5)), ValueError, r"betas\[1\] must be in \[0, 1\), got -0.5"),
    (lambda p: optim.RAdam([p], betas=0.9), TypeError, r"betas must be a pair \(beta1, beta2\), got 0.9"),
    (lambda p: optim.NAdam([p], betas=(0.9,)), ValueError, r"betas must be a pair \(beta1, beta2\)"),
    (lambda p: optim.NAdam([p], momentum_decay=-0.1), ValueError, "momentum_decay must be >= 0, got -0.1"),
    (lambda p: optim.NAdam([p], decoupled_weight_decay=1), TypeError,
     r"decoupled_weight_decay must be True or False, got 1 \(int\)"),
    (lambda p: optim.RAdam([p], maximize="yes"), TypeError, r"maximize must be True or False, got 'yes' \(str\)"),
    (lambda p: optim.Adadelta([p], eps=-1e-6), ValueError, "eps must be >= 0, got -1e-06"),
    (lambda p: optim.Adamax([p], weight_decay=-0.1), ValueError, "weight_decay must be >= 0, got -0.1"),
    (lambda p: optim.LBFGS([p], history_size=0), ValueError, "history_size must be a positive int, got 0"),
    (lambda p: optim.LBFGS([p], history_size=2.5), TypeError, r"history_size must be an int, got 2.5 \(float\)"),
    (lambda p: optim.LBFGS([p], line_search_fn="foo"), ValueError,
     "line_search_fn must be one of None, 'strong_wolfe', got 'foo'"),
    (lambda p: optim.LBFGS([p], line_search_fn=True), TypeError, r"line_search_fn must be one of .*got True \(bool\)"),
    (lambda p: optim.LBFGS([p], max_iter=0), ValueError, "max_iter must be a positive int, got 0"),
    (lambda p: optim.LBFGS([p], max_iter=20, max_eval=0), ValueError, "max_eval must be a positive int, got 0"),
    (lambda p: optim.LBFGS([p], tolerance_grad=-1), ValueError, "tolerance_grad must be >= 0, got -1.0"),
    (lambda p: optim.LBFGS([p], tolerance_change="small"), TypeError, "tolerance_change must be a real number"),
    (lambda p: optim.LBFGS([{"params": [p]}, {"params": [nn.Parameter(np.zeros(2))], "lr": 0.1}]), ValueError,
     r"LBFGS doesn't support per-parameter options \(parameter groups\)"),
    (lambda p: optim.LBFGS([p], maximize=True), TypeError, "unexpected keyword argument 'maximize'"),
])
def test_bad_hyper_parameters_are_refused_naming_the_argument(make, error, message):
    with pytest.raises(error, match=message):
        make(nn.Parameter(np.zeros(2)))


@pytest.mark.parametrize("name, kwargs", [("Adadelta", dict(rho=1.5)), ("NAdam", dict(betas=(1.0, 0.9))),
                                          ("RAdam", dict(betas=(1.0, 0.9))), ("Adamax", dict(betas=(1.0, 0.9))),
                                          ("NAdam", dict(momentum_decay=-0.1)), ("Adadelta", dict(lr=-1))])
def test_torch_refuses_the_same_values(name, kwargs):
    with pytest.raises(ValueError):
        getattr(torch.optim, name)([torch.nn.Parameter(torch.zeros(2))], **kwargs)


def test_lbfgs_defaults_are_torchs():
    opt = optim.LBFGS([nn.Parameter(np.zeros(2))])
    torch_opt = torch.optim.LBFGS([torch.nn.Parameter(torch.zeros(2))])
    assert opt.defaults == torch_opt.defaults
    assert opt.param_groups[0]["max_eval"] == 25  # max_iter * 5 // 4, fixed at construction
    assert optim.LBFGS([nn.Parameter(np.zeros(2))], max_iter=7).defaults["max_eval"] == 8


def test_lbfgs_step_needs_a_closure_and_refuses_a_second_group():
    p = nn.Parameter(np.zeros(2))
    opt = optim.LBFGS([p])
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'closure'"):
        opt.step()  # required, as in torch
    with pytest.raises(TypeError, match=r"LBFGS.step needs a closure .*got None \(NoneType\)"):
        opt.step(None)
    with pytest.raises(TypeError, match="LBFGS.step needs a closure"):
        opt.step(1.5)
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        opt.add_param_group({"params": [nn.Parameter(np.zeros(2))]})
    assert len(opt.param_groups) == 1 and not opt.state


# ---------------------------------------------------------------- LBFGS


def _rosenbrock(x):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def _least_squares(ps, lib):
    return ((_constant(lib, _A, ps[0]) @ ps[0].T + ps[1] - _constant(lib, _B, ps[0])) ** 2).mean()


def _constant(lib, array, like):
    """`array` as a constant of `lib` in the dtype of the parameter `like`."""
    if lib is torch:
        return torch.from_numpy(array).to(like.dtype)
    return gc.tensor(array.astype(like.dtype))


_RNG = np.random.default_rng(7)
_A, _B = _RNG.normal(size=(20, 3)), _RNG.normal(size=(20, 2))
PROBLEMS = {
    # (initial values, loss(params, library)); the least-squares problem's third parameter takes
    # no part in the loss: its gradient stays None and counts as zeros in both libraries
    "rosenbrock": ([np.array([-1.5, 2.0, -0.5, 1.2])], lambda ps, lib: _rosenbrock(ps[0])),
    "least_squares": ([_RNG.normal(size=(2, 3)), _RNG.normal(size=2), np.ones(3)],
                      _least_squares),
}
LBFGS_CASES = [
    # fixed steps on the Rosenbrock valley amplify rounding chaotically after a few steps (a 1e-15
    # change of the start moves torch's own 5th iterate by 1e-3): one step of 20 iterations
    ("rosenbrock", dict(), 1),
    ("rosenbrock", dict(lr=0.1, history_size=3, max_iter=7), 5),
    ("rosenbrock", dict(line_search_fn="strong_wolfe"), 5),
    ("rosenbrock", dict(line_search_fn="strong_wolfe", history_size=2, max_iter=5, max_eval=9), 5),
    ("rosenbrock", dict(line_search_fn="strong_wolfe", lr=0.5, tolerance_change=1e-4), 4),
    ("least_squares", dict(), 3),
    ("least_squares", dict(line_search_fn="strong_wolfe"), 3),
    ("least_squares", dict(lr=0.5, max_iter=4, history_size=1, tolerance_change=1e-5), 4),
    ("least_squares", dict(tolerance_grad=1e3), 2),  # optimal at once: one call per step
    ("least_squares", dict(line_search_fn="strong_wolfe", max_iter=1), 3),  # max_eval 1: no search budget
]


def _lbfgs_run(library, problem, kwargs, steps, opt=None, values=None):
    """Run `steps` steps of a new LBFGS (from `values`, default the problem's start) or of `opt`
    (on its own parameters). Per step: (parameter values, closure calls so far, step's loss)."""
    initial, loss_fn = PROBLEMS[problem]
    if opt is None:
        values = initial if values is None else values
        if library is torch:
            opt = torch.optim.LBFGS([torch.nn.Parameter(torch.from_numpy(v.copy())) for v in values], **kwargs)
        else:
            opt = optim.LBFGS([nn.Parameter(v.copy()) for v in values], **kwargs)
    params = opt.param_groups[0]["params"]
    calls = [0]

    def closure():
        calls[0] += 1
        opt.zero_grad()
        loss = loss_fn(params, library)
        loss.backward()
        return loss

    trace = []
    for _ in range(steps):
        loss = opt.step(closure)
        trace.append(([np.array(p.detach().numpy() if library is torch else p.data) for p in params],
                      calls[0], float(loss)))
    return trace, opt, params


@pytest.mark.parametrize("problem, kwargs, steps", LBFGS_CASES, ids=[f"{p}-{k}" for p, k, _ in LBFGS_CASES])
def test_lbfgs_iterates_and_closure_calls_match_torch(problem, kwargs, steps):
    ours, opt, params = _lbfgs_run(gc, problem, kwargs, steps)
    theirs, torch_opt, _ = _lbfgs_run(torch, problem, kwargs, steps)
    for (values, calls, loss), (torch_values, torch_calls, torch_loss) in zip(ours, theirs):
        assert calls == torch_calls
        np.testing.assert_allclose(loss, torch_loss, rtol=1e-9, atol=1e-12)
        for value, torch_value in zip(values, torch_values):
            np.testing.assert_allclose(value, torch_value, rtol=1e-9, atol=1e-9)
    state, torch_state = opt.state[params[0]], next(iter(torch_opt.state.values()))
    assert (state["func_evals"], state["n_iter"]) == (torch_state["func_evals"], torch_state["n_iter"])
    assert sorted(state) == sorted(torch_state)
    assert not np.allclose(ours[-1][0][0], PROBLEMS[problem][0][0]) or kwargs.get("tolerance_grad")


@pytest.mark.parametrize("kwargs", [dict(), dict(line_search_fn="strong_wolfe", history_size=2)])
def test_lbfgs_in_float32_takes_torchs_decisions(kwargs):
    # the slopes and step lengths are float32 scalars, as torch's 0-d tensors: the same closure calls
    values = [v.astype(np.float32) for v in PROBLEMS["least_squares"][0]]
    ours, opt, params = _lbfgs_run(gc, "least_squares", kwargs, 3, values=values)
    theirs, _, _ = _lbfgs_run(torch, "least_squares", kwargs, 3, values=values)
    assert params[0].dtype == np.float32 and opt.state[params[0]]["H_diag"].dtype == np.float32
    for (values, calls, _), (torch_values, torch_calls, _) in zip(ours, theirs):
        assert calls == torch_calls
        for value, torch_value in zip(values, torch_values):
            assert value.dtype == np.float32
            np.testing.assert_allclose(value, torch_value, rtol=1e-5, atol=1e-6)


def test_lbfgs_converges_on_rosenbrock_with_the_line_search():
    trace, _, _ = _lbfgs_run(gc, "rosenbrock", dict(line_search_fn="strong_wolfe"), 5)
    np.testing.assert_allclose(trace[-1][0][0], np.ones(4), atol=1e-5)


def test_lbfgs_least_squares_reaches_the_normal_equations_solution():
    trace, _, _ = _lbfgs_run(gc, "least_squares", dict(line_search_fn="strong_wolfe"), 3)
    design = np.hstack([_A, np.ones((20, 1))])
    solution = np.linalg.lstsq(design, _B, rcond=None)[0]  # rows: weights (3) and bias (1)
    np.testing.assert_allclose(trace[-1][0][0], solution[:3].T, atol=1e-5)  # to tolerance_grad's reach
    np.testing.assert_allclose(trace[-1][0][1], solution[3], atol=1e-5)
    np.testing.assert_array_equal(trace[-1][0][2], np.ones(3))  # no gradient: untouched


@pytest.mark.parametrize("kwargs", [dict(history_size=3), dict(line_search_fn="strong_wolfe", history_size=2)])
def test_lbfgs_state_dict_round_trip_continues_identically(kwargs):
    kwargs = dict(kwargs, lr=0.2, max_iter=4)
    reference, _, _ = _lbfgs_run(gc, "rosenbrock", kwargs, 5)
    first, opt, params = _lbfgs_run(gc, "rosenbrock", kwargs, 2)
    saved = opt.state_dict()
    assert len(saved["state"][0]["old_dirs"]) >= 2
    _lbfgs_run(gc, "rosenbrock", kwargs, 2, opt=opt)  # changes opt's lists in place: not the saved copy

    resumed_params = [nn.Parameter(v.copy()) for v in first[-1][0]]
    resumed_opt = optim.LBFGS(resumed_params, lr=99.0)
    resumed_opt.load_state_dict(saved)
    assert resumed_opt.param_groups[0]["lr"] == 0.2
    resumed, _, _ = _lbfgs_run(gc, "rosenbrock", kwargs, 3, opt=resumed_opt)
    for (values, _, loss), (expected, _, expected_loss) in zip(resumed, reference[2:]):
        assert loss == expected_loss
        np.testing.assert_array_equal(values[0], expected[0])


def test_lbfgs_loads_a_torch_state_dict_and_continues_as_torch():
    kwargs = dict(line_search_fn="strong_wolfe", history_size=3, max_iter=4)
    theirs, torch_opt, torch_params = _lbfgs_run(torch, "least_squares", kwargs, 1)
    ours_values = [p.detach().numpy().copy() for p in torch_params]
    params = [nn.Parameter(v.copy()) for v in ours_values]
    opt = optim.LBFGS(params)
    opt.load_state_dict(torch_opt.state_dict())  # tensors, lists of tensors, 0-d tensors
    assert opt.param_groups[0]["history_size"] == 3
    ours, _, _ = _lbfgs_run(gc, "least_squares", kwargs, 2, opt=opt)
    theirs_more, _, _ = _lbfgs_run(torch, "least_squares", kwargs, 2, opt=torch_opt)
    for (values, calls, _), (torch_values, torch_calls, _) in zip(ours, theirs_more):
        assert calls == torch_calls
        for value, torch_value in zip(values, torch_values):
            np.testing.assert_allclose(value, torch_value, rtol=1e-9, atol=1e-9)


def test_lbfgs_load_state_dict_refuses_a_vector_of_the_wrong_size():
    _, opt, params = _lbfgs_run(gc, "rosenbrock", dict(), 1)
    saved = opt.state_dict()
    saved["state"][0]["old_dirs"][0] = np.zeros(3)
    before = opt.state_dict()
    with pytest.raises(ValueError, match=r"LBFGS state 'old_dirs\[0\]' must be a vector of the parameters' "
                                         r"4 elements, got shape \(3,\)"):
        opt.load_state_dict(saved)
    np.testing.assert_array_equal(opt.state[params[0]]["d"], before["state"][0]["d"])


def test_lbfgs_step_changes_the_parameters_version():
    p = nn.Parameter(np.array([3.0, -1.0]))
    opt = optim.LBFGS([p], max_iter=2)
    stale = (p * p).sum()  # built before the step: its saved value of p changes

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with pytest.raises(RuntimeError):
        stale.backward()
