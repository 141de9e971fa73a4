"""TensorDataset, Subset and random_split (split sizes compared with PyTorch's)."""

import numpy as np
import pytest
import torch

import gradcraft as gc
from gradcraft.data import Dataset, Subset, TensorDataset, random_split


def test_tensor_dataset_indexes_rows_of_every_array():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    y = np.array([3, 1, 0, 2])
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    features, label = ds[2]
    np.testing.assert_array_equal(features, [6.0, 7.0, 8.0])
    assert label == 0
    features, label = ds[-1]
    np.testing.assert_array_equal(features, [9.0, 10.0, 11.0])
    assert label == 2


def test_tensor_dataset_accepts_tensors_without_copying():
    x = np.ones((5, 2), dtype=np.float32)
    ds = TensorDataset(gc.Tensor(x), np.zeros(5))
    assert isinstance(ds.arrays[0], np.ndarray)
    assert ds.arrays[0].shape == (5, 2)


def test_tensor_dataset_rejects_arrays_of_different_lengths():
    with pytest.raises(ValueError, match=r"same first dimension.*\(4, 3\), \(5,\)"):
        TensorDataset(np.zeros((4, 3)), np.zeros(5))


def test_tensor_dataset_rejects_no_arrays_and_scalars():
    with pytest.raises(ValueError, match="at least one array"):
        TensorDataset()
    with pytest.raises(ValueError, match="array 1 must have a first"):
        TensorDataset(np.zeros(3), np.float32(1.0))


def test_tensor_dataset_index_errors():
    ds = TensorDataset(np.zeros((3, 2)))
    with pytest.raises(IndexError, match="index 3 is out of range for a dataset of 3"):
        ds[3]
    with pytest.raises(IndexError, match="-4"):
        ds[-4]
    with pytest.raises(TypeError, match=r"dataset index must be an int, got 1.0 \(float\)"):
        ds[1.0]


def test_subset_maps_positions():
    ds = TensorDataset(np.arange(10) * 10)
    sub = Subset(ds, [7, 2, 5])
    assert len(sub) == 3
    assert sub[0][0] == 70 and sub[2][0] == 50 and sub[-2][0] == 20
    np.testing.assert_array_equal(sub.get_batch(np.array([2, 0]))[0], [50, 70])
    with pytest.raises(IndexError, match=r"\[0, 10\)"):
        Subset(ds, [0, 10])
    with pytest.raises(ValueError, match="1-D integer"):
        Subset(ds, [[0, 1]])


@pytest.mark.parametrize("n, lengths", [
    (10, [0.8, 0.2]), (11, [0.5, 0.5]), (7, [0.3, 0.3, 0.4]), (100, [0.33, 0.33, 0.34]),
    (5, [0.1, 0.9]), (1797, [0.9, 0.1]),
])
def test_random_split_fraction_sizes_match_pytorch(n, lengths):
    expected = [len(s) for s in torch.utils.data.random_split(
        range(n), lengths, generator=torch.Generator().manual_seed(0))]
    parts = random_split(TensorDataset(np.arange(n)), lengths, seed=0)
    assert [len(p) for p in parts] == expected


def test_random_split_is_a_seeded_partition():
    ds = TensorDataset(np.arange(50))
    a, b, c = random_split(ds, [20, 20, 10], seed=3)
    together = np.concatenate([a.indices, b.indices, c.indices])
    np.testing.assert_array_equal(np.sort(together), np.arange(50))
    again = random_split(ds, [20, 20, 10], seed=3)
    np.testing.assert_array_equal(again[0].indices, a.indices)
    other = random_split(ds, [20, 20, 10], seed=4)
    assert not np.array_equal(other[0].indices, a.indices)
    from_generator = random_split(ds, [20, 20, 10], generator=np.random.default_rng(3))
    np.testing.assert_array_equal(from_generator[1].indices, b.indices)


def test_random_split_without_a_seed_draws_from_the_default_generator():
    # PyTorch's random_split(ds, [5, 5]): reproducible under manual_seed
    ds = TensorDataset(np.arange(10))
    splits = []
    for _ in range(2):
        gc.manual_seed(3)
        splits.append([list(s.indices) for s in random_split(ds, [5, 5])])
    assert splits[0] == splits[1]
    assert sorted(splits[0][0] + splits[0][1]) == list(range(10))


def test_random_split_errors():
    ds = TensorDataset(np.arange(10))
    with pytest.raises(ValueError, match=r"sum to the dataset size 10, got \[5, 6\]"):
        random_split(ds, [5, 6], seed=0)
    with pytest.raises(ValueError, match="sum to 1"):
        random_split(ds, [0.5, 0.6], seed=0)
    with pytest.raises(ValueError, match="not both"):
        random_split(ds, [5, 5], seed=0, generator=np.random.default_rng(0))
    with pytest.raises(ValueError, match="non-negative int"):
        random_split(ds, [5, 5], seed=-1)


class Squares(Dataset):
    """A dataset with no fast path: samples computed one at a time."""

    def __len__(self):
        return 5

    def __getitem__(self, i):
        if not 0 <= i < 5:
            raise IndexError(i)
        return np.array([i, i * i], dtype=np.float64), i % 2


def test_generic_dataset_get_batch_stacks_samples():
    features, labels = Squares().get_batch(np.array([4, 1]))
    np.testing.assert_array_equal(features, [[4, 16], [1, 1]])
    np.testing.assert_array_equal(labels, [0, 1])
    features, labels = Squares().get_batch(slice(0, 2))
    np.testing.assert_array_equal(features, [[0, 0], [1, 1]])
