"""The stateless functions layers are built from (PyTorch's `torch.nn.functional`, also reachable
as `gradcraft.nn.functional`: the same objects). One module a family; this package gathers them.
"""

from . import activations as _activations, attention as _attention, conv as _conv, layers as _layers, losses as _losses
from . import normalization as _normalization, padding as _padding, pooling as _pooling
from . import recurrent as _recurrent, upsampling as _upsampling
from .activations import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .layers import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403

__all__ = [name for family in (_activations, _attention, _conv, _layers, _losses, _normalization, _padding,
                               _pooling, _recurrent, _upsampling) for name in family.__all__]
