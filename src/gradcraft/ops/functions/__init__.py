"""The differentiable array functions (`gradcraft.exp`, `gradcraft.stack`, ...): NumPy's names,
arguments and defaults, and PyTorch's `dim=` / `keepdim=` spellings (`gradcraft.spelling`).
The Tensor methods of the same names call them. Each checks and normalises its arguments, then
applies one op of `gradcraft.ops`. One module a family; this package gathers their names.
"""

from . import (arithmetic as _arithmetic, creation as _creation, einsum as _einsum, indexing as _indexing, logical as _logical, math as _math,
               movement as _movement, reductions as _reductions, scans as _scans, selection as _selection, shapes as _shapes, sorting as _sorting)
from .arithmetic import *  # noqa: F401,F403
from .creation import *  # noqa: F401,F403
from .einsum import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from .logical import *  # noqa: F401,F403
from .math import *  # noqa: F401,F403
from .movement import *  # noqa: F401,F403
from .reductions import *  # noqa: F401,F403
from .scans import *  # noqa: F401,F403
from .selection import *  # noqa: F401,F403
from .shapes import *  # noqa: F401,F403
from .sorting import *  # noqa: F401,F403

__all__ = [name for family in (_arithmetic, _creation, _einsum, _indexing, _logical, _math,
                               _movement, _reductions, _scans, _selection, _shapes, _sorting)
           for name in family.__all__]
