"""CIFAR-10 from its "python version" batches (cifar-10-batches-py/).

The python batches are pickles by format (a dict with b'data': uint8 (10000, 3072) and
b'labels': list of ints), so reading them needs the pickle protocol. They are read with a
restricted unpickler that can build only dicts, lists, strings, numbers and plain NumPy arrays:
any other global in the file (the way a malicious pickle runs code) is refused. gradcraft's
own files (model checkpoints) are safetensors and never pickles.

Each row of b'data' is 1024 red, 1024 green, then 1024 blue values of a 32x32 image in row-major
order, so reshaping to (N, 3, 32, 32) gives NCHW directly.
"""

from __future__ import annotations

import codecs
import pickle
from pathlib import Path

import numpy as np

from .files import find_files

__all__ = ["CIFAR10_FILES", "CIFAR10_CLASSES", "load_cifar10", "read_cifar_batch"]

CIFAR10_TRAIN_FILES = tuple(f"data_batch_{i}" for i in range(1, 6))
CIFAR10_FILES = (*CIFAR10_TRAIN_FILES, "test_batch")
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                   "ship", "truck")

# What a NumPy array pickles as: `_reconstruct(ndarray, shape, dtype)` plus a state tuple, and
# `dtype(...)` for its element type. Resolved from NumPy itself, so the path of `_reconstruct`
# (numpy.core vs numpy._core) does not matter.
_RECONSTRUCT = np.zeros(1).__reduce__()[0]
_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    # Python 3's protocol <= 2 pickles write bytes as _codecs.encode(text, 'latin1'); harmless.
    ("_codecs", "encode"): codecs.encode,
}


class _ForbiddenGlobal(pickle.UnpicklingError):
    pass


class _ArraysOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise _ForbiddenGlobal(f"refusing to load {module}.{name}") from None


def read_cifar_batch(path) -> tuple[np.ndarray, np.ndarray]:
    """One python batch file -> images uint8 (N, 3, 32, 32), labels int64 (N,), verified."""
    path = Path(path)
    try:
        with open(path, "rb") as file:
            # Written by Python 2: its byte strings are read as latin-1 text, which NumPy turns
            # back into the exact bytes of an array (NumPy's advice for Python 2 pickles).
            batch = _ArraysOnlyUnpickler(file, encoding="latin1").load()
    except _ForbiddenGlobal as error:
        raise ValueError(
            f"{path}: {error}: a CIFAR batch holds only dicts, lists, strings, numbers and NumPy "
            "arrays, so this file is not one (or has been tampered with); it was not loaded"
        ) from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError,
            AttributeError) as error:
        raise ValueError(
            f"{path}: not a readable CIFAR python batch ({type(error).__name__}: {error}); the "
            "file is probably truncated or corrupt"
        ) from None
    if not isinstance(batch, dict):
        raise ValueError(f"{path}: expected a CIFAR batch dict, got {type(batch).__name__}")
    batch = {k.decode() if isinstance(k, bytes) else k: v for k, v in batch.items()}
    if "data" not in batch or "labels" not in batch:
        raise ValueError(
            f"{path}: a CIFAR-10 batch needs keys 'data' and 'labels', found {sorted(batch)}"
        )
    data, labels = batch["data"], np.asarray(batch["labels"])
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 \
            or data.shape[1] != 3 * 32 * 32:
        described = (f"{data.dtype} array of shape {data.shape}"
                     if isinstance(data, np.ndarray) else type(data).__name__)
        raise ValueError(f"{path}: 'data' must be a uint8 array (N, 3072), got {described}")
    if labels.shape != (len(data),) or (labels.size and not np.issubdtype(labels.dtype, np.integer)):
        raise ValueError(
            f"{path}: 'labels' must be {len(data)} integers (one per image), got shape "
            f"{labels.shape} dtype {labels.dtype}"
        )
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"{path}: labels must lie in 0..9, found {labels.min()}..{labels.max()}")
    return data.reshape(-1, 3, 32, 32), labels.astype(np.int64)


def load_cifar10(root) -> dict[str, np.ndarray]:
    """CIFAR-10 from `root/cifar-10-batches-py/` (or `root/` itself).

    Returns {'train_images': uint8 (N, 3, 32, 32), 'train_labels': int64 (N,), 'test_images',
    'test_labels'}; the five training batches are concatenated in order.
    """
    directory = find_files(root, "cifar10", ("cifar-10-batches-py",), list(CIFAR10_FILES))
    train = [read_cifar_batch(directory / name) for name in CIFAR10_TRAIN_FILES]
    test_images, test_labels = read_cifar_batch(directory / "test_batch")
    return {
        "train_images": np.concatenate([images for images, _ in train]),
        "train_labels": np.concatenate([labels for _, labels in train]),
        "test_images": test_images,
        "test_labels": test_labels,
    }
