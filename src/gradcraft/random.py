"""The default random generator: what layers, initialisers and dropout draw from when given no `rng`.

Why it exists: if `rng=None` meant "a fresh Generator seeded with 0", every layer built without
`rng` would repeat the same draws -- two `nn.Dropout` layers would drop the same units at every
step (correlated dropout) and two same-shaped `nn.Linear` layers would start with the same
weights. Instead, one process-wide `numpy.random.Generator` is consumed by all of them, so
distinct layers get distinct draws (PyTorch's `torch.default_generator`).

It is seeded with `DEFAULT_SEED` (0) at import, so a program that never seeds anything still
gives the same result run after run; `manual_seed(n)` re-seeds it (`torch.manual_seed`), making
a whole program reproducible from one number. An explicit Generator or int seed passed as
`rng=` never touches it: an int is a private seed (same int, same draws, whatever the default
generator has drawn before).
"""

from __future__ import annotations

import numbers

import numpy as np

from .validation import check_int, describe

__all__ = ["DEFAULT_SEED", "default_generator", "manual_seed", "as_generator"]

DEFAULT_SEED = 0

_default_generator = np.random.default_rng(DEFAULT_SEED)


def default_generator() -> np.random.Generator:
    """The process-wide Generator (always the same object; `manual_seed` re-seeds it in place)."""
    return _default_generator


def manual_seed(seed: int) -> np.random.Generator:
    """Re-seed the default generator with `seed` (an int >= 0) and return it.

    Afterwards it draws exactly what `numpy.random.default_rng(seed)` would. It is re-seeded in
    place, so layers built earlier that hold it (e.g. `nn.Dropout()`) follow the new seed too,
    as with `torch.manual_seed`.
    """
    seed = check_int(seed, "seed", low=0)
    _default_generator.bit_generator.state = np.random.PCG64(seed).state
    return _default_generator


def as_generator(rng=None) -> np.random.Generator:
    """The Generator to draw from for an `rng=` argument.

    None -> the default generator (consumed, so successive callers get distinct draws);
    a Generator -> itself (consumed); an int -> a new Generator seeded with it (a private seed:
    same int, same draws, independent of the default generator).
    """
    if rng is None:
        return _default_generator
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(check_int(rng, "rng seed", low=0))
    raise TypeError(f"rng must be a numpy.random.Generator or an int seed, got {describe(rng)}")
