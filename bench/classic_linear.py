"""Linear classifiers against scikit-learn: MulticlassSVM vs LinearSVC(multi_class='crammer_singer')
(the same objective, the same C and tol), LinearClassifier vs SGDClassifier (the same number of
epochs; SGDClassifier is one-vs-rest with per-sample steps, ours is one multiclass loss on
minibatches of 32).

    python bench/classic_linear.py [--data-dir ../shared/data] [--rounds 3]   (or GRADCRAFT_DATA=...)

Data: scikit-learn's digits (1,797 8x8 images, 70/30 stratified split, standardised on the
training part), and when a data folder is given the first --mnist-train images of MNIST's
training set (pixels / 255, float64) tested on its 10,000 test images. Rounds are interleaved
(gradcraft, sklearn, gradcraft, sklearn...) with a settle pause before each run; fit times are
medians. Both SVMs' primal objectives 1/2 ||[W, b]||^2 + C sum_i max-hinge_i are computed here,
from their coef_ and intercept_.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from gradcraft.classic import LinearClassifier, MulticlassSVM

from machine import cpu_name  # bench/machine.py (run as python bench/...)


def digits():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0,
                                                        stratify=y)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), y_train, scaler.transform(X_test), y_test


def mnist(data_dir, n_train):
    from gradcraft.data import load_mnist

    arrays = load_mnist(data_dir)

    def flat(images):
        return images.reshape(len(images), -1).astype(np.float64) / 255.0

    return (flat(arrays["train_images"][:n_train]), arrays["train_labels"][:n_train].astype(np.int64),
            flat(arrays["test_images"]), arrays["test_labels"].astype(np.int64))


def primal(model, X, y, C):
    """1/2 ||W||^2 + 1/2 ||b||^2 + C sum_i max(0, max_{r != y} s_r + 1 - s_y) (liblinear's)."""
    scores = X @ model.coef_.T + model.intercept_
    rows = np.arange(len(y))
    true = scores[rows, y]
    scores[rows, y] = -np.inf
    hinge = np.maximum(0.0, scores.max(axis=1) + 1 - true)
    return 0.5 * (np.sum(model.coef_ ** 2) + np.sum(model.intercept_ ** 2)) + C * hinge.sum()


def timed_fits(makers, data, rounds, pause):
    """{name: (median fit seconds, last fitted model)}, the makers' fits interleaved."""
    X, y = data[0], data[1]
    times = {name: [] for name in makers}
    models = {}
    for round_ in range(rounds):
        for name, make in makers.items():
            time.sleep(pause)
            model = make()
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(X, y)
            times[name].append(time.perf_counter() - start)
            models[name] = model
            print(f"  round {round_ + 1} {name:34s} fit {times[name][-1]:7.3f} s", flush=True)
    return {name: (statistics.median(times[name]), models[name]) for name in makers}


def compare_svms(title, data, C, rounds, pause):
    X, y, X_test, y_test = data
    print(f"{title}: MulticlassSVM vs LinearSVC(crammer_singer), C={C:g}, tol=1e-4")
    results = timed_fits({
        "gradcraft MulticlassSVM": lambda: MulticlassSVM(C=C, tol=1e-4, max_iter=1000),
        "sklearn LinearSVC(crammer_singer)": lambda: LinearSVC(multi_class="crammer_singer", C=C,
                                                               tol=1e-4, max_iter=1000),
    }, data, rounds, pause)
    (ours_s, ours), (theirs_s, theirs) = results.values()
    p_ours, p_theirs = primal(ours, X, y, C), primal(theirs, X, y, C)
    print(f"  gradcraft fit median {ours_s:7.3f} s  {ours.n_iter_} epochs, duality gap "
          f"{ours.dual_gap_:.2e}, objective {p_ours:.6f}, test accuracy {ours.score(X_test, y_test):.4f}")
    print(f"  sklearn   fit median {theirs_s:7.3f} s  {theirs.n_iter_} iterations, objective "
          f"{p_theirs:.6f}, test accuracy {theirs.score(X_test, y_test):.4f}")
    agree = np.mean(ours.predict(X_test) == theirs.predict(X_test))
    print(f"  ratio gradcraft / sklearn (fit): {ours_s / theirs_s:.1f}; objectives differ by "
          f"{(p_ours - p_theirs) / p_theirs:+.1e} (relative); test predictions agree on {agree:.4f}")


def compare_sgd(title, data, epochs, rounds, pause):
    X, y, X_test, y_test = data
    print(f"{title}: LinearClassifier vs SGDClassifier, {epochs} epochs each")
    for ours_loss, their_loss in (("hinge", "hinge"), ("softmax", "log_loss")):
        results = timed_fits({
            f"gradcraft LinearClassifier({ours_loss})": lambda: LinearClassifier(loss=ours_loss,
                                                                                 epochs=epochs),
            f"sklearn SGDClassifier({their_loss})": lambda: SGDClassifier(
                loss=their_loss, max_iter=epochs, tol=None, random_state=0),
        }, data, rounds, pause)
        (ours_s, ours), (theirs_s, theirs) = results.values()
        print(f"  {ours_loss:7s} gradcraft {ours_s:7.3f} s (test accuracy {ours.score(X_test, y_test):.4f})"
              f"  sklearn {theirs_s:7.3f} s (test accuracy {theirs.score(X_test, y_test):.4f})"
              f"  ratio {ours_s / theirs_s:.1f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("GRADCRAFT_DATA"),
                        help="folder holding mnist/ (default: $GRADCRAFT_DATA; digits only without)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pause", type=float, default=1.0, help="settle seconds before each run")
    parser.add_argument("--mnist-train", type=int, default=3000, help="MNIST training images")
    parser.add_argument("--c", type=float, default=0.1, help="C of both SVMs on digits")
    parser.add_argument("--c-mnist", type=float, default=0.01, help="C of both SVMs on MNIST")
    parser.add_argument("--epochs", type=int, default=50, help="SGD epochs of both libraries")
    args = parser.parse_args(argv)
    print(f"{cpu_name()}, {os.cpu_count()} CPUs")
    sets = [("digits", digits(), args.c)]
    if args.data_dir:
        sets.append((f"MNIST (first {args.mnist_train} training images)",
                     mnist(args.data_dir, args.mnist_train), args.c_mnist))
    for title, data, C in sets:
        compare_svms(title, data, C, args.rounds, args.pause)
    for title, data, _ in sets:
        compare_sgd(title, data, args.epochs, args.rounds, args.pause)


if __name__ == "__main__":
    main()
