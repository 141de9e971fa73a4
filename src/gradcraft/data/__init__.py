"""Datasets and mini-batches: PyTorch's `Dataset` / `DataLoader` vocabulary on NumPy arrays.

- `Dataset`, `TensorDataset`, `Subset`, `random_split` (dataset.py)
- `DataLoader` with reproducible per-epoch shuffling (dataloader.py)
- `load_dataset(name, root=None, val_fraction=0.0, seed=0)` for the named datasets in
  `DATASETS`: 'digits' (inside scikit-learn, the default), 'mnist', 'fashion-mnist' (IDX .gz
  files), 'cifar10' (python batches) (registry.py and one file per format)
- `Standardizer`: per-channel / per-feature standardisation fitted on training data
"""

from .cifar import load_cifar10, read_cifar_batch
from .dataloader import DataLoader
from .dataset import Dataset, Subset, TensorDataset, random_split
from .idx import read_idx, write_idx
from .mnist import load_mnist
from .registry import DATASETS, DatasetSplits, load_dataset
from .transforms import Standardizer

__all__ = ["Dataset", "TensorDataset", "Subset", "random_split", "DataLoader", "DATASETS",
           "DatasetSplits", "load_dataset", "Standardizer", "read_idx", "write_idx",
           "load_mnist", "load_cifar10", "read_cifar_batch"]
