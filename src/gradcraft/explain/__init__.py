"""Worked problems of the course, step by step.

Each topic is a function returning an `Explanation`: the derivation as named steps (read them
with `result["loss"]`), the topic's named quantities under stable snake_case keys
(`result.result["loss"]`, listed in each function's docstring), rendered by
`result.to_text(precision)` or `result.to_dict()` (JSON). The numbers come from the library
itself (losses, autograd, conv2d), so the explanation and the training code cannot disagree.

    >>> from gradcraft import explain
    >>> explain.hinge([3, -1, 4], label=0).result["loss"]
    2.0
    >>> print(explain.params("conv:2x2x3->2,fc:8->10", bias=False))   # 104 parameters

Topics: hinge, softmax, compare, linear, sigmoid, kl, conv, params, receptive_field, distance,
batchnorm, gradient_signs, prox. `TOPICS` maps the CLI names (`receptive-field`,
`gradient-signs`, ...) to their `Topic` declarations (function, summary, parameters, result
keys), from which `gradcraft explain` is built; a `Topic` is callable like its function.
"""

from .registry import TOPICS
from .result import Explanation, Step
from .topic import Parameter, Topic

# The functions as the registry wraps them (an overflow is a ValueError, see within_float64).
hinge = TOPICS["hinge"].function
softmax = TOPICS["softmax"].function
compare = TOPICS["compare"].function
linear = TOPICS["linear"].function
sigmoid = TOPICS["sigmoid"].function
kl = TOPICS["kl"].function
conv = TOPICS["conv"].function
params = TOPICS["params"].function
receptive_field = TOPICS["receptive-field"].function
distance = TOPICS["distance"].function
batchnorm = TOPICS["batchnorm"].function
gradient_signs = TOPICS["gradient-signs"].function
prox = TOPICS["prox"].function

__all__ = ["Explanation", "Step", "Parameter", "Topic", "TOPICS",
           *(topic.function.__name__ for topic in TOPICS.values())]
