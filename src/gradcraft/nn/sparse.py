"""`Embedding`: a lookup table of vectors, PyTorch's layer (`functional.embedding` does the
lookup)."""

from __future__ import annotations

from ..backend import xp
from ..devices import device as check_device
from ..functional.recurrent import embedding, padding_row
from ..tensor import Tensor
from ..validation import check_bool, check_int
from . import init
from .module import Module, check_float_dtype
from .parameter import Parameter

__all__ = ["Embedding"]


class Embedding(Module):
    """input (any shape, integer indices in [0, num_embeddings)) -> input.shape + (embedding_dim,).

    weight (num_embeddings, embedding_dim) ~ N(0, 1), as PyTorch's; the row `padding_idx` (if
    given; negative counts from the end) starts at zero and never gets a gradient, so it stays
    what it is. `scale_grad_by_freq` divides each row's gradient by how often its index occurs
    in the batch. `max_norm` and `sparse=True` are not supported (refused). `_weight` (an array
    of the right shape) is used as the initial table, `_freeze` makes it not require grad, as
    in PyTorch (see `from_pretrained`). `rng` draws the initial table.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx=None, max_norm=None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False,
                 _weight=None, _freeze: bool = False, device=None, dtype=None, rng=None):
        super().__init__()
        self.num_embeddings = check_int(num_embeddings, "num_embeddings", low=1)
        self.embedding_dim = check_int(embedding_dim, "embedding_dim", low=1)
        self.padding_idx = padding_row(padding_idx, self.num_embeddings, "Embedding")
        if max_norm is not None:
            raise ValueError(f"Embedding: max_norm is not supported, got {max_norm!r}; pass None")
        if check_bool(sparse, "sparse"):
            raise ValueError("Embedding: sparse=True is not supported (gradcraft has no sparse gradients)")
        self.max_norm, self.norm_type, self.sparse = None, norm_type, False
        self.scale_grad_by_freq = check_bool(scale_grad_by_freq, "scale_grad_by_freq")
        if device is not None:
            check_device(device)
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            self.weight = Parameter(xp.empty(shape, dtype=check_float_dtype(dtype)))
            self.reset_parameters(rng)
        else:
            data = _weight.data if isinstance(_weight, Tensor) else xp.asarray(_weight)
            if data.shape != shape:
                raise ValueError(f"Embedding: _weight must have shape (num_embeddings, embedding_dim) = {shape}, "
                                 f"got {data.shape}")
            self.weight = Parameter(data if dtype is None else data.astype(check_float_dtype(dtype)))
        self.weight.requires_grad = not check_bool(_freeze, "_freeze")

    def reset_parameters(self, rng=None) -> None:
        """Draw the table from N(0, 1) and zero the padding row."""
        init.normal_(self.weight, rng=rng)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, padding_idx=None, max_norm=None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False):
        """An Embedding holding (a copy of) the 2-D table `embeddings`; `freeze` (default True)
        keeps it fixed in training. The padding row is left as given, as in PyTorch."""
        data = embeddings.data if isinstance(embeddings, Tensor) else xp.asarray(embeddings)
        if data.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D, got shape {data.shape}")
        return cls(data.shape[0], data.shape[1], padding_idx, max_norm, norm_type, scale_grad_by_freq,
                   sparse, _weight=data, _freeze=freeze)

    def forward(self, input):
        return embedding(input, self.weight, self.padding_idx, None, self.norm_type, self.scale_grad_by_freq)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        return text + (", scale_grad_by_freq=True" if self.scale_grad_by_freq else "")
