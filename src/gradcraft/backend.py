"""The array namespace gradcraft computes with.

This is the one module that decides which array library backs tensors. Everything else
takes ``xp`` from here (or from a tensor), so a CuPy backend later changes only this file.
"""

import numpy

xp = numpy

#: the error of an axis out of range (a ValueError and an IndexError), NumPy's own
AxisError = numpy.exceptions.AxisError

#: dtype of tensors made from Python floats, and of layer parameters.
default_float = numpy.float32


def is_float_dtype(dtype) -> bool:
    return numpy.issubdtype(dtype, numpy.floating)
