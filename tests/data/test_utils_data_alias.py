"""`gradcraft.utils.data` is `gradcraft.data` (PyTorch's `torch.utils.data` path), and the
DataLoader takes PyTorch's worker options (checked as PyTorch checks them, then ignored with one
note per process)."""

import importlib
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

import gradcraft.data as gd
from gradcraft.data import dataloader as dataloader_module

NAMES = ["DataLoader", "Dataset", "TensorDataset", "Subset", "random_split"]


def test_utils_data_is_the_data_module():
    import gradcraft
    import gradcraft.utils.data

    assert gradcraft.utils.data is gd
    assert importlib.import_module("gradcraft.utils.data") is gd
    assert sys.modules["gradcraft.utils.data"] is gd


def test_from_utils_data_import_gives_the_same_objects():
    from gradcraft.utils.data import DataLoader, Dataset, Subset, TensorDataset, random_split

    assert [DataLoader, Dataset, TensorDataset, Subset, random_split] == [getattr(gd, n) for n in NAMES]


def test_utils_data_works_as_the_first_import():
    code = ("from gradcraft.utils.data import DataLoader, TensorDataset\n"
            "import numpy as np\n"
            "x, y = next(iter(DataLoader(TensorDataset(np.ones((3, 2)), np.arange(3)), batch_size=2)))\n"
            "print(x.shape, y.tolist())")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(2, 2) [0, 1]"


# ----------------------------------------------------------------------------- worker options
def _dataset():
    return gd.TensorDataset(np.arange(10.0).reshape(5, 2), np.arange(5))


@pytest.fixture
def fresh_note(monkeypatch):
    """As in a new process: the note about ignored options not given yet."""
    monkeypatch.setattr(dataloader_module, "_noted_ignored_options", False)


def test_worker_options_are_ignored_with_one_note_per_process(fresh_note):
    options = dict(num_workers=2, pin_memory=True, persistent_workers=True, prefetch_factor=4,
                   worker_init_fn=lambda worker_id: None)
    with pytest.warns(UserWarning, match=r"DataLoader: num_workers=2, pin_memory=True, "
                                         r"persistent_workers=True, prefetch_factor=4, worker_init_fn=.* ignored"):
        loader = gd.DataLoader(_dataset(), batch_size=2, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the second loader says nothing
        again = gd.DataLoader(_dataset(), batch_size=2, num_workers=1)
    plain = gd.DataLoader(_dataset(), batch_size=2)
    for batches in zip(loader, again, plain):
        for fields in zip(*batches):
            assert all(np.array_equal(fields[0].data, f.data) for f in fields[1:])


def test_default_worker_options_say_nothing(fresh_note):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gd.DataLoader(_dataset(), batch_size=2, num_workers=0, pin_memory=False,
                      persistent_workers=False, prefetch_factor=None, worker_init_fn=None)
    assert dataloader_module._noted_ignored_options is False


@pytest.mark.parametrize("options, error, message", [
    ({"num_workers": -1}, ValueError, "num_workers must be a non-negative int, got -1"),
    ({"num_workers": 1.5}, TypeError, "num_workers must be an int"),
    ({"pin_memory": "yes"}, TypeError, "pin_memory must be True or False"),
    ({"persistent_workers": 1, "num_workers": 1}, TypeError, "persistent_workers must be True or False"),
    ({"prefetch_factor": 0, "num_workers": 1}, ValueError, "prefetch_factor must be a positive int, got 0"),
    ({"worker_init_fn": 3}, TypeError, "worker_init_fn must be callable"),
])
def test_worker_options_are_checked(options, error, message):
    with pytest.raises(error, match=message):
        gd.DataLoader(_dataset(), batch_size=2, **options)


@pytest.mark.parametrize("options", [{"persistent_workers": True}, {"prefetch_factor": 2}])
def test_options_that_need_workers_are_refused_without_them_as_torch(options):
    with pytest.raises(ValueError):
        torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.zeros(5)), **options)
    with pytest.raises(ValueError, match="needs num_workers > 0"):
        gd.DataLoader(_dataset(), **options)
