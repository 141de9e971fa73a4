"""Datasets: anything with `len(ds)` and `ds[i]`, plus whole-batch fetching for the DataLoader.

PyTorch's vocabulary (`Dataset`, `TensorDataset`, `Subset`, `random_split`), NumPy's arrays:
samples are returned as NumPy values; the `DataLoader` turns batches into Tensors.

`get_batch(index)` is the fast path: `index` is a slice or an integer array, and the result is
the tuple of whole-batch arrays. `TensorDataset` answers it with one fancy-index per array (no
Python loop over samples); the generic fallback stacks `ds[i]` sample by sample.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..random import default_generator
from ..tensor import Tensor
from ..validation import check_int, check_real

__all__ = ["Dataset", "TensorDataset", "Subset", "random_split"]


class Dataset:
    """Base class: subclasses define `__len__` and `__getitem__(i)` (a tuple of fields)."""

    def __len__(self) -> int:
        raise NotImplementedError

    def __getitem__(self, index):
        raise NotImplementedError

    def get_batch(self, index):
        """The samples at `index` (slice or int array), each field stacked along a new axis 0:
        a tuple of arrays (a single array if samples are not tuples)."""
        return stack_samples(self, np.arange(len(self))[index])


def stack_samples(dataset, positions):
    """Generic collation, one `dataset[i]` per sample (datasets without a fast `get_batch`)."""
    samples = [dataset[int(i)] for i in positions]
    if not samples:
        raise ValueError("cannot make a batch of zero samples")
    if not isinstance(samples[0], tuple | list):
        return np.stack([_to_numpy(s) for s in samples])
    return tuple(np.stack([_to_numpy(s[f]) for s in samples]) for f in range(len(samples[0])))


def _to_numpy(value):
    return value.data if isinstance(value, Tensor) else np.asarray(value)


def _check_index(index, length: int) -> int:
    # Out of range is an IndexError, not a ValueError: Python's convention for indexing, which
    # `for sample in dataset` (the old iteration protocol) relies on to stop.
    index = check_int(index, "dataset index")
    if not -length <= index < length:
        raise IndexError(f"dataset index {index} is out of range for a dataset of {length} samples")
    return index % length


class TensorDataset(Dataset):
    """Samples are the rows of equally long arrays: `ds[i] == (a[i], b[i], ...)`.

    `arrays` are NumPy arrays or Tensors (kept as their NumPy arrays, not copied), each with the
    same first dimension N; e.g. features (N, C, H, W) and labels (N,).
    """

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset needs at least one array")
        converted = []
        for position, array in enumerate(arrays):
            array = array.data if isinstance(array, Tensor) else np.asarray(array)
            if array.ndim == 0:
                raise ValueError(
                    f"TensorDataset: array {position} must have a first (sample) dimension, "
                    f"got a 0-d array"
                )
            converted.append(array)
        lengths = [len(a) for a in converted]
        if len(set(lengths)) != 1:
            shapes = ", ".join(str(a.shape) for a in converted)
            raise ValueError(
                f"TensorDataset: all arrays must have the same first dimension (number of "
                f"samples), got shapes {shapes}"
            )
        self.arrays = tuple(converted)

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index) -> tuple:
        index = _check_index(index, len(self))
        return tuple(array[index] for array in self.arrays)

    def get_batch(self, index) -> tuple:
        return tuple(array[index] for array in self.arrays)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{a.shape} {a.dtype}" for a in self.arrays)
        return f"TensorDataset({len(self)} samples: {shapes})"


class Subset(Dataset):
    """The samples of `dataset` at `indices` (int array of positions), in that order."""

    def __init__(self, dataset, indices):
        indices = np.asarray(indices)
        if indices.ndim != 1 or (indices.size and not np.issubdtype(indices.dtype, np.integer)):
            raise ValueError(
                f"Subset: indices must be a 1-D integer array, got shape {indices.shape} "
                f"dtype {indices.dtype}"
            )
        n = len(dataset)
        if indices.size and (indices.min() < 0 or indices.max() >= n):
            raise IndexError(
                f"Subset: indices must lie in [0, {n}), got values from {indices.min()} "
                f"to {indices.max()}"
            )
        self.dataset = dataset
        self.indices = indices.astype(np.int64)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index):
        return self.dataset[int(self.indices[_check_index(index, len(self))])]

    def get_batch(self, index):
        positions = self.indices[index]
        if hasattr(self.dataset, "get_batch"):
            return self.dataset.get_batch(positions)
        return stack_samples(self.dataset, positions)

    def __repr__(self) -> str:
        return f"Subset({len(self)} of {len(self.dataset)} samples)"


def _split_lengths(lengths, n: int) -> list[int]:
    """Absolute lengths from ints (summing to n) or fractions (summing to 1).

    Fractions follow PyTorch: floor(n * f) each, then the remainder handed out one sample at a
    time to the splits in order.
    """
    if isinstance(lengths, str) or not hasattr(lengths, "__iter__"):
        raise TypeError(f"random_split: lengths must be a list of ints or fractions, got "
                        f"{type(lengths).__name__}")
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split: lengths must not be empty")
    if all(isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in lengths):
        if any(x < 0 for x in lengths) or sum(lengths) != n:
            raise ValueError(
                f"random_split: integer lengths must be >= 0 and sum to the dataset size {n}, "
                f"got {lengths} (sum {sum(lengths)})"
            )
        return [int(x) for x in lengths]
    fractions = [check_real(x, f"lengths[{i}]") for i, x in enumerate(lengths)]
    if any(f < 0 or f > 1 for f in fractions) or not np.isclose(sum(fractions), 1.0):
        raise ValueError(
            f"random_split: fractions must lie in [0, 1] and sum to 1, got {lengths}"
        )
    counts = [int(np.floor(n * f)) for f in fractions]
    for i in range(n - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


def random_split(dataset, lengths, seed: int | None = None,
                 generator: np.random.Generator | None = None) -> list[Subset]:
    """Split `dataset` into non-overlapping random `Subset`s of the given `lengths`.

    `lengths`: ints summing to len(dataset), or fractions summing to 1 (e.g. [0.8, 0.2]).
    The permutation comes from `seed` (an int), `generator` (a numpy Generator), or, with
    neither (PyTorch's `random_split(ds, [80, 20])`), the default generator, so a program
    seeded with `gradcraft.manual_seed` splits the same way each run.
    """
    rng = _rng_from(seed, generator, "random_split")
    counts = _split_lengths(lengths, len(dataset))
    order = rng.permutation(len(dataset))
    bounds = np.cumsum([0, *counts])
    return [Subset(dataset, order[start:stop]) for start, stop in zip(bounds[:-1], bounds[1:])]


def _rng_from(seed, generator, who: str) -> np.random.Generator:
    if seed is not None and generator is not None:
        raise ValueError(f"{who}: pass seed= or generator=, not both")
    if generator is not None:
        if not isinstance(generator, np.random.Generator):
            raise TypeError(
                f"{who}: generator must be a numpy.random.Generator, got {type(generator).__name__}"
            )
        return generator
    if seed is None:
        return default_generator()
    return np.random.default_rng(check_int(seed, "seed", low=0))
