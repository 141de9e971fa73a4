"""gradcraft.optim: optimizers, learning-rate schedulers and gradient clipping (PyTorch's API)."""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .clip import clip_grad_norm_, clip_grad_value_
from .lr_scheduler import (CosineAnnealingLR, ExponentialLR, LinearLR, LinearWarmup, LRScheduler,
                           ReduceLROnPlateau, SequentialLR, StepLR)
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD
from . import registry  # optimizers by name (gradcraft train --optimizer): one table

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "lr_scheduler", "LRScheduler",
           "StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "LinearWarmup", "SequentialLR",
           "ReduceLROnPlateau", "clip_grad_norm_", "clip_grad_value_"]
