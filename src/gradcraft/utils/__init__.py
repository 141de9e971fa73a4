"""`gradcraft.utils`: PyTorch's `torch.utils` path, for code written against it.

`gradcraft.utils.data` is `gradcraft.data` (the same module object: `Dataset`, `TensorDataset`,
`DataLoader`, `random_split`, ...), so `from torch.utils.data import DataLoader` ports as
`from gradcraft.utils.data import DataLoader`.
"""

from . import data

__all__ = ["data"]
