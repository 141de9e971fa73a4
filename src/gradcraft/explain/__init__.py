"""Worked problems of the course, step by step.

Each topic is a function returning an `Explanation`: named steps with their values (read them
with `result["loss"]`), rendered by `result.to_text(precision)` or `result.to_dict()` (JSON).
The numbers come from the library itself (losses, autograd, conv2d), so the explanation and the
training code cannot disagree.

    >>> from gradcraft import explain
    >>> explain.hinge([3, -1, 4], label=0)["loss"]
    2.0
    >>> print(explain.params("conv:2x2x3->2,fc:8->10", bias=False))   # 104 parameters

Topics: hinge, softmax, compare, linear, sigmoid, kl, conv, params, receptive_field, distance,
batchnorm, gradient_signs, prox. `TOPICS` maps the CLI names (`receptive-field`,
`gradient-signs`, ...) to these functions.
"""

from ._inputs import within_float64
from .batchnorm import batchnorm
from .classification import compare, hinge, linear, softmax
from .conv import conv
from .distance import distance
from .divergence import kl
from .network import gradient_signs
from .params import params
from .prox import prox
from .receptive_field import receptive_field
from .result import Explanation, Step
from .sigmoid import sigmoid

# inf/NaN never reach a step: an overflow anywhere in a topic is a ValueError (see within_float64)
hinge, softmax, compare, linear, sigmoid, kl, conv, params, receptive_field, distance, batchnorm, \
    gradient_signs, prox = map(within_float64, (hinge, softmax, compare, linear, sigmoid, kl, conv, params,
                                                receptive_field, distance, batchnorm, gradient_signs, prox))

TOPICS = {
    "hinge": hinge,
    "softmax": softmax,
    "compare": compare,
    "linear": linear,
    "sigmoid": sigmoid,
    "kl": kl,
    "conv": conv,
    "params": params,
    "receptive-field": receptive_field,
    "distance": distance,
    "batchnorm": batchnorm,
    "gradient-signs": gradient_signs,
    "prox": prox,
}

__all__ = ["Explanation", "Step", "TOPICS", *(f.__name__ for f in TOPICS.values())]
