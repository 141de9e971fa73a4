"""Every loss of the course, on Tensors (for training) and on plain arrays (for worked examples).

Each loss takes scores/inputs as a Tensor or array, supports reduction='mean' | 'sum' | 'none'
where it is a loss, returns a Tensor, and is one fused op with a hand-written backward: each
family's file holds the op (forward, backward and the derivation) beside the function users call.
A worked example's gradient is

    s = gradcraft.tensor([3.0, -1.0, 4.0], requires_grad=True)
    multiclass_hinge(s, 0).backward()          # s.grad == [-1, 0, 1]

or, on plain arrays, `value_and_grad(multiclass_hinge, [3.0, -1.0, 4.0], 0)` -> (2.0, dscores).

Classification (scores (N, K), integer labels (N,)): softmax_cross_entropy, multiclass_hinge
(Weston-Watkins), max_hinge (Crammer-Singer), huber_hinge (+ huber_hinge_is_smooth),
smooth_hinge. Elementwise: binary_cross_entropy, binary_cross_entropy_with_logits, mse.
Distributions over the last axis: cross_entropy, kl_divergence. Similarity: cosine_similarity,
euclidean_distance, info_nce.

PyTorch's functional forms (F.cross_entropy with weight / ignore_index, nll_loss, l1_loss,
smooth_l1_loss, huber_loss, ...) are in `gradcraft.functional`, on the fused ops of this package
(class_targets.py, regression.py, and the weight options of the ops above). A class index out of
range there raises `TargetOutOfRange` (an IndexError, as PyTorch's, and a ValueError).
"""

from .arrays import value_and_grad
from .class_targets import TargetOutOfRange
from .distributions import cross_entropy, kl_divergence
from .elementwise import binary_cross_entropy, binary_cross_entropy_with_logits, mse
from .hinge import huber_hinge, huber_hinge_is_smooth, max_hinge, multiclass_hinge
from .similarity import cosine_similarity, euclidean_distance, info_nce
from .softmax_cross_entropy import smooth_hinge, softmax_cross_entropy

__all__ = [
    "softmax_cross_entropy", "multiclass_hinge", "max_hinge", "huber_hinge",
    "huber_hinge_is_smooth", "smooth_hinge", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "mse", "cross_entropy", "kl_divergence",
    "cosine_similarity", "euclidean_distance", "info_nce", "value_and_grad", "TargetOutOfRange",
]
