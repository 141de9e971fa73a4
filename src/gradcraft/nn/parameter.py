"""`Parameter`: a leaf tensor that a `Module` owns and an optimizer updates."""

from __future__ import annotations

from ..backend import is_float_dtype, xp
from ..tensor import Tensor
from ..validation import check_bool


class Parameter(Tensor):
    """A `Tensor` with `requires_grad=True` that modules find by walking their attributes.

    `Parameter(data)` copies `data`; NumPy arrays keep their dtype, Python numbers and lists
    become float32 (as `gradcraft.tensor` does). Only floating-point data can be a parameter.
    Optimizers update `.data` in place, so views of it stay valid.
    """

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True, dtype=None, name: str | None = None):
        requires_grad = check_bool(requires_grad, "requires_grad")
        if isinstance(data, Tensor):
            data = data.data
        super().__init__(data, requires_grad=False, dtype=dtype, name=name)
        if not is_float_dtype(self.data.dtype):
            raise TypeError(f"Parameter data must be floating point, got dtype {self.data.dtype}")
        if self.data.base is not None or not self.data.flags.writeable:
            self.data = xp.array(self.data)
        self.requires_grad = requires_grad

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
