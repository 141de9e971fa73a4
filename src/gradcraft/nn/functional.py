"""`gradcraft.nn.functional` is `gradcraft.functional` (PyTorch's path to the functional API,
`import gradcraft.nn.functional as F`): this module replaces itself with that one, so both
names are the same module and hold the same functions."""

import sys

from .. import functional as _functional

sys.modules[__name__] = _functional
