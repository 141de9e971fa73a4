"""Any module of gradcraft can be imported first, and Tensor is complete at once.

Before, the operators and methods were attached to Tensor by `gradcraft.ops.api` when it was
imported: `from gradcraft.tensor import Tensor` alone gave a Tensor without `+` or `.sum()`.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

FIRST_IMPORTS = ["gradcraft.tensor", "gradcraft.autograd", "gradcraft.ops.elementwise",
                 "gradcraft.ops.functions", "gradcraft.ops.reduce", "gradcraft.numpy_protocol",
                 "gradcraft.operators", "gradcraft.functional", "gradcraft.losses", "gradcraft.nn",
                 "gradcraft.optim", "gradcraft.ops.conv", "gradcraft"]

PROGRAM = """
import {first}
import numpy as np
from gradcraft.tensor import Tensor
w = Tensor(np.array([1.0, -2.0]), requires_grad=True)
y = (np.array([3.0, 4.0]) * w + 1).relu().sum() + w.exp().mean()
y.backward()
print(w.grad.round(4).tolist())
"""


@pytest.mark.parametrize("first", FIRST_IMPORTS)
def test_tensor_is_complete_whatever_is_imported_first(first):
    done = subprocess.run([sys.executable, "-c", PROGRAM.format(first=first)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # d/dw [relu(3 w0 + 1) + relu(4 w1 + 1)] = [3, 0] (the second is negative), plus e^w / 2
    assert done.stdout.strip() == "[4.3591, 0.0677]"


def test_the_tensor_api_is_written_in_the_class():
    # Methods attached from another module (setattr) carry that module's function names.
    from gradcraft.tensor import Tensor

    methods = {name: value for name, value in vars(Tensor).items() if callable(value)}
    for name in ("__add__", "__rmul__", "__iadd__", "__getitem__", "__lt__", "__array_ufunc__",
                 "sum", "exp", "reshape", "transpose", "max", "clip", "astype", "backward"):
        assert methods[name].__qualname__ == f"Tensor.{name}", name
    assert all(f.__module__ == "gradcraft.tensor" for f in methods.values())
