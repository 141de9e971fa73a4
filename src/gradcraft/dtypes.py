"""dtype names at the top of the package, as PyTorch has them (`gradcraft.float64`,
`gradcraft.long`, ...), so ported `x.to(torch.float64)` / `dtype=torch.long` lines work. They
are NumPy's dtypes: `gradcraft.float32 is numpy.float32`."""

import numpy as np

__all__ = ["float16", "float32", "float64", "half", "double", "int8", "int16", "int32", "int64",
           "short", "long", "uint8", "bool"]

float16 = half = np.float16
float32 = np.float32  # also torch.float: not bound here, it would shadow the builtin float
float64 = double = np.float64
int8 = np.int8
int16 = short = np.int16
int32 = np.int32
int64 = long = np.int64
uint8 = np.uint8
bool = np.bool_  # noqa: A001 - PyTorch's name (torch.bool)
