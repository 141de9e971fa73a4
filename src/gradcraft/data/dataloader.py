"""`DataLoader`: mini-batches of a dataset as Tensors, optionally shuffled, reproducibly.

Reproducible shuffling, so that resuming at epoch e replays exactly the uninterrupted run:
the order of epoch e is a pure function of (seed, e) -- `default_rng([seed, e]).permutation(N)`
-- not of how many epochs this loader object happened to iterate before. The loader keeps an
epoch counter (`loader.epoch`, starting at 0) that advances by one each time an iteration hands
out its last batch; `loader.set_epoch(e)` sets it (as `DistributedSampler.set_epoch` in PyTorch), e.g.
to resume a run at epoch e. An iteration abandoned early (`break`) does not advance it.

PyTorch's multiprocessing and memory options (`num_workers`, `pin_memory`, `persistent_workers`,
`prefetch_factor`, `worker_init_fn`) are accepted, checked as PyTorch checks them, and ignored:
batches are made in the calling process, in main memory. The first loader given one of them
says so once per process (a `UserWarning`, `warnings.warn`), so PyTorch code runs unchanged.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..random import default_generator
from ..tensor import Tensor
from ..validation import check_bool, check_float_dtype, check_int
from .dataset import stack_samples

__all__ = ["DataLoader"]


class DataLoader:
    """Iterate over `dataset` in batches of `batch_size` samples.

    Each batch is a tuple of Tensors (one per field of a sample; a plain Tensor if samples are
    not tuples) that require no grad: floating fields become `float_dtype` (float32 unless told;
    None keeps the dataset's dtype), integer fields int64 (class labels). Batches never alias
    the dataset's memory.

    Args:
        dataset: a `Dataset` (or anything with `len()` and `[i]`); `TensorDataset` and its
            `Subset`s are batched with one fancy index per array, with no per-sample loop.
        batch_size: samples per batch; the last batch is smaller unless `drop_last`.
        shuffle: visit the samples in a new random order each epoch; without `seed` or
            `generator`, one seed is drawn from the default generator (`gradcraft.manual_seed`).
        drop_last: drop the last, incomplete batch.
        seed: non-negative int; epoch e is shuffled by `default_rng([seed, e])`.
        generator: a `numpy.random.Generator` instead of `seed`: one seed is drawn from it when
            the loader is made, and the loader then behaves as if given that seed.
        num_workers, pin_memory, persistent_workers, prefetch_factor, worker_init_fn: PyTorch's
            worker options, checked and ignored (batches are made in this process; see above).
    """

    def __init__(self, dataset, batch_size: int = 1, shuffle: bool = False, drop_last: bool = False,
                 seed: int | None = None, generator: np.random.Generator | None = None,
                 float_dtype="float32", *, num_workers: int = 0, pin_memory: bool = False,
                 persistent_workers: bool = False, prefetch_factor: int | None = None,
                 worker_init_fn=None):
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                f"DataLoader: dataset must support len() and indexing, got {type(dataset).__name__}"
            )
        batch_size = check_int(batch_size, "batch_size", low=1)
        # bools only: DataLoader(ds, 64, 1) would otherwise read a misplaced argument as shuffle=True
        shuffle = check_bool(shuffle, "shuffle")
        drop_last = check_bool(drop_last, "drop_last")
        # None: floating fields keep the dataset's dtype
        float_dtype = None if float_dtype is None else check_float_dtype(float_dtype, "float_dtype")
        if seed is not None and generator is not None:
            raise ValueError("DataLoader: pass seed= or generator=, not both")
        if generator is not None:
            if not isinstance(generator, np.random.Generator):
                raise TypeError(
                    f"DataLoader: generator must be a numpy.random.Generator, "
                    f"got {type(generator).__name__}"
                )
            seed = int(generator.integers(0, 2**63 - 1))
        elif seed is not None:
            seed = check_int(seed, "seed", low=0)
        if shuffle and seed is None:
            # PyTorch's DataLoader(ds, 64, shuffle=True): the seed comes from the default
            # generator (`gradcraft.manual_seed`), so a seeded program shuffles the same each run
            seed = int(default_generator().integers(0, 2**63 - 1))
        _check_worker_options(num_workers, pin_memory, persistent_workers, prefetch_factor,
                              worker_init_fn)
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.seed = seed
        self.float_dtype = float_dtype
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Make the next iteration epoch `epoch` (its shuffle order is fixed by seed and epoch)."""
        self.epoch = check_int(epoch, "epoch", low=0)

    def order(self, epoch: int | None = None) -> np.ndarray:
        """The sample positions visited in `epoch` (default: the next one), shape (N,)."""
        epoch = self.epoch if epoch is None else check_int(epoch, "epoch", low=0)
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        return np.random.default_rng([self.seed, epoch]).permutation(n)

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        epoch = self.epoch
        order = self.order(epoch) if self.shuffle else None
        get_batch = getattr(self.dataset, "get_batch", None)
        num_batches = len(self)
        if num_batches == 0:
            self.epoch = epoch + 1
        for b in range(num_batches):
            start = b * self.batch_size
            stop = min(start + self.batch_size, len(self.dataset))
            # Unshuffled batches are slices (then copied, so batches never alias the dataset);
            # shuffled ones are fancy indices, which copy anyway.
            index = slice(start, stop) if order is None else order[start:stop]
            if get_batch is not None:
                fields = get_batch(index)
            else:
                fields = stack_samples(self.dataset, np.arange(start, stop) if order is None
                                       else order[start:stop])
            if b == num_batches - 1:
                # Advance when the last batch is handed out (not when the generator is resumed
                # once more): `zip(loader_a, loader_b)` never resumes the second one at the end.
                self.epoch = epoch + 1
            yield self._to_tensors(fields, copy=order is None)

    def _to_tensors(self, fields, copy: bool):
        single = not isinstance(fields, tuple)
        fields = (fields,) if single else fields
        tensors = tuple(Tensor._from_op(self._convert(np.asarray(f), copy), None) for f in fields)
        return tensors[0] if single else tensors

    def _convert(self, array, copy: bool):
        dtype = array.dtype
        if np.issubdtype(dtype, np.floating) and self.float_dtype is not None:
            dtype = self.float_dtype
        elif np.issubdtype(dtype, np.integer):
            dtype = np.dtype(np.int64)
        return np.array(array, dtype=dtype, copy=True) if copy else array.astype(dtype, copy=False)

    def __repr__(self) -> str:
        return (f"DataLoader({len(self.dataset)} samples, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, seed={self.seed}, "
                f"epoch={self.epoch})")



_noted_ignored_options = False  # the note about ignored worker options is given once per process


def _check_worker_options(num_workers, pin_memory, persistent_workers, prefetch_factor,
                          worker_init_fn) -> None:
    """Check PyTorch's worker options as PyTorch does, and note once that they are ignored."""
    global _noted_ignored_options
    num_workers = check_int(num_workers, "num_workers", low=0)
    pin_memory = check_bool(pin_memory, "pin_memory")
    persistent_workers = check_bool(persistent_workers, "persistent_workers")
    if prefetch_factor is not None:
        prefetch_factor = check_int(prefetch_factor, "prefetch_factor", low=1)
    if worker_init_fn is not None and not callable(worker_init_fn):
        raise TypeError(f"DataLoader: worker_init_fn must be callable or None, got "
                        f"{type(worker_init_fn).__name__}")
    # PyTorch's own rules: these two only mean something with worker processes
    if persistent_workers and num_workers == 0:
        raise ValueError("DataLoader: persistent_workers=True needs num_workers > 0 (as PyTorch)")
    if prefetch_factor is not None and num_workers == 0:
        raise ValueError("DataLoader: prefetch_factor needs num_workers > 0 (as PyTorch); leave it None")
    given = [f"{name}={value!r}" for name, value, default in (
        ("num_workers", num_workers, 0), ("pin_memory", pin_memory, False),
        ("persistent_workers", persistent_workers, False), ("prefetch_factor", prefetch_factor, None),
        ("worker_init_fn", worker_init_fn, None)) if value != default]
    if given and not _noted_ignored_options:
        _noted_ignored_options = True
        warnings.warn(f"DataLoader: {', '.join(given)} ignored: gradcraft makes batches in this "
                      "process, in main memory (said once per process)", UserWarning, stacklevel=3)
