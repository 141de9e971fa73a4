"""Differentiable ops, one file per family; each op's forward and backward sit side by side.

Every op is a `gradcraft.autograd.Function`. `functions.py` holds the public NumPy-named
functions over them (`gradcraft.exp`, `gradcraft.sum`, ...), which the Tensor methods call.
"""
