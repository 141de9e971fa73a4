"""The classic models against scikit-learn, each in the same process as its reference.

    python bench/classic.py [--data-dir DIR] [--only knn,svm,linear,lasso,tsne]

Runs the scripts bench/classic_<model>.py one after another, each with its defaults (and
`--data-dir` where it reads MNIST; DIR defaults to $GRADCRAFT_DATA): KNN on MNIST (60k x 10k,
k=3), the soft SVM on MNIST 3-vs-5, the linear classifiers and the Crammer-Singer SVM on digits
and an MNIST subset, FISTA/ISTA on a 2000x500 Lasso, t-SNE exact (1k) and Barnes-Hut (5k). Each
prints absolute times and the ratio to scikit-learn; run one alone for its own options
(`python bench/classic_knn.py --help`).
"""

from __future__ import annotations

import argparse
import importlib
import os
import time

BENCHES = ("knn", "svm", "linear", "lasso", "tsne")
READS_MNIST = {"knn", "svm", "linear", "tsne"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("GRADCRAFT_DATA"),
                        help="folder holding mnist/ (default: $GRADCRAFT_DATA)")
    parser.add_argument("--only", default=",".join(BENCHES),
                        help=f"comma-separated subset of {', '.join(BENCHES)}")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(BENCHES))
    if unknown:
        parser.error(f"--only: unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
    if READS_MNIST & set(chosen) and not args.data_dir:
        parser.error("--data-dir DIR (or $GRADCRAFT_DATA) is needed: DIR/mnist/ holds MNIST")
    for name in chosen:
        print(f"\n=== bench/classic_{name}.py")
        start = time.perf_counter()
        module = importlib.import_module(f"classic_{name}")  # bench/ is sys.path[0]
        module.main(["--data-dir", args.data_dir] if name in READS_MNIST else [])
        print(f"=== {name}: {time.perf_counter() - start:.0f} s")
        time.sleep(2)  # let the BLAS threads of one benchmark settle before the next


if __name__ == "__main__":
    main()
