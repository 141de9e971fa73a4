"""Standardisation: x -> (x - mean) / std, with mean and std fitted on the training features only.

    scaler = Standardizer(per="channel").fit(data.train.arrays[0])     # (N, C, H, W) features
    train = scaler.transform_dataset(data.train)                       # also val, test
    state = scaler.state_dict()          # {'mean', 'std'}: arrays, e.g. for gradcraft.save(metadata=)
    scaler = Standardizer.from_state_dict(state)

`per` chooses what shares one mean/std:
- "channel": each channel (axis 1) over all samples and positions -- the usual choice for
  images (N, C, H, W); for flat features (N, F) this is per feature;
- "feature": every position of a sample separately (axis 0 only), like scikit-learn's
  StandardScaler on (N, F);
- "global": one mean and std for everything.

The statistics keep the reduced axes as size 1 (mean of shape (1, C, 1, 1) per channel), so the
state alone says how to apply them. std is the population std (ddof=0, as scikit-learn); a std
of (nearly) zero, e.g. an always-black MNIST corner pixel, is replaced by 1, so constant
features become 0 instead of NaN or huge. Statistics are accumulated in float64, a few thousand
samples at a time, so fitting 60,000 MNIST images never makes a float64 copy of the whole set.
"""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ..validation import check_choice, check_int
from .dataset import TensorDataset

__all__ = ["Standardizer"]

_PER = ("channel", "feature", "global")
_CHUNK_ELEMENTS = 1 << 22  # elements of float64 temporaries per chunk (32 MB)


class Standardizer:
    """Fit per-channel / per-feature / global mean and std; `transform` standardises."""

    def __init__(self, per: str = "channel"):
        self.per = check_choice(per, "per", _PER)
        self.mean = None
        self.std = None

    # ------------------------------------------------------------------ fitting
    def fit(self, x) -> Standardizer:
        """Fit on features x of shape (N, ...) (N >= 1). Returns self."""
        x = _as_array(x, "fit")
        if x.ndim < 2 or len(x) == 0:
            raise ValueError(
                f"Standardizer.fit: x must have shape (N, ...) with N >= 1 samples and at least "
                f"one feature axis, got shape {x.shape}"
            )
        axes = {"channel": (0, *range(2, x.ndim)), "feature": (0,),
                "global": tuple(range(x.ndim))}[self.per]
        count = int(np.prod([x.shape[a] for a in axes]))
        rows = max(1, _CHUNK_ELEMENTS // max(1, int(np.prod(x.shape[1:]))))
        chunks = [x[start:start + rows] for start in range(0, len(x), rows)]
        mean = sum(c.sum(axis=axes, keepdims=True, dtype=np.float64) for c in chunks) / count
        # Second pass on the centred values: no cancellation from E[x^2] - E[x]^2.
        var = sum(np.square(c - mean).sum(axis=axes, keepdims=True) for c in chunks) / count
        std = np.sqrt(var)
        # As scikit-learn: a scale this close to zero means a constant feature; divide by 1.
        std[std < 10 * np.finfo(np.float64).eps * np.maximum(1.0, np.abs(mean))] = 1.0
        self.mean, self.std = mean, std
        return self

    def fit_transform(self, x) -> np.ndarray:
        return self.fit(x).transform(x)

    # ------------------------------------------------------------------ applying
    def transform(self, x) -> np.ndarray:
        """(x - mean) / std, as x's float dtype (float32 for integer x), same shape as x."""
        x = _as_array(x, "transform")
        mean, std = self._stats_for(x, "transform")
        return (x.astype(mean.dtype, copy=False) - mean) / std

    def inverse_transform(self, z) -> np.ndarray:
        """z * std + mean: back to the original scale."""
        z = _as_array(z, "inverse_transform")
        mean, std = self._stats_for(z, "inverse_transform")
        return z.astype(mean.dtype, copy=False) * std + mean

    def transform_dataset(self, dataset: TensorDataset, field: int = 0) -> TensorDataset:
        """A new TensorDataset with array `field` (default: the features) standardised."""
        if not isinstance(dataset, TensorDataset):
            raise TypeError(
                f"transform_dataset needs a TensorDataset, got {type(dataset).__name__}"
            )
        arrays = list(dataset.arrays)
        field = check_int(field, "field", low=-len(arrays), high=len(arrays) - 1)
        arrays[field] = self.transform(arrays[field])
        return TensorDataset(*arrays)

    def _stats_for(self, x, who: str):
        if self.mean is None:
            raise RuntimeError(f"Standardizer.{who}: call fit(x) (or load a state) first")
        shape = self.mean.shape
        fits = x.ndim == len(shape) and all(m in (1, n) for m, n in zip(shape[1:], x.shape[1:]))
        if not fits:
            expected = ", ".join("any" if m == 1 else str(m) for m in shape[1:])
            raise ValueError(
                f"Standardizer.{who}: x must have shape (N, {expected}) like the data it was "
                f"fitted on (statistics of shape {shape}), got {x.shape}"
            )
        dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype(np.float32)
        return self.mean.astype(dtype), self.std.astype(dtype)

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict[str, np.ndarray]:
        """{'mean': float64, 'std': float64}, each with the data's number of axes (reduced
        axes of size 1). Enough to rebuild the Standardizer (`from_state_dict`)."""
        if self.mean is None:
            raise RuntimeError("Standardizer.state_dict: not fitted yet")
        return {"mean": self.mean.copy(), "std": self.std.copy()}

    @property
    def state(self) -> dict[str, np.ndarray]:
        """Alias of `state_dict()`."""
        return self.state_dict()

    def load_state_dict(self, state) -> Standardizer:
        missing = {"mean", "std"} - set(state)
        if missing:
            raise ValueError(f"Standardizer state needs keys 'mean' and 'std', missing {sorted(missing)}")
        mean = np.array(state["mean"], dtype=np.float64)
        std = np.array(state["std"], dtype=np.float64)
        if mean.shape != std.shape or mean.ndim < 2 or mean.shape[0] != 1:
            raise ValueError(
                f"Standardizer state: mean and std must have the same shape (1, ...), got "
                f"{mean.shape} and {std.shape}"
            )
        if not np.all(std > 0):
            raise ValueError("Standardizer state: std must be positive everywhere")
        self.mean, self.std = mean, std
        self.per = ("global" if all(n == 1 for n in mean.shape) else
                    "channel" if all(n == 1 for n in mean.shape[2:]) else "feature")
        return self

    @classmethod
    def from_state_dict(cls, state) -> Standardizer:
        return cls().load_state_dict(state)

    def __repr__(self) -> str:
        fitted = "unfitted" if self.mean is None else f"statistics of shape {self.mean.shape}"
        return f"Standardizer(per={self.per!r}, {fitted})"


def _as_array(x, who: str) -> np.ndarray:
    x = x.data if isinstance(x, Tensor) else np.asarray(x)
    if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
        raise TypeError(f"Standardizer.{who}: x must be numeric, got dtype {x.dtype}")
    return x
