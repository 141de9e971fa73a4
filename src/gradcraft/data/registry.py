"""Named datasets: `load_dataset('digits' | 'mnist' | 'fashion-mnist' | 'cifar10', ...)`.

Every dataset comes back the same way: float32 images scaled to [0, 1] in NCHW shape and int64
labels, as TensorDatasets `train`, `val` (optional, carved out of train) and `test`.

- 'digits' (default): scikit-learn's 8x8 digits, from the installed package (no files, no
  download); pixels 0..16 divided by 16; fixed stratified split 1,437 train / 360 test (see
  `gradcraft.data.digits`).
- 'mnist', 'fashion-mnist': the four IDX .gz files (see `gradcraft.data.mnist`); pixels / 255.
- 'cifar10': the python batches in cifar-10-batches-py/ (see `gradcraft.data.cifar`); / 255.

The file-based datasets are read from `root`, or else from the directory in the environment
variable GRADCRAFT_DATA.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ..validation import check_int, check_real
from .cifar import CIFAR10_CLASSES, CIFAR10_FILES, load_cifar10
from .dataset import TensorDataset
from .digits import load_digits_split
from .mnist import FASHION_MNIST_CLASSES, MNIST_FILES, load_mnist

__all__ = ["DATASETS", "EMBEDDED_DATASETS", "DatasetSplits", "load_dataset", "canonical_dataset_name"]

DATASETS = ("digits", "mnist", "fashion-mnist", "cifar10")
DATA_DIR_VARIABLE = "GRADCRAFT_DATA"

_DIGIT_NAMES = tuple(str(d) for d in range(10))
_INFO = {  # name -> (input shape, class names, pixel maximum, expected files, folder)
    "digits": ((1, 8, 8), _DIGIT_NAMES, 16.0, (), None),
    "mnist": ((1, 28, 28), _DIGIT_NAMES, 255.0, tuple(MNIST_FILES.values()), "mnist"),
    "fashion-mnist": ((1, 28, 28), FASHION_MNIST_CLASSES, 255.0, tuple(MNIST_FILES.values()),
                      "fashion-mnist"),
    "cifar10": ((3, 32, 32), CIFAR10_CLASSES, 255.0, CIFAR10_FILES, "cifar-10-batches-py"),
}
#: the datasets that ship with the code: no files, so no `root` / --data-dir
EMBEDDED_DATASETS = tuple(name for name, info in _INFO.items() if info[4] is None)


@dataclass
class DatasetSplits:
    """A loaded dataset. `train`, `val`, `test` hold (features float32 (N, *input_shape) in
    [0, 1], labels int64 (N,)); `val` is None unless a validation fraction was asked for."""

    name: str
    train: TensorDataset
    val: TensorDataset | None
    test: TensorDataset
    num_classes: int
    input_shape: tuple
    class_names: tuple

    def __repr__(self) -> str:
        sizes = f"train={len(self.train)}, val={len(self.val) if self.val else 0}, " \
                f"test={len(self.test)}"
        return (f"DatasetSplits({self.name!r}: {sizes}, input_shape={self.input_shape}, "
                f"num_classes={self.num_classes})")


def canonical_dataset_name(name) -> str:
    """The name in `DATASETS` that `name` spells, whatever its case: 'MNIST' -> 'mnist',
    'Fashion-MNIST' / 'fashion_mnist' -> 'fashion-mnist', 'CIFAR-10' -> 'cifar10'; ValueError
    listing the names for anything else."""
    key = str(name).strip().lower().replace("_", "-")
    key = {"fashion": "fashion-mnist", "fashionmnist": "fashion-mnist", "cifar-10": "cifar10"}.get(key, key)
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; valid names: {', '.join(DATASETS)}")
    return key


def _resolve_root(name: str, root):
    if root is None:
        root = os.environ.get(DATA_DIR_VARIABLE) or None
    if root is None:
        files = ", ".join(_INFO[name][3])
        raise ValueError(
            f"dataset {name!r} is read from files: pass --data-dir DIR (or root=DIR), or set "
            f"the {DATA_DIR_VARIABLE} environment variable; DIR must contain {_INFO[name][4]}/ "
            f"with {files}"
        )
    return root


def _scaled(images, maximum: float, input_shape) -> np.ndarray:
    x = images.astype(np.float32).reshape(len(images), *input_shape)
    x /= np.float32(maximum)
    return x


def _validation_split(labels, val_fraction: float, seed: int):
    """Stratified (train, val) positions: train_test_split(test_size=val_fraction, stratify)."""
    from sklearn.model_selection import train_test_split

    try:
        return train_test_split(np.arange(len(labels)), test_size=val_fraction, stratify=labels,
                                random_state=seed)
    except ValueError as error:
        raise ValueError(
            f"val_fraction={val_fraction} cannot make a stratified validation split of "
            f"{len(labels)} training samples ({error})"
        ) from None


def load_dataset(name: str = "digits", root=None, val_fraction: float = 0.0,
                 seed: int = 0) -> DatasetSplits:
    """Load a named dataset (one of `DATASETS`) as train / val / test TensorDatasets.

    Args:
        name: 'digits' (default, no files needed), 'mnist', 'fashion-mnist' or 'cifar10'.
        root: data directory for the file-based datasets; default: $GRADCRAFT_DATA.
        val_fraction: in [0, 1): the fraction of the training set held out as `val`, a
            stratified random split (same class proportions) drawn with `seed`. 0: no `val`.
        seed: seed of that validation split (the test split is always the dataset's own).
    """
    name = canonical_dataset_name(name)
    val_fraction = check_real(val_fraction, "val_fraction", low=0.0, high=1.0, high_open=True)
    # scikit-learn's random_state takes seeds in [0, 2**32 - 1]
    seed = check_int(seed, "seed", low=0, high=2**32 - 1)
    input_shape, class_names, maximum, _, _ = _INFO[name]
    if name == "digits":
        raw = load_digits_split()
    elif name == "cifar10":
        raw = load_cifar10(_resolve_root(name, root))
    else:
        raw = load_mnist(_resolve_root(name, root), name)
    train_x = _scaled(raw["train_images"], maximum, input_shape)
    train_y = raw["train_labels"].astype(np.int64)
    test = TensorDataset(_scaled(raw["test_images"], maximum, input_shape),
                         raw["test_labels"].astype(np.int64))
    val = None
    if val_fraction > 0:
        keep, held_out = _validation_split(train_y, val_fraction, seed)
        val = TensorDataset(train_x[held_out], train_y[held_out])
        train_x, train_y = train_x[keep], train_y[keep]
    return DatasetSplits(name=name, train=TensorDataset(train_x, train_y), val=val, test=test,
                         num_classes=len(class_names), input_shape=input_shape,
                         class_names=class_names)
