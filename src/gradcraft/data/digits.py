"""scikit-learn's 8x8 handwritten digits: the default dataset, shipped inside scikit-learn's wheel.

1,797 grey images of 8x8 pixels with values 0..16 (the UCI "optdigits" test set), 10 classes.
The train/test split is fixed: `sklearn.model_selection.train_test_split(test_size=0.2,
stratify=labels, random_state=0)` on the samples in their stored order -> 1,437 train, 360 test,
every class in the same proportion in both.
"""

from __future__ import annotations

import numpy as np

__all__ = ["load_digits_split", "DIGITS_TEST_FRACTION", "DIGITS_SPLIT_SEED"]

DIGITS_TEST_FRACTION = 0.2
DIGITS_SPLIT_SEED = 0


def load_digits_split() -> dict[str, np.ndarray]:
    """{'train_images': float64 (1437, 8, 8) in 0..16, 'train_labels': int64 (1437,),
    'test_images': (360, 8, 8), 'test_labels': (360,)}."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images, labels = digits.images, digits.target.astype(np.int64)
    train, test = train_test_split(
        np.arange(len(labels)), test_size=DIGITS_TEST_FRACTION, stratify=labels,
        random_state=DIGITS_SPLIT_SEED,
    )
    return {"train_images": images[train], "train_labels": labels[train],
            "test_images": images[test], "test_labels": labels[test]}
