"""`gradcraft.train`: the training loop and its callbacks (implemented in `gradcraft.training`).

    from gradcraft.train import fit, EarlyStopping, ModelCheckpoint
"""

from .training import *  # noqa: F401,F403
from .training import __all__  # noqa: F401
