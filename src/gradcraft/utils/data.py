"""`gradcraft.utils.data` is `gradcraft.data` (PyTorch's path, `torch.utils.data`): this module
replaces itself with that one, so both names are the same module and hold the same objects."""

import sys

from .. import data as _data

sys.modules[__name__] = _data
