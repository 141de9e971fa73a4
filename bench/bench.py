"""gradcraft's benchmark: training-step throughput against PyTorch, measured in one process.

Workload W1 (float32): x[128, 784] -> Linear 512 -> ReLU -> Linear 512 -> ReLU -> Linear 10,
softmax cross-entropy, SGD lr 0.01 momentum 0.9. One step = forward + loss + backward + update.
gradcraft runs through its public API (nn.Sequential/Linear/ReLU, losses.softmax_cross_entropy,
optim.SGD), PyTorch (CPU, its default thread count) through the equivalent torch code.

W1 is noisy on a shared 2-core machine (+-30% between rounds), so the two libraries alternate
round by round, each round timing a fixed number of steps after a warm-up, and we report the
median steps/s of each, the median of the per-round ratios gradcraft / torch, and the fastest
round of each (the one least disturbed by other processes).

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


def steps_per_second(step, steps: int, warmup: int = 3) -> float:
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
    runners = {"gradcraft": gradcraft_step_fn(x, y), "torch": torch_step_fn(x, y)}
    env = {k: os.environ.get(k, "unset") for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    print(f"W1: MLP {IN}-{HIDDEN}-{HIDDEN}-{CLASSES}, batch {BATCH}, float32, softmax CE, "
          f"SGD lr {LR} momentum {MOMENTUM}")
    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__} "
          f"(threads {torch.get_num_threads()}), cpus {os.cpu_count()}")
    print(f"numpy BLAS: {blas_description()}; " + ", ".join(f"{k}={v}" for k, v in env.items()))
    rates = {name: [] for name in runners}
    ratios = []
    for r in range(args.rounds):
        order = list(runners) if r % 2 == 0 else list(reversed(runners))  # alternate who goes first
        for name in order:
            rates[name].append(steps_per_second(runners[name], args.steps))
        ratios.append(rates["gradcraft"][-1] / rates["torch"][-1])
        print(f"round {r + 1}: gradcraft {rates['gradcraft'][-1]:7.1f} steps/s   "
              f"torch {rates['torch'][-1]:7.1f} steps/s   ratio {ratios[-1]:.2f}")
    spread = max(max(r) / min(r) for r in rates.values())
    if spread > 1.5:
        print(f"warning: steps/s varied {spread:.1f}x between rounds: the machine is busy (other "
              f"processes); rerun when it is quiet for representative figures")
    g, t = statistics.median(rates["gradcraft"]), statistics.median(rates["torch"])
    print(f"median: gradcraft {g:.1f} steps/s, torch {t:.1f} steps/s, "
          f"ratio gradcraft/torch {statistics.median(ratios):.2f} (median of per-round ratios; "
          f"ratio of medians {g / t:.2f})")
    # The fastest round of each is the least disturbed by other processes: a second estimate.
    g_best, t_best = max(rates["gradcraft"]), max(rates["torch"])
    print(f"best round: gradcraft {g_best:.1f} steps/s, torch {t_best:.1f} steps/s, "
          f"ratio {g_best / t_best:.2f}")


if __name__ == "__main__":
    main()
