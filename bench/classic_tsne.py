"""t-SNE on MNIST, gradcraft against scikit-learn in the same run.

  - exact: 1,000 MNIST training images, method='exact' in both libraries;
  - O(N log N): 5,000 images, scikit-learn's Barnes-Hut against gradcraft's 'fft'
    (interpolation) and gradcraft's 'barnes_hut' (vectorised quadtree).

Pixels are scaled to [0, 1]; every run is TSNE(perplexity=30, init='pca', random_state=0,
1000 iterations). Printed: seconds, KL divergence, trustworthiness(n_neighbors=5), and the
time ratio to scikit-learn. One round of each (they take tens of seconds), with pauses
between. Both libraries run under threadpoolctl's limit (default 1 thread: on a shared
machine scikit-learn's OpenMP threads otherwise fight each other).

    python bench/classic_tsne.py [--data-dir DIR] [--threads 1] [--exact-n 1000] [--bh-n 5000]
        [--skip-exact] [--skip-barnes-hut]

DIR defaults to $GRADCRAFT_DATA (the folder holding mnist/).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from sklearn.manifold import TSNE as SklearnTSNE
from sklearn.manifold import trustworthiness
from threadpoolctl import threadpool_limits

from gradcraft.classic import TSNE
from gradcraft.data import load_mnist


def _mnist(data_dir: str, n: int) -> np.ndarray:
    images = load_mnist(data_dir)["train_images"][:n]
    return images.reshape(n, -1).astype(np.float64) / 255.0


def _run(label, make, x):
    time.sleep(1)  # settle between runs
    model = make()
    start = time.perf_counter()
    embedding = model.fit_transform(x)
    seconds = time.perf_counter() - start
    score = trustworthiness(x, embedding, n_neighbors=5)
    print(f"  {label:<28} {seconds:8.1f} s   KL {model.kl_divergence_:.3f}   "
          f"trustworthiness {score:.4f}", flush=True)
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("GRADCRAFT_DATA"))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--exact-n", type=int, default=1000)
    parser.add_argument("--bh-n", type=int, default=5000)
    parser.add_argument("--skip-exact", action="store_true", help="only the --bh-n runs")
    parser.add_argument("--skip-barnes-hut", action="store_true",
                        help="skip gradcraft's (slow) vectorised Barnes-Hut at --bh-n")
    args = parser.parse_args(argv)
    if not args.data_dir:
        parser.error("give --data-dir or set GRADCRAFT_DATA (the folder holding mnist/)")
    common = dict(perplexity=30.0, init="pca", random_state=0)
    with threadpool_limits(args.threads):
        if not args.skip_exact:
            x = _mnist(args.data_dir, args.exact_n)
            print(f"t-SNE, exact, {args.exact_n} MNIST points ({args.threads} thread(s))")
            ours = _run("gradcraft exact", lambda: TSNE(method="exact", **common), x)
            theirs = _run("scikit-learn exact", lambda: SklearnTSNE(method="exact", **common), x)
            print(f"  ratio gradcraft / scikit-learn: {ours / theirs:.2f}")

        x = _mnist(args.data_dir, args.bh_n)
        print(f"t-SNE, O(N log N), {args.bh_n} MNIST points ({args.threads} thread(s))")
        theirs = _run("scikit-learn barnes_hut", lambda: SklearnTSNE(method="barnes_hut", **common), x)
        fft = _run("gradcraft fft", lambda: TSNE(method="fft", **common), x)
        print(f"  ratio gradcraft fft / scikit-learn barnes_hut: {fft / theirs:.2f}")
        if not args.skip_barnes_hut:
            bh = _run("gradcraft barnes_hut", lambda: TSNE(method="barnes_hut", **common), x)
            print(f"  ratio gradcraft barnes_hut / scikit-learn barnes_hut: {bh / theirs:.2f}")


if __name__ == "__main__":
    main()
