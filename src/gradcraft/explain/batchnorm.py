"""Batch normalisation of a small batch, step by step, in training mode.

For x (N, C) (or (N,) for one feature), per feature over the batch:
    mu = mean_n x          var = mean_n (x - mu)^2        (biased: what normalises)
    x_hat = (x - mu) / sqrt(var + eps)                     y = gamma x_hat + beta
    running_mean <- 0.9 running_mean + 0.1 mu              (momentum 0.1, PyTorch's)
    running_var  <- 0.9 running_var  + 0.1 var * N/(N-1)   (unbiased estimate)

With N = 1 in training, mu = x so x - mu = 0: x_hat = 0 and y = beta whatever the input, the
gradient to x is 0, and the unbiased variance divides by N - 1 = 0. (PyTorch refuses: "Expected
more than 1 value per channel when training".) At test time the running statistics are used,
so a batch of one is fine there.
"""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ..validation import check_real
from . import _inputs
from .result import Explanation, Given

MOMENTUM = 0.1


def batchnorm(x, gamma=1.0, beta=0.0, eps: float = 1e-5) -> Explanation:
    """Explain training-mode batch normalisation of x: (N,) one feature or (N, C).
    gamma, beta: a number or one per feature (C,); eps > 0.

    Result keys (per feature: numbers for a one-feature batch, (C,) otherwise; per sample
    like x): mean, variance (biased); x_hat, y; grad_x dL/dx for L = sum_n n * y_n;
    unbiased_variance, running_mean, running_var (the running estimates after one step from
    0 and 1, momentum 0.1), all three None for a batch of 1.
    """
    try:
        one_feature = np.ndim(x) <= 1
    except ValueError:  # ragged nested lists: let `matrix` report them
        one_feature = False
    batch = _inputs.vector("x", x)[:, None] if one_feature else _inputs.matrix("x", x)
    n, c = batch.shape
    gamma = _per_feature("gamma", gamma, c)
    beta = _per_feature("beta", beta, c)
    eps = check_real(eps, "eps", low=0.0, low_open=True)

    leaf = Tensor(batch, requires_grad=True)
    mean = leaf.mean(axis=0)
    var = leaf.var(axis=0)
    x_hat = (leaf - mean) / (var + eps) ** 0.5
    y = x_hat * gamma + beta
    # dL/dx for L = sum(y * g) with g = 1, 2, ..., N along the batch: a non-constant upstream
    # gradient (for g = const the gradient is 0 for any batch: BatchNorm's output mean is fixed).
    upstream = np.arange(1, n + 1, dtype=np.float64)[:, None] * np.ones((1, c))
    y.backward(upstream)
    def shown(v):  # a one-feature batch is shown as a vector, its statistics as numbers
        v = v[..., 0] if one_feature else v
        return float(v) if np.ndim(v) == 0 else v

    result = Explanation("batchnorm", f"Batch normalisation (training) of a batch of {n}")
    result.add("x", shown(batch), given=True)
    result.add("mean", shown(mean.data), "mean over the batch")
    result.add("variance", shown(var.data), "biased: mean of (x - mean)^2")
    result.add("x_hat", shown(x_hat.data), "(x - mean) / sqrt(variance + {})", Given(eps))
    result.add("y", shown(y.data), "gamma x_hat + beta")
    result.add("dL/dx", shown(leaf.grad), "for L = sum_n n * y_n (autograd)" + (
        _vanishing_note(n) if n > 1 and _vanishes(leaf.grad, upstream, x_hat.data, gamma, var.data, eps)
        else ""))
    result.record(mean=shown(mean.data), variance=shown(var.data), x_hat=shown(x_hat.data), y=shown(y.data),
                  grad_x=shown(leaf.grad), unbiased_variance=None, running_mean=None, running_var=None)
    if n > 1:
        unbiased = var.data * n / (n - 1)
        result.add("unbiased variance", shown(unbiased), "variance * N/(N-1), for the running estimate")
        result.add("running_mean", shown(MOMENTUM * mean.data), "0.9 * 0 + 0.1 * mean")
        result.add("running_var", shown(1 - MOMENTUM + MOMENTUM * unbiased),
                   "0.9 * 1 + 0.1 * unbiased variance")
        result.record(unbiased_variance=result["unbiased variance"], running_mean=result["running_mean"],
                      running_var=result["running_var"])
        result.summary = ("Each feature now has mean 0 and variance ~1 over the batch. With a batch of "
                          "1 this breaks in training: mean = x, so x_hat = 0, y = beta for every input, "
                          "the gradient to x is 0 and the unbiased variance divides by 0. At test time "
                          "the running statistics are used, so batch size 1 is fine there.")
    else:
        result.add("unbiased variance", "undefined", "variance * N/(N-1) divides by N - 1 = 0")
        result.summary = ("Batch of 1 in training: the mean is the sample itself, so x - mean = 0, "
                          "x_hat = 0 and y = beta whatever the input, and no gradient reaches x "
                          "(dL/dx = 0): the layer erases its input. PyTorch raises an error here. At "
                          "test time BatchNorm uses the running statistics, so a batch of 1 is fine.")
    return result


def _vanishes(grad, upstream, x_hat, gamma, var, eps) -> bool:
    """Is dL/dx tiny next to what the upstream gradient alone would give, (gamma / sigma) |g - mean g|?
    (N, C) arrays; per feature."""
    scale = np.abs(gamma) / np.sqrt(var + eps) * np.abs(upstream - upstream.mean(axis=0)).max(axis=0)
    return bool(np.all(scale > 0) and np.all(np.abs(grad).max(axis=0) <= 1e-3 * scale))


def _vanishing_note(n: int) -> str:
    # dL/dx = (gamma / sigma) (g - mean(g) - x_hat mean(g x_hat)): the part of g that is constant
    # or proportional to x_hat is removed (shifting or scaling x does not change x_hat).
    why = ("with N = 2, x_hat = -1, +1 whatever x is (up to eps), so no gradient reaches x for any loss"
           if n == 2 else
           "the upstream g = 1..N is (almost) an affine function of x_hat for this batch (the inputs are "
           "evenly spaced in batch order), which is exactly the part the layer removes")
    return ("; about 0 here: dL/dx = gamma/sigma (g - mean(g) - x_hat mean(g x_hat)) keeps only the part "
            f"of g that is neither constant nor proportional to x_hat; here {why}")


def _per_feature(name: str, value, c: int) -> np.ndarray:
    v = _inputs.vector(name, value)
    if v.size == 1:
        return np.full(c, v[0])
    if v.size != c:
        raise ValueError(f"{name} must be one number or one per feature ({c}), got {v.size}")
    return v
