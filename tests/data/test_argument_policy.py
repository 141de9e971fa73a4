"""The argument policy in gradcraft.data (`gradcraft.validation`): a wrong type raises TypeError,
a wrong value ValueError, both naming the argument and showing the value seen.

torch==2.13.0's DataLoader is the reference for values: it refuses batch_size=0 with ValueError,
as here. For types it differs: it raises ValueError for batch_size=2.5 and drop_last="yes", and
takes any shuffle; the policy (TypeError) decides here.
"""

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader as TorchDataLoader
from torch.utils.data import TensorDataset as TorchTensorDataset

from gradcraft.data import (DataLoader, Standardizer, TensorDataset, load_cifar10, load_dataset,
                            load_mnist, random_split, read_idx, write_idx)


def _dataset(n=10):
    return TensorDataset(np.arange(2 * n, dtype=np.float32).reshape(n, 2), np.arange(n))


# ---------------------------------------------------------------- DataLoader


@pytest.mark.parametrize("value, shown", [(2.5, r"2.5 \(float\)"), ("2", r"'2' \(str\)"),
                                          (True, r"True \(bool\)"), (None, r"None \(NoneType\)")])
def test_batch_size_of_a_wrong_type(value, shown):
    with pytest.raises(TypeError, match="batch_size must be an int, got " + shown):
        DataLoader(_dataset(), batch_size=value)


@pytest.mark.parametrize("value", [0, -3])
def test_batch_size_below_one(value):
    with pytest.raises(ValueError, match=f"batch_size must be a positive int, got {value}"):
        DataLoader(_dataset(), batch_size=value)
    with pytest.raises(ValueError):
        TorchDataLoader(TorchTensorDataset(torch.zeros(10)), batch_size=value)


def test_numpy_integers_are_ints():
    loader = DataLoader(_dataset(), batch_size=np.int64(4), seed=np.int32(3), shuffle=np.bool_(True))
    assert type(loader.batch_size) is int and type(loader.seed) is int and loader.shuffle is True
    assert [len(x) for x, _ in loader] == [4, 4, 2]


@pytest.mark.parametrize("argument", ["shuffle", "drop_last"])
@pytest.mark.parametrize("value, shown", [(1, r"1 \(int\)"), ("yes", r"'yes' \(str\)"), (None, "None")])
def test_loader_flags_must_be_bools(argument, value, shown):
    with pytest.raises(TypeError, match=f"{argument} must be True or False, got {shown}"):
        DataLoader(_dataset(), batch_size=2, seed=0, **{argument: value})


def test_a_misplaced_positional_argument_is_caught():
    # DataLoader(ds, 64, 1): the 1 lands on shuffle
    with pytest.raises(TypeError, match=r"shuffle must be True or False, got 1 \(int\)"):
        DataLoader(_dataset(), 4, 1)


@pytest.mark.parametrize("value, error, message", [
    (1.5, TypeError, r"seed must be an int, got 1.5 \(float\)"),
    ("7", TypeError, r"seed must be an int, got '7' \(str\)"),
    (True, TypeError, r"seed must be an int, got True \(bool\)"),
    (-1, ValueError, "seed must be a non-negative int, got -1"),
])
def test_loader_seed(value, error, message):
    with pytest.raises(error, match=message):
        DataLoader(_dataset(), batch_size=2, shuffle=True, seed=value)


@pytest.mark.parametrize("value, error, message", [
    (3.5, TypeError, r"float_dtype must be a floating dtype such as numpy.float32, got 3.5 \(float\)"),
    (np.int32, ValueError, "float_dtype must be a floating dtype such as numpy.float32, got int32"),
    ("flaot32", ValueError, "got 'flaot32', which names no NumPy dtype"),
])
def test_loader_float_dtype(value, error, message):
    with pytest.raises(error, match=message):
        DataLoader(_dataset(), float_dtype=value)


def test_a_refused_loader_does_not_consume_the_generator():
    generator = np.random.default_rng(0)
    state = generator.bit_generator.state
    with pytest.raises(ValueError, match="float_dtype"):
        DataLoader(_dataset(), batch_size=2, generator=generator, float_dtype="int32")
    assert generator.bit_generator.state == state


@pytest.mark.parametrize("value, error, message", [
    (1.0, TypeError, r"epoch must be an int, got 1.0 \(float\)"),
    ("2", TypeError, r"epoch must be an int, got '2' \(str\)"),
    (-1, ValueError, "epoch must be a non-negative int, got -1"),
])
def test_epoch_of_set_epoch_and_order(value, error, message):
    loader = DataLoader(_dataset(), batch_size=2, shuffle=True, seed=0)
    with pytest.raises(error, match=message):
        loader.set_epoch(value)
    with pytest.raises(error, match=message):
        loader.order(value)
    assert loader.epoch == 0


# ---------------------------------------------------------------- datasets and splits


@pytest.mark.parametrize("index, shown", [(1.0, r"1.0 \(float\)"), ("0", r"'0' \(str\)"), (True, r"True \(bool\)")])
def test_dataset_index_of_a_wrong_type(index, shown):
    with pytest.raises(TypeError, match="dataset index must be an int, got " + shown):
        _dataset()[index]
    with pytest.raises(TypeError, match="dataset index must be an int"):
        random_split(_dataset(), [5, 5], seed=0)[0][index]


