"""Gradient checking: compare a gradient with central finite differences.

The classic exercise of the course, as a user feature:

- `numerical_gradient(f, x)`: d f / d x by central differences, f a scalar function of an array;
- `check_gradient(f, grad_f, x)`: check a hand-derived `grad_f` (NumPy in, NumPy out);
- `gradcheck(fn, *inputs)`: check gradcraft's own autograd for a function of tensors.

Both checks return a `GradientReport`, truthy when the check passed. An element passes when
|analytic - numeric| <= atol + rtol * |numeric| (the rule of `numpy.allclose` and of
`torch.autograd.gradcheck`). For gradients far below atol that rule passes anything (an analytic
gradient 2e-6 where the truth is 1e-6 is within atol = 1e-5), so the report says when a pass
relied on atol alone: `passed_by_atol_only`, and "PASSED (within atol; ...)" in its text.
Central differences have error O(eps^2); in float64 with eps = 1e-6 that leaves ~1e-10 of
truncation and ~1e-10 of rounding error, far below the default tolerances.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .autograd import no_grad
from .tensor import Tensor
from .validation import check_int, check_real


@dataclass
class GradientReport:
    passed: bool
    max_abs_error: float
    max_rel_error: float
    atol: float
    rtol: float
    #: per checked input: (name, analytic gradient, numerical gradient)
    details: list = field(default_factory=list, repr=False)
    #: passed, but some element only because of atol: its relative error exceeds rtol by more
    #: than finite-difference noise (the gradients are tiny next to atol; see `_within_atol_only`)
    passed_by_atol_only: bool = False

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        verdict = "PASSED" if self.passed else "FAILED"
        if self.passed_by_atol_only:
            verdict += " (within atol; relative error is large: gradients are tiny)"
        lines = [f"gradient check {verdict}: max abs error {self.max_abs_error:.3e}, "
                 f"max rel error {self.max_rel_error:.3e} (atol={self.atol:g}, rtol={self.rtol:g})"]
        for name, analytic, numeric in self.details:
            bad = ~np.isclose(analytic, numeric, atol=self.atol, rtol=self.rtol)
            loose = _within_atol_only(analytic, numeric, self.atol, self.rtol)
            if bad.any():
                lines.append(f"  {name}: {int(bad.sum())} of {bad.size} elements differ; first at "
                             + _first(bad, analytic, numeric))
            elif loose.any():
                lines.append(f"  {name}: {int(loose.sum())} of {loose.size} elements agree only "
                             f"within atol, with relative error above rtol; first at "
                             + _first(loose, analytic, numeric))
            else:
                lines.append(f"  {name}: all {analytic.size} elements agree")
        return "\n".join(lines)


def _first(mask, analytic, numeric) -> str:
    where = tuple(int(i) for i in np.argwhere(mask)[0])
    return f"{where}: analytic {analytic[where]:.6g}, numerical {numeric[where]:.6g}"


#: Differences below atol * this are taken for finite-difference noise, not for a wrong
#: gradient (float64 central differences with eps = 1e-6 are good to ~1e-10 absolute).
_NOISE_FRACTION = 1e-2


def _within_atol_only(analytic, numeric, atol, rtol):
    """Elements that pass |a - n| <= atol + rtol |n| only thanks to atol: their difference
    exceeds rtol |n| and is more than noise (atol * _NOISE_FRACTION)."""
    diff = np.abs(analytic - numeric)
    with np.errstate(invalid="ignore"):
        return ((diff <= atol + rtol * np.abs(numeric)) & (diff > rtol * np.abs(numeric))
                & (diff > atol * _NOISE_FRACTION))


def _compare(pairs, atol, rtol) -> GradientReport:
    abs_errors, rel_errors = [], []
    passed, by_atol_only = True, False
    for name, analytic, numeric in pairs:
        if analytic.shape != numeric.shape:
            raise ValueError(f"{name}: gradient has shape {analytic.shape}, expected {numeric.shape}")
        if analytic.size == 0:
            continue
        diff = np.abs(analytic - numeric)
        scale = np.maximum(np.abs(analytic), np.abs(numeric))
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(scale > 0, diff / scale, 0.0)
        # np.max propagates NaN, so a NaN gradient shows as a NaN error, never as 0
        rel = np.where(np.isnan(diff), np.nan, rel)
        abs_errors.append(np.max(diff))
        rel_errors.append(np.max(rel))
        passed &= bool(np.all(diff <= atol + rtol * np.abs(numeric)))
        by_atol_only |= bool(np.any(_within_atol_only(analytic, numeric, atol, rtol)))
    max_abs = float(np.max(abs_errors)) if abs_errors else 0.0
    max_rel = float(np.max(rel_errors)) if rel_errors else 0.0
    return GradientReport(passed, max_abs, max_rel, atol, rtol, list(pairs),
                          passed_by_atol_only=passed and by_atol_only)


def numerical_gradient(f, x, eps: float = 1e-6) -> np.ndarray:
    """Central differences (f(x + eps e_i) - f(x - eps e_i)) / 2 eps of a scalar function `f`,
    evaluated in float64 (on a copy of `x`; `x` itself is never modified)."""
    eps = check_real(eps, "eps", low=0.0, low_open=True)
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    flat, out = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        plus = _scalar(f(x), "f")
        flat[i] = original - eps
        minus = _scalar(f(x), "f")
        flat[i] = original
        out[i] = (plus - minus) / (2 * eps)
    return grad


def _tolerances(atol, rtol) -> tuple[float, float]:
    return check_real(atol, "atol", low=0.0), check_real(rtol, "rtol", low=0.0)


def _scalar(value, name) -> float:
    value = value.data if isinstance(value, Tensor) else np.asarray(value)
    if value.size != 1:
        raise ValueError(f"{name} must return a scalar, got an array of shape {value.shape}")
    return float(value.reshape(()))


def check_gradient(f, grad_f, x, eps: float = 1e-6, atol: float = 1e-5,
                   rtol: float = 1e-3) -> GradientReport:
    """Check a hand-derived gradient: `grad_f(x)` against numerical differences of `f` at `x`."""
    atol, rtol = _tolerances(atol, rtol)
    x = np.array(x, dtype=np.float64)
    analytic = np.asarray(grad_f(x.copy()), dtype=np.float64)
    if analytic.shape != x.shape:
        raise ValueError(f"grad_f(x) must have the shape of x {x.shape}, got {analytic.shape}")
    return _compare([("x", analytic, numerical_gradient(f, x, eps))], atol, rtol)


def gradcheck(fn, *inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              seed: int = 0) -> GradientReport:
    """Check autograd's gradient of `fn(*inputs)` for every input that requires grad.

    Inputs are copied to float64. The output is contracted with a random upstream gradient
    (so a function whose output sums to a constant, like BatchNorm, is still checked).
    """
    atol, rtol = _tolerances(atol, rtol)
    seed = check_int(seed, "seed", low=0)
    inputs = [Tensor(np.array(t.data, dtype=np.float64), requires_grad=t.requires_grad)
              if isinstance(t, Tensor) and np.issubdtype(t.dtype, np.floating) else t
              for t in inputs]
    checked = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad; create them with requires_grad=True")
    output = fn(*inputs)
    if not isinstance(output, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(output).__name__}")
    upstream = np.random.default_rng(seed).standard_normal(output.shape)
    if output.requires_grad:  # else the output does not depend on the inputs: gradient 0
        output.backward(upstream)

    pairs = []
    for i in checked:
        target = inputs[i]
        analytic = target.grad if target.grad is not None else np.zeros(target.shape)

        def contracted(values, target=target):
            saved = target.data
            target.data = values
            try:
                with no_grad():
                    result = fn(*inputs).data
            finally:
                target.data = saved
            return np.sum(result * upstream)

        pairs.append((f"input {i}", np.asarray(analytic, dtype=np.float64),
                      numerical_gradient(contracted, target.data, eps)))
    return _compare(pairs, atol, rtol)
