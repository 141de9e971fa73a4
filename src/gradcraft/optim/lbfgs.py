"""L-BFGS: a quasi-Newton method that re-evaluates the loss itself (`step(closure)`), with an
optional strong-Wolfe line search; PyTorch's algorithm (after minFunc) step for step.

The parameters are treated as one flat vector (all of them, in order). The state is global, but
kept on the first parameter, as PyTorch does, under PyTorch's names: 'func_evals', 'n_iter',
'd' (the last direction), 't' (its step length), 'old_dirs' and 'old_stps' (the history of
gradient differences y and steps s), 'ro' (1 / y.s), 'al' (the two-loop work list), 'H_diag'
(the initial inverse-Hessian scale), 'prev_flat_grad', 'prev_loss'; a torch LBFGS state dict
loads (`LBFGS.load_state_dict`).

Vectors are 1-D arrays. The numbers computed from them (dot products, t, H_diag, ro, al) are
NumPy scalars of the vectors' dtype, where PyTorch has 0-d tensors of the parameters' dtype:
under NumPy's promotion rules (NEP 50) their arithmetic with Python floats rounds as torch's
does, so float32 parameters take the same decisions (the line search's, the stopping tests') as
in torch, not those of a float64 computation. Loss values are Python floats, as torch's
`float(closure())`.
"""

from __future__ import annotations

import numpy as np

from ..autograd import bump_version, enable_grad
from ..tensor import Tensor
from ..validation import check_choice, check_int, describe
from .optimizer import Optimizer

LINE_SEARCHES = (None, "strong_wolfe")

# state entries that are flat vectors of all parameters, or lists of them / of numbers: not
# shaped like the first parameter, so `load_state_dict` checks them here, not in the base class
_VECTORS = ("d", "prev_flat_grad")
_VECTOR_LISTS = ("old_dirs", "old_stps")
_NUMBER_LISTS = ("ro", "al")
_NUMBERS = ("t", "H_diag")


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clamped to
    `bounds` (default [min(x1, x2), max(x1, x2)]); the middle of the bounds if the cubic has no
    minimum. The slopes are NumPy scalars of the parameters' dtype (see `LBFGS`)."""
    if bounds is not None:
        low, high = bounds
    else:
        low, high = (x1, x2) if x1 <= x2 else (x2, x1)
    with np.errstate(all="ignore"):
        # d1 = g1 + g2 - 3 (f1 - f2) / (x1 - x2),  d2 = sqrt(d1^2 - g1 g2)
        # min_pos = x2 - (x2 - x1) (g2 + d2 - d1) / (g2 - g1 + 2 d2)  (x2 the farther point)
        d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
        d2_square = d1**2 - g1 * g2
        if d2_square >= 0:
            d2 = np.sqrt(d2_square)
            if x1 <= x2:
                min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
            else:
                min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
            return min(max(min_pos, low), high)
        return (low + high) / 2.0


