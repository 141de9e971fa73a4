"""KNN on MNIST (60,000 train x 10,000 test, k=3, l2): gradcraft's KNNClassifier against
scikit-learn's KNeighborsClassifier(n_neighbors=3, algorithm='brute') on the same arrays.

    python bench/classic_knn.py --data-dir ../shared/data    (or GRADCRAFT_DATA=...)

Both get the same X: the pixels as float32 scaled to [0, 1] (what a scikit-learn user feeds
after fetch_openml / 255). Rounds are interleaved (gradcraft, sklearn, gradcraft, ...) with a
settle pause between runs; each time is fit + predict; medians are printed. Peak memory is a
separate, untimed gradcraft run under tracemalloc: the peak of the memory NumPy allocated
during fit + predict beyond what existed before (the data themselves are not counted; OpenBLAS's
own small work buffers are not seen by tracemalloc).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import tracemalloc

import numpy as np

from gradcraft.classic import KNNClassifier
from gradcraft.data import load_mnist

from machine import cpu_name  # bench/machine.py (run as python bench/...)

K = 3


def load(data_dir):
    arrays = load_mnist(data_dir)

    def flat(images):
        return (images.reshape(len(images), -1).astype(np.float32) / np.float32(255))

    return (flat(arrays["train_images"]), arrays["train_labels"].astype(np.int64),
            flat(arrays["test_images"]), arrays["test_labels"].astype(np.int64))


def run_gradcraft(x, y, tx, chunk_size=None):
    return KNNClassifier(k=K, chunk_size=chunk_size).fit(x, y).predict(tx)


def run_sklearn(x, y, tx):
    from sklearn.neighbors import KNeighborsClassifier

    return KNeighborsClassifier(n_neighbors=K, algorithm="brute").fit(x, y).predict(tx)


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - start, out


def peak_extra_bytes(x, y, tx):
    tracemalloc.start()
    tracemalloc.reset_peak()
    before, _ = tracemalloc.get_traced_memory()
    run_gradcraft(x, y, tx)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - before


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("GRADCRAFT_DATA"),
                        help="folder holding mnist/ (default: $GRADCRAFT_DATA)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pause", type=float, default=1.0, help="settle seconds between runs")
    parser.add_argument("--chunk-size", type=int, default=None,
                        help="gradcraft's chunk_size (default: its own choice)")
    parser.add_argument("--test-rows", type=int, default=None, help="use only the first N test images")
    args = parser.parse_args(argv)
    if not args.data_dir:
        parser.error("give --data-dir or set GRADCRAFT_DATA (a folder holding mnist/)")
    x, y, tx, ty = load(args.data_dir)
    if args.test_rows:
        tx, ty = tx[:args.test_rows], ty[:args.test_rows]
    print(f"MNIST {x.shape[0]} train x {tx.shape[0]} test, {x.shape[1]} float32 features, k={K}, "
          f"{cpu_name()}, {os.cpu_count()} CPUs")

    times = {"gradcraft": [], "sklearn": []}
    predictions = {}
    for _ in range(args.rounds):
        for name in times:
            time.sleep(args.pause)
            if name == "gradcraft":
                seconds, predictions[name] = timed(run_gradcraft, x, y, tx, args.chunk_size)
            else:
                seconds, predictions[name] = timed(run_sklearn, x, y, tx)
            times[name].append(seconds)
            print(f"  {name:9s} {seconds:6.2f} s", flush=True)

    median = {name: statistics.median(values) for name, values in times.items()}
    best = {name: min(values) for name, values in times.items()}
    for name in times:
        accuracy = float(np.mean(predictions[name] == ty))
        print(f"{name:9s} median {median[name]:6.2f} s  best {best[name]:6.2f} s  accuracy {accuracy:.4%}")
    agree = float(np.mean(predictions["gradcraft"] == predictions["sklearn"]))
    # on a shared machine the best rounds are the least disturbed ones
    print(f"ratio gradcraft / sklearn: medians {median['gradcraft'] / median['sklearn']:.2f}, "
          f"best rounds {best['gradcraft'] / best['sklearn']:.2f} "
          f"(predictions agree on {agree:.4%} of the test images)")
    time.sleep(args.pause)
    peak = peak_extra_bytes(x, y, tx)
    print(f"gradcraft peak extra memory (tracemalloc, fit + predict): {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
