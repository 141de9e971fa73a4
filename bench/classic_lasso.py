"""The Lasso on a 2000x500 Gaussian problem: gradcraft's fista/ista against scikit-learn's Lasso.

    python bench/classic_lasso.py [--rounds 7] [--n 2000] [--p 500] [--blas-threads 1]

Problem: A (n, p) standard Gaussian, a true x with p/10 nonzeros (3 N(0, 1)), b = A x + 0.5 N(0, 1),
lam = 0.02 |A^T b|_inf (about 10% nonzeros in the solution: the count is printed).
scikit-learn: Lasso(alpha=lam / n, fit_intercept=False, tol=1e-12) (the same minimiser: it scales
the squared error by 1/n); its objective F_sk = 1/2 |A x - b|^2 + lam |x|_1 is the target.

gradcraft, each timed from A and b alone (the Lipschitz constant's Lanczos is inside the timing):
  fista-to-target  fista(A, b, lam, max_iter=k*, tol=0): k* is the first iteration whose objective
                   is within 1e-12 (relative) of F_sk, read off an untimed calibration run;
                   this is "the time to reach scikit-learn's objective"
  fista-default    fista(A, b, lam, tol=1e-13): what a user's call with a tight tol costs and
                   where it stops (its iterations and final gap are printed)
  ista-to-target   as fista-to-target, for ISTA
Rounds are interleaved (sklearn, fista-to-target, fista-default, ista-to-target, the order
rotating from round to round) with a settle pause before each run; medians over rounds are
printed with the ratio to scikit-learn, and the fastest round of each (the one least disturbed
by other processes on a shared machine).
--blas-threads N runs everything with BLAS limited to N threads (threadpoolctl, for both
libraries; scikit-learn's coordinate descent is single-threaded anyway): the matrix-vector
products of ista/fista are memory-bound, and on a loaded machine OpenBLAS's threads wait for
each other's time slices (measured on a shared 2-core machine: 4x slower than one thread).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
from sklearn.linear_model import Lasso
from threadpoolctl import threadpool_limits

from gradcraft.classic import fista, ista

from machine import cpu_name  # bench/machine.py (run as python bench/...)

TARGET_GAP = 1e-12  # relative to scikit-learn's objective
LAM_FRACTION = 0.02
SETTLE_SECONDS = 1.0


def problem(n: int, p: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, p))
    x = np.zeros(p)
    support = rng.choice(p, p // 10, replace=False)
    x[support] = 3 * rng.standard_normal(p // 10)
    b = A @ x + 0.5 * rng.standard_normal(n)
    return A, b, LAM_FRACTION * float(np.abs(A.T @ b).max())


def objective(A, b, lam, x) -> float:
    residual = A @ x - b
    return float(0.5 * residual @ residual + lam * np.abs(x).sum())


def run_sklearn(A, b, lam):
    model = Lasso(alpha=lam / A.shape[0], fit_intercept=False, tol=1e-12, max_iter=100000)
    return model.fit(A, b).coef_


def first_within(history, target) -> int:
    reached = np.flatnonzero(history <= target)
    if not reached.size:
        raise RuntimeError(f"the solver never reached the target objective {target!r}")
    return int(reached[0])


def timed(fn):
    time.sleep(SETTLE_SECONDS)  # let OpenBLAS's spinning threads of the last run fall asleep
    start = time.perf_counter()
    out = fn()
    return 1e3 * (time.perf_counter() - start), out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--p", type=int, default=500)
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="limit BLAS to this many threads (default: the library's own)")
    args = parser.parse_args(argv)
    if args.blas_threads is None:
        measure(args)
    else:
        with threadpool_limits(limits=args.blas_threads, user_api="blas"):
            measure(args)


def measure(args):

    A, b, lam = problem(args.n, args.p)
    coef = run_sklearn(A, b, lam)
    best = objective(A, b, lam, coef)
    target = best * (1 + TARGET_GAP)
    # untimed calibration: where each solver first gets within the gap of scikit-learn
    fista_k = first_within(fista(A, b, lam, tol=0.0, max_iter=2000).objective, target)
    ista_k = first_within(ista(A, b, lam, tol=0.0, max_iter=20000).objective, target)

    runners = {
        "sklearn": lambda: run_sklearn(A, b, lam),
        "fista-to-target": lambda: fista(A, b, lam, max_iter=fista_k, tol=0.0),
        "fista-default": lambda: fista(A, b, lam, tol=1e-13),
        "ista-to-target": lambda: ista(A, b, lam, max_iter=ista_k, tol=0.0),
    }
    names = list(runners)
    times = {name: [] for name in names}
    outputs = {}
    for round_ in range(args.rounds):
        for name in names[round_ % len(names):] + names[:round_ % len(names)]:  # rotate the order
            elapsed, outputs[name] = timed(runners[name])
            times[name].append(elapsed)
    for name in ("fista-to-target", "ista-to-target"):
        assert outputs[name].objective[-1] <= target, name
    default_run = outputs["fista-default"]

    medians = {name: statistics.median(values) for name, values in times.items()}
    threads = args.blas_threads or os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"Lasso {args.n}x{args.p}, lam = {LAM_FRACTION} |A^T b|_inf = {lam:.4g} "
          f"(sklearn alpha = {lam / args.n:.4g}); {int(np.count_nonzero(coef))} of {args.p} "
          f"nonzeros; {cpu_name()}, {os.cpu_count()} CPUs, BLAS threads: {threads}; "
          f"{args.rounds} interleaved rounds, medians")
    gap = (default_run.objective[-1] - best) / best
    notes = {"sklearn": "Lasso(tol=1e-12), coordinate descent",
             "fista-to-target": f"{fista_k} iterations to within {TARGET_GAP:g} of sklearn's objective",
             "fista-default": f"tol=1e-13: stopped after {default_run.n_iter} iterations, "
                              f"gap {gap:.1e}, {default_run.restarts} restarts",
             "ista-to-target": f"{ista_k} iterations to within {TARGET_GAP:g}"}
    print(f"  {'':16s} {'median':>8s}     {'ratio':>5s}           {'fastest':>7s}")
    for name, median in medians.items():
        ratio = median / medians["sklearn"]
        print(f"  {name:16s} {median:8.2f} ms  {ratio:5.2f}x sklearn  {min(times[name]):7.2f} ms   "
              f"{notes[name]}")


if __name__ == "__main__":
    main()
