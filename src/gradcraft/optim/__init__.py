"""gradcraft.optim: optimizers, learning-rate schedulers and gradient clipping (PyTorch's API)."""

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .clip import clip_grad_norm_, clip_grad_value_
from .lbfgs import LBFGS
from .lr_scheduler import (CosineAnnealingLR, ExponentialLR, LinearLR, LinearWarmup, LRScheduler,
                           ReduceLROnPlateau, SequentialLR, StepLR)
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .sgd import SGD
from . import registry  # optimizers by name (gradcraft train --optimizer): one table

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "NAdam", "RAdam",
           "Adamax", "LBFGS", "lr_scheduler", "LRScheduler", "StepLR", "ExponentialLR",
           "CosineAnnealingLR", "LinearLR", "LinearWarmup", "SequentialLR", "ReduceLROnPlateau",
           "clip_grad_norm_", "clip_grad_value_"]
