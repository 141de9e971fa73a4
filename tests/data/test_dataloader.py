"""DataLoader: batching (compared with PyTorch's DataLoader), dtypes, reproducible shuffling."""

import numpy as np
import pytest
import torch

import gradcraft as gc
from gradcraft.data import DataLoader, Dataset, TensorDataset, random_split


def make_dataset(n=10):
    x = np.arange(n * 3, dtype=np.float64).reshape(n, 3)
    y = (np.arange(n) % 4).astype(np.int32)
    return TensorDataset(x, y), x, y


@pytest.mark.parametrize("n, batch_size, drop_last", [
    (10, 3, False), (10, 3, True), (10, 5, False), (10, 5, True), (10, 1, False),
    (10, 32, False), (10, 32, True), (0, 4, False),
])
def test_unshuffled_batches_match_pytorch(n, batch_size, drop_last):
    ds, x, y = make_dataset(n)
    reference = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
        batch_size=batch_size, shuffle=False, drop_last=drop_last)
    loader = DataLoader(ds, batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == len(reference)
    batches = list(loader)
    assert len(batches) == len(reference)
    for (bx, by), (tx, ty) in zip(batches, reference):
        np.testing.assert_array_equal(bx.numpy(), tx.numpy().astype(np.float32))
        np.testing.assert_array_equal(by.numpy(), ty.numpy())


def test_batches_are_float32_and_int64_tensors_without_grad():
    ds, _, _ = make_dataset()
    x, y = next(iter(DataLoader(ds, batch_size=4)))
    assert isinstance(x, gc.Tensor) and isinstance(y, gc.Tensor)
    assert x.dtype == np.float32 and y.dtype == np.int64
    assert not x.requires_grad and not y.requires_grad
    x64, _ = next(iter(DataLoader(ds, batch_size=4, float_dtype=None)))
    assert x64.dtype == np.float64


def test_batches_never_alias_the_dataset():
    x = np.zeros((6, 2), dtype=np.float32)
    ds = TensorDataset(x, np.zeros(6, dtype=np.int64))
    for shuffle in (False, True):
        bx, _ = next(iter(DataLoader(ds, batch_size=3, shuffle=shuffle, seed=0)))
        bx.data += 1
        assert x.sum() == 0


def test_shuffled_epoch_is_a_permutation_and_epochs_differ():
    ds, x, _ = make_dataset(50)
    loader = DataLoader(ds, batch_size=8, shuffle=True, seed=7)
    epochs = []
    for _ in range(3):
        rows = np.concatenate([bx.numpy()[:, 0] for bx, _ in loader]) / 3
        np.testing.assert_array_equal(np.sort(rows), np.arange(50))
        epochs.append(rows)
    assert loader.epoch == 3
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.array_equal(epochs[1], epochs[2])
    assert not np.array_equal(epochs[0], np.arange(50))


def test_shuffle_order_depends_only_on_seed_and_epoch():
    ds, _, _ = make_dataset(40)
    straight = DataLoader(ds, batch_size=6, shuffle=True, seed=11)
    orders = [np.concatenate([bx.numpy()[:, 0] for bx, _ in straight])
              for _ in range(4)]
    resumed = DataLoader(ds, batch_size=6, shuffle=True, seed=11)
    resumed.set_epoch(2)
    for expected in orders[2:]:
        got = np.concatenate([bx.numpy()[:, 0] for bx, _ in resumed])
        np.testing.assert_array_equal(got, expected)
    other_seed = DataLoader(ds, batch_size=6, shuffle=True, seed=12)
    got = np.concatenate([bx.numpy()[:, 0] for bx, _ in other_seed])
    assert not np.array_equal(got, orders[0])


def test_abandoned_iteration_does_not_advance_the_epoch():
    ds, _, _ = make_dataset(20)
    loader = DataLoader(ds, batch_size=4, shuffle=True, seed=0)
    first = next(iter(loader))[0].numpy()
    assert loader.epoch == 0
    np.testing.assert_array_equal(next(iter(loader))[0].numpy(), first)
    list(loader)
    assert loader.epoch == 1


def test_generator_gives_reproducible_loaders():
    ds, _, _ = make_dataset(30)
    a = DataLoader(ds, batch_size=5, shuffle=True, generator=np.random.default_rng(5))
    b = DataLoader(ds, batch_size=5, shuffle=True, generator=np.random.default_rng(5))
    for _ in range(2):
        for (xa, _), (xb, _) in zip(a, b):
            np.testing.assert_array_equal(xa.numpy(), xb.numpy())


def test_subset_uses_the_fast_path_and_yields_its_samples():
    class CountingDataset(TensorDataset):
        calls = 0

        def __getitem__(self, index):
            CountingDataset.calls += 1
            return super().__getitem__(index)

    base = CountingDataset(np.arange(20, dtype=np.float32)[:, None], np.arange(20))
    train, _ = random_split(base, [15, 5], seed=0)
    seen = np.concatenate([by.numpy() for _, by in DataLoader(train, batch_size=4, shuffle=True,
                                                              seed=1)])
    np.testing.assert_array_equal(np.sort(seen), np.sort(train.indices))
    assert CountingDataset.calls == 0


def test_generic_dataset_is_collated():
    class Pairs(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.full(2, i, dtype=np.float64), i

    batches = list(DataLoader(Pairs(), batch_size=2))
    assert [b[0].shape for b in batches] == [(2, 2), (2, 2), (1, 2)]
    np.testing.assert_array_equal(batches[1][1].numpy(), [2, 3])
    assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.int64


def test_dataset_of_single_arrays_yields_single_tensors():
    class Plain(Dataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return np.array([i, -i])

    (batch,) = list(DataLoader(Plain(), batch_size=3))
    assert isinstance(batch, gc.Tensor)
    np.testing.assert_array_equal(batch.numpy(), [[0, 0], [1, -1], [2, -2]])


def test_shuffle_without_a_seed_draws_it_from_the_default_generator():
    # PyTorch's commonest line, DataLoader(ds, 64, shuffle=True): reproducible under manual_seed
    ds, _, _ = make_dataset()
    orders = []
    for _ in range(2):
        gc.manual_seed(7)
        orders.append(DataLoader(ds, batch_size=2, shuffle=True).order(0))
    np.testing.assert_array_equal(orders[0], orders[1])
    assert sorted(orders[0]) == list(range(len(ds))) and list(orders[0]) != list(range(len(ds)))
    gc.manual_seed(8)
    assert list(DataLoader(ds, batch_size=2, shuffle=True).order(0)) != list(orders[0])


def test_dataloader_errors():
    ds, _, _ = make_dataset()
    with pytest.raises(ValueError, match="batch_size must be a positive int, got 0"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(ValueError, match="not both"):
        DataLoader(ds, seed=1, generator=np.random.default_rng(1))
    with pytest.raises(TypeError, match="numpy.random.Generator, got int"):
        DataLoader(ds, generator=3)
    with pytest.raises(TypeError, match="len\\(\\) and indexing, got int"):
        DataLoader(5)
    with pytest.raises(ValueError, match="float_dtype must be a floating dtype such as numpy.float32, got int32"):
        DataLoader(ds, float_dtype="int32")
    with pytest.raises(ValueError, match="epoch must be a non-negative int"):
        DataLoader(ds).set_epoch(-1)


def test_split_of_a_plain_list_is_batched():
    train, test = random_split(list(range(10, 20)), [0.7, 0.3], seed=0)
    (batch,) = list(DataLoader(test, batch_size=3))
    assert isinstance(batch, gc.Tensor) and batch.dtype == np.int64
    everything = np.concatenate([batch.numpy(), 10 + train.indices])
    np.testing.assert_array_equal(np.sort(everything), np.arange(10, 20))