def _strong_wolfe(evaluate, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Line search along `d` from loss `f`, gradient `g` and slope `gtd` = g.d, for a step
    length t meeting the strong Wolfe conditions f(t) <= f + c1 t gtd and |f'(t)| <= -c2 gtd:
    bracket such a t, then zoom in by cubic interpolation (Nocedal & Wright, algorithms 3.5 and
    3.6, as minFunc and PyTorch). `evaluate(t)` returns (loss, flat gradient) at x + t d.
    Returns (loss, gradient, t, number of evaluations)."""
    d_norm = np.abs(d).max(initial=0.0)
    f_new, g_new = evaluate(t)
    evaluations = 1
    gtd_new = g_new @ d

    # bracket an interval containing a point satisfying the Wolfe criteria
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        # extrapolate: the cubic's minimum, at least 1% beyond t and at most 10 t
        min_step, max_step = t + 0.01 * (t - t_prev), t * 10
        t_prev, t = t, _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                                          bounds=(min_step, max_step))
        f_prev, g_prev, gtd_prev = f_new, g_new, gtd_new
        f_new, g_new = evaluate(t)
        evaluations += 1
        gtd_new = g_new @ d
        ls_iter += 1
    if ls_iter == max_ls:  # no bracket found within the budget
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom: shrink the bracket until a point satisfies the criteria
    insufficient_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                               bracket[1], bracket_f[1], bracket_gtd[1])
        # A t too close to an end of the bracket makes little progress: after it happened once
        # (or when t falls on or beyond an end) move t to 10% of the bracket from the nearer end.
        high, low = max(bracket), min(bracket)
        margin = 0.1 * (high - low)
        if min(high - t, t - low) < margin:
            if insufficient_progress or t >= high or t <= low:
                t = high - margin if abs(t - high) < abs(t - low) else low + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = evaluate(t)
        evaluations += 1
        gtd_new = g_new @ d
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # not enough decrease, or not below the low end: t becomes the high end
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new, gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True  # the Wolfe conditions hold
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                # the minimum lies between the low end and t: the old low becomes the high end
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos], bracket_gtd[high_pos] = bracket_g[low_pos], bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new, gtd_new
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], evaluations


class LBFGS(Optimizer):
    """PyTorch's LBFGS. `step(closure)` runs up to `max_iter` iterations (and `max_eval` closure
    calls, default max_iter * 5 // 4) of limited-memory BFGS on all parameters as one vector:

        direction d = -H g, H the inverse-Hessian estimate from the last `history_size` pairs
                      (s, y) = (step, gradient change) with y.s > 1e-10 (two-loop recursion,
                      initial scale y.s / y.y); the first iteration ever descends along -g
        step length t = lr (the first iteration ever: min(1, 1 / |g|_1) * lr), or from the
                      strong-Wolfe line search with line_search_fn='strong_wolfe'

    It stops early when max |g| <= tolerance_grad, when the slope g.d > -tolerance_change, when
    max |t d| <= tolerance_change or the loss changed by less than tolerance_change. The closure
    clears the gradients, computes the loss, calls backward() and returns the loss; `step`
    returns the loss of its first call. One parameter group only (PyTorch's rule); no `maximize`
    (PyTorch's LBFGS has none).
    """

    non_negative = ("lr", "tolerance_grad", "tolerance_change")
    flags = ()

    def __init__(self, params, lr: float = 1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9,
                 history_size: int = 100, line_search_fn: str | None = None):
        if max_eval is None:  # PyTorch's default, fixed at construction as there
            max_eval = check_int(max_iter, "max_iter", low=1) * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                                      tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                                      history_size=history_size, line_search_fn=line_search_fn))
        self._params = self.param_groups[0]["params"]

    def add_param_group(self, group: dict) -> None:
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups): "
                             "give it one list of parameters")
        super().add_param_group(group)

    def _check_group(self, group):
        super()._check_group(group)
        for name in ("max_iter", "max_eval", "history_size"):
            group[name] = check_int(group[name], name, low=1)
        check_choice(group["line_search_fn"], "line_search_fn", LINE_SEARCHES)

    # ------------------------------------------------------------------ the flat vector
    def _flat_grad(self) -> np.ndarray:
        """All gradients as one vector (zeros for a parameter without one), a new array."""
        return np.concatenate([np.zeros(p.data.size, p.data.dtype) if p.grad is None
                               else np.asarray(p.grad).reshape(-1) for p in self._params])

    def _add_to_params(self, step_size: float, direction: np.ndarray) -> None:
        """params <- params + step_size * direction (in place; versions bumped)."""
        offset = 0
        for p in self._params:
            size = p.data.size
            p.data += step_size * direction[offset:offset + size].reshape(p.data.shape)
            bump_version(p)
            offset += size

    def _set_params(self, values) -> None:
        for p, value in zip(self._params, values):
            p.data[...] = value
            bump_version(p)

    def _evaluate(self, closure) -> tuple:
        """(what the closure returned, its float value, the flat gradient it left)."""
        with enable_grad():
            loss = closure()
        return loss, float(loss), self._flat_grad()

    # ------------------------------------------------------------------ the step
    def step(self, closure):
        """Run one L-BFGS optimisation (several closure calls); returns the closure's first loss."""
        if not callable(closure):
            raise TypeError(f"LBFGS.step needs a closure (a function that clears the gradients, "
                            f"computes the loss, calls backward() and returns it), got {describe(closure)}")
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss, loss, flat_grad = self._evaluate(closure)
        current_evals = 1
        state["func_evals"] += 1
        if np.abs(flat_grad).max(initial=0.0) <= tolerance_grad:  # already optimal
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag, prev_flat_grad = state.get("H_diag"), state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # ---- the direction
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y @ s
                if ys > 1e-10:  # curvature positive: remember the pair (s, y)
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / (y @ y)
                # two-loop recursion: d = -H g, in one buffer
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = state["al"]
                q = -flat_grad
                for i in range(len(old_dirs) - 1, -1, -1):
                    al[i] = (old_stps[i] @ q) * ro[i]
                    q -= al[i] * old_dirs[i]
                d = r = q * H_diag
                for i in range(len(old_dirs)):
                    be_i = (old_dirs[i] @ r) * ro[i]
                    r += (al[i] - be_i) * old_stps[i]

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.copy()
            else:
                prev_flat_grad[...] = flat_grad
            prev_loss = loss

            # ---- the step length
            if state["n_iter"] == 1:
                with np.errstate(divide="ignore"):  # a zero gradient gives inf, as in torch
                    t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr
            else:
                t = lr
            gtd = flat_grad @ d
            if gtd > -tolerance_change:  # not a descent direction (any more)
                break

            if line_search_fn is not None:
                x_init = [p.data.copy() for p in self._params]

                def evaluate(step_length):
                    self._add_to_params(step_length, d)
                    _, value, grad = self._evaluate(closure)
                    self._set_params(x_init)
                    return value, grad

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    evaluate, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals)
                self._add_to_params(t, d)
                opt_cond = np.abs(flat_grad).max(initial=0.0) <= tolerance_grad
            else:
                self._add_to_params(t, d)
                ls_func_evals = 0
                opt_cond = False
                if n_iter != max_iter:
                    # re-evaluate except after the last iteration (the next step() will anyway)
                    _, loss, flat_grad = self._evaluate(closure)
                    opt_cond = np.abs(flat_grad).max(initial=0.0) <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            # ---- stop?
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max(initial=0.0) <= tolerance_change:  # no progress in x
                break
            if abs(loss - prev_loss) < tolerance_change:            # nor in the loss
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss

    # ------------------------------------------------------------------ state dict
    def state_dict(self) -> dict:
        saved = super().state_dict()
        for entries in saved["state"].values():  # the history lists are copied too
            for name in _VECTOR_LISTS + _NUMBER_LISTS:
                if name in entries:
                    entries[name] = [np.array(v) if isinstance(v, np.ndarray) else v
                                     for v in entries[name]]
        return saved

    def load_state_dict(self, state_dict: dict) -> None:
        """As the base class's; the flat vectors and history lists (not shaped like the first
        parameter) are checked here against the parameters' total size. Accepts PyTorch's
        LBFGS state dicts (tensors are read as arrays)."""
        entries_by_index = state_dict.get("state") if isinstance(state_dict, dict) else None
        if not isinstance(entries_by_index, dict) \
                or not all(isinstance(e, dict) for e in entries_by_index.values()):
            return super().load_state_dict(state_dict)  # its error message
        size = sum(p.data.size for p in self._params)
        dtype = np.result_type(*(p.data.dtype for p in self._params))
        global_parts, rest = {}, {}
        for index, entries in entries_by_index.items():
            part = {}
            for name, value in entries.items():
                if name in _VECTOR_LISTS + _NUMBER_LISTS and not isinstance(value, list | tuple):
                    raise ValueError(f"LBFGS state {name!r} must be a list, got {describe(value)}")
                if name in _VECTORS and value is not None:
                    part[name] = self._loaded_vector(value, name, size, dtype)
                elif name in _VECTOR_LISTS:
                    part[name] = [self._loaded_vector(v, f"{name}[{i}]", size, dtype) for i, v in enumerate(value)]
                elif name in _NUMBER_LISTS:
                    part[name] = [None if v is None else self._loaded_number(v, dtype) for v in value]
                elif name in _NUMBERS and value is not None:
                    part[name] = self._loaded_number(value, dtype)
                elif name in _VECTORS:
                    part[name] = None
            global_parts[index] = part
            rest[index] = {name: value for name, value in entries.items() if name not in part}
        super().load_state_dict({**state_dict, "state": rest})  # checks the rest, then loads it
        saved_params = state_dict["param_groups"][0]["params"]
        by_saved_index = dict(zip(saved_params, self._params))
        for index, part in global_parts.items():
            if part:
                self.state[by_saved_index[int(index)]].update(part)

    @staticmethod
    def _loaded_number(value, dtype):
        """A number as a NumPy scalar of the vectors' dtype (see the module docstring)."""
        value = value.data if isinstance(value, Tensor) else value
        return np.asarray(value).astype(dtype)[()]  # torch's 0-d tensors too

    @staticmethod
    def _loaded_vector(value, name: str, size: int, dtype) -> np.ndarray:
        value = np.asarray(value.data if isinstance(value, Tensor) else value)  # or a torch tensor
        if value.shape != (size,):
            raise ValueError(f"LBFGS state {name!r} must be a vector of the parameters' {size} elements, "
                             f"got shape {value.shape}")
        return value.astype(dtype, copy=True)
