"""Per-op overhead of the autograd engine, next to PyTorch in the same run.

Forward + backward of a chain of 1,000 elementwise ops on tiny (8,) float32 arrays, where the
time is almost all graph bookkeeping, and on (128, 512) float32 arrays, where the math should
dominate. The chain repeats  y*w, y+b, exp(y), log(y), y/w, y-b : values stay O(1) and every
cycle's derivative is exactly 1, so neither library ever touches subnormal numbers (which would
time the FPU's slow path, not the engine). A third column does the same forward and backward
math with plain NumPy and no graph (gradients of x, w and b, as the libraries compute): the
floor gradcraft's bookkeeping is added to.

Rounds alternate gradcraft, torch, numpy, gradcraft, torch, numpy...; medians are reported.

    python bench/overhead.py [--ops 1000] [--rounds 7] [--torch-threads N]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

import gradcraft as gc

SHAPES = {"tiny (8,)": (8,), "(128, 512)": (128, 512)}


def chain(y, w, b, exp, log, n_ops):
    """The op pattern, written once for both libraries."""
    for i in range(n_ops):
        step = i % 6
        if step == 0:
            y = y * w
        elif step == 1:
            y = y + b
        elif step == 2:
            y = exp(y)
        elif step == 3:
            y = log(y)
        elif step == 4:
            y = y / w
        else:
            y = y - b
    return y


def gradcraft_step(arrays, n_ops):
    x, w, b = (gc.tensor(a, requires_grad=True) for a in arrays)
    chain(x, w, b, gc.exp, gc.log, n_ops).sum().backward()
    return x.grad


def torch_step(arrays, n_ops):
    x, w, b = (torch.tensor(a, requires_grad=True) for a in arrays)
    chain(x, w, b, torch.exp, torch.log, n_ops).sum().backward()
    return x.grad


def numpy_step(arrays, n_ops):
    """The same forward and backward (gradients of x, w and b) by hand: no graph at all."""
    x, w, b = arrays
    inputs, y = [], x                      # each op's input, as a graph would save it
    for i in range(n_ops):
        inputs.append(y)
        step = i % 6
        if step == 0:
            y = y * w
        elif step == 1:
            y = y + b
        elif step == 2:
            y = np.exp(y)
        elif step == 3:
            y = np.log(y)
        elif step == 4:
            y = y / w
        else:
            y = y - b
    grad, grad_w, grad_b = np.ones_like(y), np.zeros_like(w), np.zeros_like(b)
    out = y
    for i in reversed(range(n_ops)):
        step, a = i % 6, inputs.pop()      # op i computed out from a
        if step == 0:
            grad_w = grad_w + grad * a
            grad = grad * w
        elif step == 1:
            grad_b = grad_b + grad
        elif step == 2:
            grad = grad * out
        elif step == 3:
            grad = grad / a
        elif step == 4:
            grad_w = grad_w - grad * a / (w * w)
            grad = grad / w
        else:
            grad_b = grad_b - grad
        out = a
    return grad


def timed(fn, *args):
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=1000, help="ops in the chain (default 1000)")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (at least 5)")
    parser.add_argument("--torch-threads", type=int, default=None,
                        help="torch.set_num_threads(N) (default: left at torch's default; on a busy "
                             "machine torch's thread pool can be many times slower)")
    args = parser.parse_args()
    rounds = max(args.rounds, 5)
    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    print(f"numpy {np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
          f"float32, {args.ops}-op elementwise chain, forward + backward, median of {rounds} rounds")
    print(f"{'arrays':>11} {'gradcraft':>10} {'torch':>9} {'gc/torch':>9} {'numpy, no graph':>16} "
          f"{'gc/numpy':>9} {'gc per op':>10}")
    for label, shape in SHAPES.items():
        rng = np.random.default_rng(0)
        x = rng.uniform(0.5, 1.5, shape).astype(np.float32)
        w = rng.uniform(0.5, 1.5, shape).astype(np.float32)
        b = rng.uniform(-0.01, 0.01, shape).astype(np.float32)
        arrays = (x, w, b)
        # warm-up, and a check that the three compute the same gradient
        reference = torch_step(arrays, args.ops).numpy()
        np.testing.assert_allclose(gradcraft_step(arrays, args.ops), reference, rtol=1e-3, atol=1e-5)
        np.testing.assert_allclose(numpy_step(arrays, args.ops), reference, rtol=1e-3, atol=1e-5)
        times = {"gc": [], "torch": [], "numpy": []}
        for _ in range(rounds):
            times["gc"].append(timed(gradcraft_step, arrays, args.ops))
            times["torch"].append(timed(torch_step, arrays, args.ops))
            times["numpy"].append(timed(numpy_step, arrays, args.ops))
        mine, theirs, floor = (statistics.median(times[k]) for k in ("gc", "torch", "numpy"))
        print(f"{label:>11} {mine * 1e3:8.2f}ms {theirs * 1e3:7.2f}ms {mine / theirs:9.2f} "
              f"{floor * 1e3:14.2f}ms {mine / floor:9.2f} {mine / args.ops * 1e6:8.1f}us")


if __name__ == "__main__":
    main()
