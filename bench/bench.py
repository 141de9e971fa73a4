"""gradcraft's benchmark: training-step throughput against PyTorch, measured in one process.

Workload W1 (float32): x[128, 784] -> Linear 512 -> ReLU -> Linear 512 -> ReLU -> Linear 10,
softmax cross-entropy, SGD lr 0.01 momentum 0.9. One step = forward + loss + backward + update.
gradcraft runs through its public API (nn.Sequential/Linear/ReLU, losses.softmax_cross_entropy,
optim.SGD), PyTorch (CPU, its default thread count) through the equivalent torch code; a
third runner, "numpy", is the reference point for any NumPy library: the same MLP written by
hand in NumPy (same math and dtype, no autograd, no framework), i.e. what plain NumPy code gets
from the same BLAS and ufuncs that gradcraft uses. A fourth, "numpy-tuned", is the fastest W1 step we could
write in NumPy (no allocation per step, blocked update): the ceiling any NumPy-based library
can reach on this machine.

W1 is noisy on a shared 2-core machine (+-30% between rounds), so the runners alternate round
by round (the order rotates), each round timing a fixed number of steps after a pause (see
SETTLE_SECONDS) and a warm-up, and we report the median steps/s of each, the medians of the
per-round ratios to torch, and the fastest round of each (the one least disturbed by other
processes).

    python bench/bench.py [--rounds 15] [--steps 40]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np

import gradcraft as gc
from gradcraft import losses, nn, optim

BATCH, IN, HIDDEN, CLASSES = 128, 784, 512, 10
LR, MOMENTUM = 0.01, 0.9
# After a GEMM, OpenBLAS's worker threads busy-wait for a while (~0.1 s) before they sleep, and
# MKL's OpenMP threads do too: a library timed right after another one then shares the second
# core with those spinning threads. Measured here: torch right after 30 NumPy steps ran at ~150
# steps/s instead of ~300. So every timed run starts after a pause (sleeping threads cost nothing).
SETTLE_SECONDS = 0.3


def w1_data(seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, IN)).astype(np.float32)
    y = rng.integers(0, CLASSES, BATCH).astype(np.int64)
    return x, y


def gradcraft_step_fn(x, y):
    model = nn.Sequential(nn.Linear(IN, HIDDEN, rng=0), nn.ReLU(), nn.Linear(HIDDEN, HIDDEN, rng=1),
                          nn.ReLU(), nn.Linear(HIDDEN, CLASSES, rng=2))
    optimizer = optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    xt, yt = gc.tensor(x), gc.tensor(y)

    def step():
        loss = losses.softmax_cross_entropy(model(xt), yt)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss
    return step


def torch_step_fn(x, y):
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(IN, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, HIDDEN),
                                torch.nn.ReLU(), torch.nn.Linear(HIDDEN, CLASSES))
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        loss = torch.nn.functional.cross_entropy(model(xt), yt)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss
    return step


def numpy_step_fn(x, y):
    """W1 by hand: NumPy only, float32, the backward pass written out, momentum SGD as PyTorch's.

    Arrays that live across steps (parameters, momentum buffers) are allocated once; the
    per-step activations and gradients are fresh arrays, as any straightforward NumPy code has.
    """
    rng = np.random.default_rng(0)
    sizes = [(HIDDEN, IN), (HIDDEN, HIDDEN), (CLASSES, HIDDEN)]
    weights, biases = [], []
    for out_features, in_features in sizes:   # PyTorch's default init: U(-1/sqrt(in), 1/sqrt(in))
        bound = 1.0 / np.sqrt(in_features)
        weights.append(rng.uniform(-bound, bound, (out_features, in_features)).astype(np.float32))
        biases.append(rng.uniform(-bound, bound, out_features).astype(np.float32))
    params = weights + biases
    velocity = [None] * len(params)
    rows = np.arange(BATCH)

    def step():
        (w1, w2, w3), (b1, b2, b3) = weights, biases
        h1 = x @ w1.T
        h1 += b1
        np.maximum(h1, 0, out=h1)
        h2 = h1 @ w2.T
        h2 += b2
        np.maximum(h2, 0, out=h2)
        scores = h2 @ w3.T
        scores += b3
        # mean softmax cross-entropy; d loss / d scores = (softmax - onehot) / N
        scores -= scores.max(axis=1, keepdims=True)
        probs = np.exp(scores)
        sums = probs.sum(axis=1)
        loss = np.mean(np.log(sums) - scores[rows, y])
        probs /= sums[:, None]
        probs[rows, y] -= 1
        g3 = probs
        g3 /= np.float32(BATCH)
        g2 = g3 @ w3
        g2 *= h2 > 0
        g1 = g2 @ w2
        g1 *= h1 > 0
        grads = [g1.T @ x, g2.T @ h1, g3.T @ h2, g1.sum(axis=0), g2.sum(axis=0), g3.sum(axis=0)]
        for i, (p, g) in enumerate(zip(params, grads)):
            v = velocity[i]
            if v is None:
                velocity[i] = v = g       # PyTorch: buf = grad on the first step
            else:
                v *= MOMENTUM
                v += g
            p -= LR * v
        return loss
    return step


def numpy_tuned_step_fn(x, y):
    """W1 by hand in NumPy as fast as we could write it: the ceiling for any NumPy library.

    Every array is allocated once and written with `out=` (no allocation per step), and the
    momentum update runs block by block so each block stays in L2 across its four calls (as
    gradcraft's SGD does). Same math, dtype and initialisation as `numpy_step_fn`.
    """
    f32 = np.float32
    rng = np.random.default_rng(0)
    sizes = [(HIDDEN, IN), (HIDDEN, HIDDEN), (CLASSES, HIDDEN)]
    weights, biases = [], []
    for out_features, in_features in sizes:
        bound = 1.0 / np.sqrt(in_features)
        weights.append(rng.uniform(-bound, bound, (out_features, in_features)).astype(f32))
        biases.append(rng.uniform(-bound, bound, out_features).astype(f32))
    params = weights + biases
    grads = [np.empty_like(p) for p in params]
    velocity = [np.empty_like(p) for p in params]
    h1, h2, g1, g2 = (np.empty((BATCH, HIDDEN), f32) for _ in range(4))
    scores = np.empty((BATCH, CLASSES), f32)
    work = np.empty(1 << 16, f32)
    rows = np.arange(BATCH)
    first = [True]

    def step():
        (w1, w2, w3), (b1, b2, b3) = weights, biases
        np.matmul(x, w1.T, out=h1)
        np.add(h1, b1, out=h1)
        np.maximum(h1, 0, out=h1)
        np.matmul(h1, w2.T, out=h2)
        np.add(h2, b2, out=h2)
        np.maximum(h2, 0, out=h2)
        np.matmul(h2, w3.T, out=scores)
        np.add(scores, b3, out=scores)
        np.subtract(scores, scores.max(axis=1, keepdims=True), out=scores)
        picked = scores[rows, y]
        np.exp(scores, out=scores)
        sums = scores.sum(axis=1)
        loss = np.mean(np.log(sums) - picked)
        np.divide(scores, sums[:, None], out=scores)
        scores[rows, y] -= 1
        np.divide(scores, f32(BATCH), out=scores)                 # d loss / d scores
        np.matmul(scores.T, h2, out=grads[2])
        np.sum(scores, axis=0, out=grads[5])
        np.matmul(scores, w3, out=g2)
        np.multiply(g2, h2 > 0, out=g2)
        np.matmul(g2.T, h1, out=grads[1])
        np.sum(g2, axis=0, out=grads[4])
        np.matmul(g2, w2, out=g1)
        np.multiply(g1, h1 > 0, out=g1)
        np.matmul(g1.T, x, out=grads[0])
        np.sum(g1, axis=0, out=grads[3])
        for p, g, v in zip(params, grads, velocity):
            p, g, v = p.reshape(-1), g.reshape(-1), v.reshape(-1)
            for start in range(0, p.size, work.size):
                part = slice(start, start + work.size)
                pb, gb, vb, wb = p[part], g[part], v[part], work[:p[part].size]
                if first[0]:
                    np.copyto(vb, gb)                                  # buf = grad on step 1
                else:
                    np.multiply(vb, MOMENTUM, out=vb)
                    np.add(vb, gb, out=vb)
                np.multiply(vb, LR, out=wb)
                np.subtract(pb, wb, out=pb)
        first[0] = False
        return loss
    return step


def steps_per_second(step, steps: int, warmup: int = 3, settle: float = SETTLE_SECONDS) -> float:
    time.sleep(settle)  # let the previous runner's idle BLAS/OpenMP threads stop spinning
    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return steps / (time.perf_counter() - start)


def blas_description() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return "; ".join(f"{i.get('internal_api')} {i.get('version')} kernel={i.get('architecture')} "
                     f"threads={i.get('num_threads')}" for i in blas) or "none found"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="alternating rounds (>= 5)")
    parser.add_argument("--steps", type=int, default=40, help="timed steps per library per round")
    args = parser.parse_args(argv)
    if args.rounds < 5:
        parser.error("--rounds must be >= 5 (W1 is noisy)")
    import torch

    x, y = w1_data()
    runners = {"gradcraft": gradcraft_step_fn(x, y), "torch": torch_step_fn(x, y),
               "numpy": numpy_step_fn(x, y), "numpy-tuned": numpy_tuned_step_fn(x, y)}
    env = {k: os.environ.get(k, "unset") for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    print(f"W1: MLP {IN}-{HIDDEN}-{HIDDEN}-{CLASSES}, batch {BATCH}, float32, softmax CE, "
          f"SGD lr {LR} momentum {MOMENTUM}")
    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__} "
          f"(threads {torch.get_num_threads()}), cpus {os.cpu_count()}")
    print(f"numpy BLAS: {blas_description()}; " + ", ".join(f"{k}={v}" for k, v in env.items()))
    names = list(runners)
    rates = {name: [] for name in names}
    ratios = {name: [] for name in names if name != "torch"}   # per round, this runner / torch
    for r in range(args.rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:  # rotate who goes first
            rates[name].append(steps_per_second(runners[name], args.steps))
        for name in ratios:
            ratios[name].append(rates[name][-1] / rates["torch"][-1])
        print(f"round {r + 1}: " + "   ".join(f"{name} {rates[name][-1]:7.1f} steps/s" for name in names)
              + "   " + "   ".join(f"{name}/torch {ratios[name][-1]:.2f}" for name in ratios))
    spread = max(max(r) / min(r) for r in rates.values())
    if spread > 1.5:
        print(f"warning: steps/s varied {spread:.1f}x between rounds: the machine is busy (other "
              f"processes); rerun when it is quiet for representative figures")
    median = {name: statistics.median(rates[name]) for name in names}
    print("median: " + ", ".join(f"{name} {median[name]:.1f} steps/s" for name in names))
    for name in ratios:
        print(f"  ratio {name}/torch {statistics.median(ratios[name]):.2f} (median of per-round "
              f"ratios; ratio of medians {median[name] / median['torch']:.2f})")
    # gradcraft against the fastest NumPy step: how close it comes to the ceiling.
    ceiling = [g / t for g, t in zip(rates["gradcraft"], rates["numpy-tuned"])]
    print(f"  ratio gradcraft/numpy-tuned {statistics.median(ceiling):.2f} (median of per-round "
          f"ratios; ratio of medians {median['gradcraft'] / median['numpy-tuned']:.2f})")
    # The fastest round of each is the least disturbed by other processes: a second estimate.
    best = {name: max(rates[name]) for name in names}
    print("best round: " + ", ".join(f"{name} {best[name]:.1f} steps/s" for name in names) + ", "
          + ", ".join(f"ratio {name}/torch {best[name] / best['torch']:.2f}" for name in ratios))


if __name__ == "__main__":
    main()