def test_dataset_index_out_of_range_stays_an_index_error():
    # IndexError as for every Python sequence (the old iteration protocol stops on it)
    with pytest.raises(IndexError, match="index 10 is out of range"):
        _dataset()[10]
    assert [int(label) for _, label in _dataset(3)] == [0, 1, 2]  # iteration ends on it


@pytest.mark.parametrize("seed, error, message", [
    (0.5, TypeError, r"seed must be an int, got 0.5 \(float\)"),
    ("1", TypeError, r"seed must be an int, got '1' \(str\)"),
    (-2, ValueError, "seed must be a non-negative int, got -2"),
])
def test_random_split_seed(seed, error, message):
    with pytest.raises(error, match=message):
        random_split(_dataset(), [5, 5], seed=seed)


@pytest.mark.parametrize("lengths, message", [
    (5, "random_split: lengths must be a list of ints or fractions, got int"),
    ("55", "random_split: lengths must be a list of ints or fractions, got str"),
    ([0.5, "0.5"], r"lengths\[1\] must be a real number, got '0.5' \(str\)"),
    ([True, False], r"lengths\[0\] must be a real number, got True \(bool\)"),
])
def test_random_split_lengths_of_a_wrong_type(lengths, message):
    with pytest.raises(TypeError, match=message):
        random_split(_dataset(), lengths, seed=0)


def test_random_split_lengths_of_a_wrong_value():
    with pytest.raises(ValueError, match="fractions must lie in"):
        random_split(_dataset(), [1.5, -0.5], seed=0)
    with pytest.raises(ValueError):
        torch.utils.data.random_split(TorchTensorDataset(torch.zeros(10)), [1.5, -0.5])


# ---------------------------------------------------------------- Standardizer


def test_standardizer_per():
    with pytest.raises(TypeError, match=r"per must be one of 'channel', 'feature', 'global', got None"):
        Standardizer(per=None)
    with pytest.raises(ValueError, match=r"per must be one of 'channel', 'feature', 'global', got 'pixel'"):
        Standardizer(per="pixel")


@pytest.mark.parametrize("field, error, message", [
    ("0", TypeError, r"field must be an int, got '0' \(str\)"),
    (1.0, TypeError, r"field must be an int, got 1.0 \(float\)"),
    (2, ValueError, r"field must be an int in \[-2, 1\], got 2"),
])
def test_transform_dataset_field(field, error, message):
    data = _dataset()
    scaler = Standardizer().fit(data.arrays[0])
    with pytest.raises(error, match=message):
        scaler.transform_dataset(data, field)


# ---------------------------------------------------------------- loading


@pytest.mark.parametrize("value, error, message", [
    ("0.1", TypeError, r"val_fraction must be a real number, got '0.1' \(str\)"),
    (None, TypeError, r"val_fraction must be a real number, got None"),
    (True, TypeError, r"val_fraction must be a real number, got True \(bool\)"),
    (-0.1, ValueError, r"val_fraction must be in \[0, 1\), got -0.1"),
    (float("nan"), ValueError, r"val_fraction must be .*got nan"),
])
def test_load_dataset_val_fraction(value, error, message):
    with pytest.raises(error, match=message):
        load_dataset("digits", val_fraction=value)


@pytest.mark.parametrize("value, error, message", [
    (1.5, TypeError, r"seed must be an int, got 1.5 \(float\)"),
    ("0", TypeError, r"seed must be an int, got '0' \(str\)"),
    # scikit-learn's random_state range, spelled out in full
    (-1, ValueError, r"seed must be an int in \[0, 4294967295\], got -1"),
    (2**32, ValueError, r"seed must be an int in \[0, 4294967295\], got 4294967296"),
])
def test_load_dataset_seed(value, error, message):
    with pytest.raises(error, match=message):
        load_dataset("digits", val_fraction=0.1, seed=value)


@pytest.mark.parametrize("load", [lambda root: load_dataset("mnist", root=root), lambda root: load_mnist(root),
                                  lambda root: load_cifar10(root)])
def test_data_root_of_a_wrong_type(load):
    with pytest.raises(TypeError, match=r"root must be a path \(str or os.PathLike\), got 3 \(int\)"):
        load(3)


def test_load_mnist_name():
    with pytest.raises(TypeError, match=r"name must be one of 'mnist', 'fashion-mnist', got 3 \(int\)"):
        load_mnist("/nowhere", 3)
    with pytest.raises(ValueError, match=r"name must be one of 'mnist', 'fashion-mnist', got 'kmnist'"):
        load_mnist("/nowhere", "kmnist")


def test_read_idx_expected_ndim(tmp_path):
    path = tmp_path / "labels.idx"
    write_idx(path, np.arange(3, dtype=np.uint8))
    with pytest.raises(TypeError, match=r"expected_ndim must be an int, got 1.0 \(float\)"):
        read_idx(path, expected_ndim=1.0)
    with pytest.raises(ValueError, match=r"expected_ndim must be an int in \[0, 255\], got -1"):
        read_idx(path, expected_ndim=-1)
    np.testing.assert_array_equal(read_idx(path, expected_ndim=np.int64(1)), [0, 1, 2])
