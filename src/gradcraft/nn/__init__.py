"""gradcraft.nn: modules with PyTorch's API (`Module`, `Parameter`, `Sequential`, layers)."""

from . import init
from .activation import Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .containers import ModuleList, Sequential
from .dropout import Dropout
from .flatten import Flatten
from .linear import Linear
from .module import IncompatibleKeys, Module
from .parameter import Parameter

__all__ = ["init", "Module", "Parameter", "IncompatibleKeys", "Sequential", "ModuleList", "Linear",
           "Identity", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Flatten",
           "Dropout"]
