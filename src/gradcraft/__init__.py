"""gradcraft: a deep-learning library and workbench written from first principles on NumPy."""

from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradientReport, check_gradient, gradcheck, numerical_gradient
from .ops.functions import *  # noqa: F401,F403 - the differentiable functions (their __all__)
from .random import manual_seed
from . import cuda  # noqa: E402 - torch.cuda.is_available() answered: False
from .devices import accelerator, device  # PyTorch's device vocabulary (the CPU only)
from .dtypes import *  # noqa: F401,F403 - gradcraft.float32, .int64, .long, ... (NumPy's dtypes)
from .tensor import Tensor, tensor
from . import functional, losses, nn, optim  # noqa: E402
from .serialization import load, save  # noqa: E402

__version__ = "0.1.0"

_LAZY_SUBMODULES = {"data", "metrics", "explain", "train", "viz", "models", "utils", "classic", "summary"}


def __getattr__(name):
    """Import the heavier subpackages (scikit-learn, matplotlib, rich) on first use only."""
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'gradcraft' has no attribute {name!r}")
