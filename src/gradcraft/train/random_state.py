"""The random generators a training run draws from, so a checkpoint can save and restore them.

Resuming must replay the uninterrupted run exactly. The shuffle order needs nothing saved (a
DataLoader shuffles epoch e by `default_rng([seed, e])`), but layers that draw during training
(Dropout's masks) keep a `numpy.random.Generator` whose position depends on every earlier
draw. We find every Generator held by the model (in its modules' attributes, and in lists,
tuples and dicts of them) and by the loader, and save each one's `bit_generator.state` (a small
JSON-able dict) under its attribute path, e.g. 'model.3.rng'.
"""

from __future__ import annotations

import numpy as np

from ..nn import Module

__all__ = ["named_generators", "generator_states", "restore_generator_states"]

_MAX_CONTAINER = 10_000  # do not walk big containers (they hold data, not generators)


def named_generators(**roots) -> dict[str, np.random.Generator]:
    """{'model.0.rng': Generator, ...} for every Generator reachable from the given roots.

    Modules are walked through their attributes (and containers of them); any other root (a
    DataLoader) only through its own attributes, so a dataset's arrays are never scanned.
    """
    found: dict[str, np.random.Generator] = {}
    seen: set[int] = set()

    def walk(value, path: str, deep: bool) -> None:
        if isinstance(value, np.random.Generator):
            found.setdefault(path, value)
            return
        if id(value) in seen:
            return
        if isinstance(value, Module):
            seen.add(id(value))
            for name, item in vars(value).items():
                walk(item, f"{path}.{name}", True)
        elif deep and isinstance(value, list | tuple) and len(value) <= _MAX_CONTAINER:
            seen.add(id(value))
            for i, item in enumerate(value):
                walk(item, f"{path}.{i}", True)
        elif deep and isinstance(value, dict) and len(value) <= _MAX_CONTAINER:
            seen.add(id(value))
            for key, item in value.items():
                walk(item, f"{path}.{key}", True)

    for root_name, root in roots.items():
        if root is None:
            continue
        if isinstance(root, Module):
            walk(root, root_name, True)
        else:
            for name, item in getattr(root, "__dict__", {}).items():
                walk(item, f"{root_name}.{name}", False)
    return found


def generator_states(**roots) -> dict[str, dict]:
    """{path: bit_generator.state} of `named_generators(**roots)` (JSON-able)."""
    return {path: g.bit_generator.state for path, g in named_generators(**roots).items()}


def restore_generator_states(states: dict, **roots) -> None:
    """Put saved states back into the generators found at the same paths.

    Raises ValueError if the saved paths and the live ones differ (another architecture), so
    a resumed run can never silently draw different dropout masks.
    """
    live = named_generators(**roots)
    if set(live) != set(states):
        raise ValueError(
            f"the checkpoint saved random generators at {sorted(states) or 'no paths'}, but the "
            f"model/loader being resumed hold them at {sorted(live) or 'no paths'}; resume with the "
            f"same model and loader definitions"
        )
    for path, state in states.items():
        generator = live[path]
        kind = type(generator.bit_generator).__name__
        if state.get("bit_generator") != kind:
            raise ValueError(f"the checkpoint's generator {path} is a {state.get('bit_generator')}, "
                             f"the live one a {kind}")
        generator.bit_generator.state = state
