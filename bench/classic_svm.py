"""SVM on MNIST 3-vs-5: gradcraft's SoftSVM (squared slacks, SMO) against scikit-learn's SVC
(hinge slacks, libsvm) with the same kernel, C and gamma, linear and RBF.

    python bench/classic_svm.py --data-dir ../shared/data    (or GRADCRAFT_DATA=...)

Data: the first 2,000 threes and fives of MNIST's training set (file order) to train on, all the
threes and fives of the test set (1,902) to test on; pixels as float64 scaled to [0, 1]; label 5
is the positive class. The two libraries solve different problems at the same C (SoftSVM
penalises C/2 sum xi^2, SVC C sum xi), so the accuracies are compared, not the models. Rounds are
interleaved (gradcraft linear, sklearn linear, gradcraft rbf, sklearn rbf, ...) with a settle
pause before each run; fit and predict are timed separately; medians are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from gradcraft.classic import SoftSVM
from gradcraft.data import load_mnist

from machine import cpu_name  # bench/machine.py (run as python bench/...)

N_TRAIN = 2000
DIGITS = (3, 5)


def load(data_dir, n_train=N_TRAIN):
    arrays = load_mnist(data_dir)

    def pick(images, labels, limit=None):
        keep = np.flatnonzero(np.isin(labels, DIGITS))[:limit]
        x = images[keep].reshape(len(keep), -1).astype(np.float64) / 255.0
        return x, labels[keep].astype(np.int64)

    x, y = pick(arrays["train_images"], arrays["train_labels"], n_train)
    tx, ty = pick(arrays["test_images"], arrays["test_labels"])
    return x, y, tx, ty


def make_model(library, kernel, C):
    if library == "gradcraft":
        return SoftSVM(C=C, kernel=kernel, gamma="scale")
    from sklearn.svm import SVC

    return SVC(C=C, kernel=kernel, gamma="scale")


def fit_and_predict(library, kernel, C, x, y, tx):
    model = make_model(library, kernel, C)
    start = time.perf_counter()
    model.fit(x, y)
    fitted = time.perf_counter()
    predictions = model.predict(tx)
    return fitted - start, time.perf_counter() - fitted, predictions, model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("GRADCRAFT_DATA"),
                        help="folder holding mnist/ (default: $GRADCRAFT_DATA)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pause", type=float, default=1.0, help="settle seconds before each run")
    parser.add_argument("--c-linear", type=float, default=1.0, help="C of both linear SVMs")
    parser.add_argument("--c-rbf", type=float, default=1.0, help="C of both RBF SVMs")
    args = parser.parse_args(argv)
    if not args.data_dir:
        parser.error("give --data-dir or set GRADCRAFT_DATA (a folder holding mnist/)")
    x, y, tx, ty = load(args.data_dir)
    print(f"MNIST {DIGITS[0]}-vs-{DIGITS[1]}: {len(x)} train x {len(tx)} test, {x.shape[1]} "
          f"float64 features in [0, 1]; {cpu_name()}, {os.cpu_count()} CPUs")
    runs = [(kernel, library) for kernel in ("linear", "rbf") for library in ("gradcraft", "sklearn")]
    C = {"linear": args.c_linear, "rbf": args.c_rbf}
    fit_times = {run: [] for run in runs}
    predict_times = {run: [] for run in runs}
    last = {}
    for round_ in range(args.rounds):
        for kernel, library in runs:
            time.sleep(args.pause)
            fit_s, predict_s, predictions, model = fit_and_predict(library, kernel, C[kernel],
                                                                  x, y, tx)
            fit_times[kernel, library].append(fit_s)
            predict_times[kernel, library].append(predict_s)
            last[kernel, library] = predictions, model
            print(f"  round {round_ + 1} {kernel:6s} {library:9s} fit {fit_s:6.3f} s  "
                  f"predict {predict_s:6.3f} s", flush=True)

    for kernel in ("linear", "rbf"):
        print(f"{kernel} kernel, C={C[kernel]:g}" + (", gamma='scale'" if kernel == "rbf" else ""))
        medians = {}
        for library in ("gradcraft", "sklearn"):
            predictions, model = last[kernel, library]
            medians[library] = statistics.median(fit_times[kernel, library])
            n_sv = len(model.support_)
            extra = (f", {model.n_iter_} SMO steps, duality gap {model.duality_gap_:.1e}"
                     if library == "gradcraft" else "")
            print(f"  {library:9s} fit median {medians[library]:6.3f} s  predict median "
                  f"{statistics.median(predict_times[kernel, library]):6.3f} s  accuracy "
                  f"{np.mean(predictions == ty):.4f}  {n_sv} support vectors{extra}")
        agree = np.mean(last[kernel, "gradcraft"][0] == last[kernel, "sklearn"][0])
        print(f"  ratio gradcraft / sklearn (fit): {medians['gradcraft'] / medians['sklearn']:.2f}"
              f"  (predictions agree on {agree:.4f} of the test images)")


if __name__ == "__main__":
    main()
