"""`Sequential` and `ModuleList`: modules kept under the names "0", "1", ... (PyTorch's keys)."""

from __future__ import annotations

from collections import OrderedDict

from .module import Module


class _NumberedModules(Module):
    """Modules stored as attributes "0", "1", ..., so parameters are named `0.weight` as in torch."""

    def _modules_in_order(self) -> list[Module]:
        return [value for value in vars(self).values() if isinstance(value, Module)]

    @classmethod
    def _from_list(cls, modules):
        raise NotImplementedError

    def append(self, module: Module):
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__} holds Modules, got {type(module).__name__}")
        setattr(self, str(len(self)), module)
        return self

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def __len__(self) -> int:
        return len(self._modules_in_order())

    def __iter__(self):
        return iter(self._modules_in_order())

    def __getitem__(self, index):
        modules = self._modules_in_order()
        if isinstance(index, slice):
            return self._from_list(modules[index])
        try:
            return modules[index]
        except IndexError:
            raise IndexError(f"index {index} is out of range for {type(self).__name__} of length "
                             f"{len(modules)}") from None
        except TypeError:
            raise TypeError(f"{type(self).__name__} indices must be integers or slices, got "
                            f"{type(index).__name__}") from None


class ModuleList(_NumberedModules):
    """A list of modules (no forward): `len`, iteration, indexing, slicing, `append`, `extend`."""

    def __init__(self, modules=()):
        super().__init__()
        self.extend(modules)

    @classmethod
    def _from_list(cls, modules):
        return cls(modules)


class Sequential(_NumberedModules):
    """Apply modules one after another: `Sequential(Linear(784, 128), ReLU(), Linear(128, 10))`.

    Parameters are named `0.weight`, `0.bias`, `2.weight`, ... exactly as in PyTorch; an
    OrderedDict of name -> module gives them those names instead. Supports `len`, iteration,
    indexing (a slice is a new Sequential sharing the modules) and `append`.
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                if not isinstance(module, Module):
                    raise TypeError(f"Sequential holds Modules, got {type(module).__name__} for {name!r}")
                setattr(self, str(name), module)
        else:
            self.extend(modules)

    @classmethod
    def _from_list(cls, modules):
        return cls(*modules)

    def forward(self, x):
        for value in vars(self).values():
            if isinstance(value, Module):
                x = value(x)
        return x
