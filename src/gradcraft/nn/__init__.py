"""gradcraft.nn: modules with PyTorch's API (`Module`, `Parameter`, `Sequential`, layers), and
`gradcraft.nn.functional` (the same module as `gradcraft.functional`)."""

from . import activation as _activation, attention as _attention, conv as _conv, dropout as _dropout, loss as _loss
from . import normalization as _normalization, pooling as _pooling, rnn as _rnn, sparse as _sparse
from . import upsampling as _upsampling
from . import functional, init, utils
from .activation import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .containers import ModuleList, Sequential
from .conv import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .flatten import Flatten
from .linear import Linear
from .loss import *  # noqa: F401,F403
from .module import IncompatibleKeys, Module
from .parameter import Parameter
from .normalization import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403

__all__ = ["functional", "init", "utils", "Module", "Parameter", "IncompatibleKeys", "Sequential",
           "ModuleList", "Linear", "Flatten",
           *(name for family in (_activation, _attention, _conv, _dropout, _loss, _normalization,
                                 _pooling, _rnn, _sparse, _upsampling) for name in family.__all__)]
