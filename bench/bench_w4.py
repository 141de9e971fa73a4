"""W4: recurrent training-step throughput against PyTorch, measured in one process.

Workload W4 (float32): x[32, 35, 64] (batch, time, features; batch_first) -> 1-layer
LSTM(64 -> 256), its last hidden state h_n -> Linear(256, 10), softmax cross-entropy, Adam
lr 1e-3. One step = forward + loss + backward + update. gradcraft runs through its public API
(LSTM, nn.Linear, losses.softmax_cross_entropy, optim.Adam), PyTorch (CPU, its default
thread count) through the equivalent torch code.

The method is bench/bench.py's (its helpers are imported): the two libraries alternate round
by round with the order rotating, every timed run starts after a pause (SETTLE_SECONDS) and a
warm-up, and we report the median steps/s of each, the median of the per-round ratios and the
fastest round of each. `--scaling` instead times one step of each library for sequence
lengths 35, 70 and 140: backpropagation through time is linear in the length, so the time per
step should double with it.

    python bench/bench_w4.py [--rounds 9] [--steps 20]
    python bench/bench_w4.py --scaling
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics

import numpy as np

import gradcraft as gc
from gradcraft import losses, nn, optim
from gradcraft.nn import LSTM

from bench import SETTLE_SECONDS, blas_description, steps_per_second  # bench/bench.py
from machine import cpu_name  # bench/machine.py (run as python bench/...)

BATCH, STEPS, FEATURES, HIDDEN, CLASSES = 32, 35, 64, 256, 10
LR = 1e-3


def w4_data(steps: int = STEPS, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, steps, FEATURES)).astype(np.float32)
    y = rng.integers(0, CLASSES, BATCH).astype(np.int64)
    return x, y


def gradcraft_step_fn(x, y):
    lstm = LSTM(FEATURES, HIDDEN, batch_first=True, rng=0)
    head = nn.Linear(HIDDEN, CLASSES, rng=1)
    optimizer = optim.Adam([*lstm.parameters(), *head.parameters()], lr=LR)
    xt, yt = gc.tensor(x), gc.tensor(y)

    def step():
        _, (h_n, _) = lstm(xt)
        loss = losses.softmax_cross_entropy(head(h_n[-1]), yt)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss
    return step


def torch_step_fn(x, y):
    import torch

    torch.manual_seed(0)
    lstm = torch.nn.LSTM(FEATURES, HIDDEN, batch_first=True)
    head = torch.nn.Linear(HIDDEN, CLASSES)
    optimizer = torch.optim.Adam([*lstm.parameters(), *head.parameters()], lr=LR)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        _, (h_n, _) = lstm(xt)
        loss = torch.nn.functional.cross_entropy(head(h_n[-1]), yt)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss
    return step


def describe_machine() -> None:
    import torch

    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__} "
          f"(threads {torch.get_num_threads()}), cpus {os.cpu_count()}, {cpu_name()}")
    print(f"numpy BLAS: {blas_description()}")


def throughput(rounds: int, steps: int) -> None:
    x, y = w4_data()
    runners = {"gradcraft": gradcraft_step_fn(x, y), "torch": torch_step_fn(x, y)}
    names = list(runners)
    rates = {name: [] for name in names}
    ratios = []
    for r in range(rounds):
        for name in names[r % 2:] + names[:r % 2]:   # rotate who goes first
            rates[name].append(steps_per_second(runners[name], steps))
        ratios.append(rates["gradcraft"][-1] / rates["torch"][-1])
        print(f"round {r + 1}: " + "   ".join(f"{n} {rates[n][-1]:6.1f} steps/s" for n in names)
              + f"   gradcraft/torch {ratios[-1]:.2f}")
    spread = max(max(v) / min(v) for v in rates.values())
    if spread > 1.5:
        print(f"warning: steps/s varied {spread:.1f}x between rounds: the machine is busy (other "
              f"processes); rerun when it is quiet for representative figures")
    median = {n: statistics.median(rates[n]) for n in names}
    print("median: " + ", ".join(f"{n} {median[n]:.1f} steps/s" for n in names))
    print(f"  ratio gradcraft/torch {statistics.median(ratios):.2f} (median of per-round ratios; "
          f"ratio of medians {median['gradcraft'] / median['torch']:.2f})")
    best = {n: max(rates[n]) for n in names}
    print("best round: " + ", ".join(f"{n} {best[n]:.1f} steps/s" for n in names)
          + f", ratio gradcraft/torch {best['gradcraft'] / best['torch']:.2f}")


def scaling(rounds: int, steps: int) -> None:
    """ms per training step at sequence lengths 35, 70, 140 (median over rounds)."""
    print("ms per step (median of rounds; BPTT is linear in the sequence length):")
    for length in (35, 70, 140):
        x, y = w4_data(length)
        runners = {"gradcraft": gradcraft_step_fn(x, y), "torch": torch_step_fn(x, y)}
        times = {name: [] for name in runners}
        for r in range(rounds):
            for name in list(runners)[r % 2:] + list(runners)[:r % 2]:
                times[name].append(1e3 / steps_per_second(runners[name], steps, settle=SETTLE_SECONDS))
        median = {n: statistics.median(t) for n, t in times.items()}
        print(f"  T={length:4d}: " + "   ".join(f"{n} {m:7.2f} ms" for n, m in median.items())
              + f"   gradcraft/torch time {median['gradcraft'] / median['torch']:.2f}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9, help="alternating rounds (>= 3)")
    parser.add_argument("--steps", type=int, default=20, help="timed steps per library per round")
    parser.add_argument("--scaling", action="store_true", help="time per step for T = 35, 70, 140")
    args = parser.parse_args(argv)
    if args.rounds < 3:
        parser.error("--rounds must be >= 3 (the machine is noisy)")
    print(f"W4: LSTM({FEATURES} -> {HIDDEN}) over x[{BATCH}, {STEPS}, {FEATURES}] (batch_first), last h -> "
          f"Linear({HIDDEN}, {CLASSES}), float32, softmax CE, Adam lr {LR}")
    describe_machine()
    if args.scaling:
        scaling(args.rounds, max(1, args.steps // 2))
    else:
        throughput(args.rounds, args.steps)


if __name__ == "__main__":
    main()
