"""`gradcraft.nn.utils`: PyTorch's home of the gradient-clipping helpers (the same functions as
`gradcraft.optim.clip_grad_norm_` / `clip_grad_value_`)."""

from ..optim.clip import clip_grad_norm_, clip_grad_value_

__all__ = ["clip_grad_norm_", "clip_grad_value_"]
