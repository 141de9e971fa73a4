"""Every topic of `gradcraft explain`, declared once (see `topic.Topic`): the CLI's subcommands,
their options and `--help`, and `gradcraft.explain.TOPICS` all come from this table.

Each function is wrapped by `within_float64`, so inf/NaN never reach a step: an overflow
anywhere in a topic is a ValueError. The keys listed in `results` are those of the function's
`Explanation.result` (documented in its docstring).
"""

from __future__ import annotations

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
from .sigmoid import sigmoid
from .topic import Parameter, Topic

_SCORES = Parameter("scores", "vector", "the class scores")
_LABEL = Parameter("label", "int", "index of the true class (from 0)")
_MARGIN = Parameter("margin", "number", "margin >= 0", low=0.0)
_HINGE_MARGIN = Parameter("margin", "number", "hinge margin >= 0", low=0.0)
_CLASSES = Parameter("classes", "names", "class names")
_LAYERS = ("layers, comma-separated: conv:KHxKWxCIN->COUT, fc:IN->OUT, pool:KxK, bn:C "
           "(e.g. \"conv:2x2x3->2,fc:8->10\")")
_SPATIAL_LAYERS = ("conv/pool layers, comma-separated, options after '/': stride sN, padding pN, "
                   "dilation dN (e.g. conv:3x3/s3,conv:2x2 or conv:3x3/p1,pool:2x2)")


def _topic(name, function, summary, parameters, results) -> Topic:
    return Topic(name, within_float64(function), summary, tuple(parameters), tuple(results))


_DECLARATIONS = [
    _topic("hinge", hinge, "multiclass hinge (SVM) loss and its gradient, class by class",
           [_SCORES, _LABEL, _MARGIN, _CLASSES],
           ["loss", "grad", "terms", "violating"]),
    _topic("softmax", softmax, "softmax cross-entropy and its gradient (--margin > 0: the smooth hinge)",
           [_SCORES, _LABEL, _MARGIN, _CLASSES],
           ["loss", "grad", "probabilities"]),
    _topic("compare", compare, "hinge and softmax side by side: which loss and gradient is larger, and why",
           [_SCORES, _LABEL, _HINGE_MARGIN, _CLASSES],
           ["gaps", "hinge_loss", "softmax_loss", "hinge_grad", "softmax_grad", "hinge_grad_l1",
            "softmax_grad_l1", "larger_loss", "larger_grad"]),
    _topic("linear", linear, "scores s = W x + b of a linear classifier, then its hinge and softmax losses",
           [Parameter("W", "matrix", "weights (classes x features)"),
            Parameter("b", "vector", "biases, one per class"),
            Parameter("x", "vector", "the input, one number per feature"),
            _LABEL, _HINGE_MARGIN, _CLASSES],
           ["scores", "hinge_loss", "hinge_grad_w", "softmax_loss", "softmax_grad_w"]),
    _topic("sigmoid", sigmoid, "sigmoid values, derivatives, odds and logits; saturation flagged",
           [Parameter("x", "vector", "points"),
            Parameter("saturation", "number", "flag points where S'(x) is below this")],
           ["sigmoid", "derivative", "odds", "logit", "saturated"]),
    _topic("kl", kl, "KL(p||q) and KL(q||p) of counts or probabilities, and their gradients wrt q",
           [Parameter("p", "vector", "counts or probabilities (normalised)"),
            Parameter("q", "vector", "counts or probabilities (normalised), same length as --p")],
           ["p", "q", "kl_pq", "kl_qp", "grad_kl_pq", "grad_kl_qp"]),
    _topic("conv", conv, "output size, parameter count and (with --x and --w) output values of a convolution",
           [Parameter("input_size", "size", "input size (or give --x)", flag="--input"),
            Parameter("kernel_size", "size", "kernel size (or give --w)", flag="--kernel"),
            Parameter("stride", "size", "stride"),
            Parameter("padding", "size", "zero padding on each side"),
            Parameter("dilation", "size", "dilation (1: no holes)"),
            Parameter("in_channels", "int", "input channels"),
            Parameter("out_channels", "int", "output channels"),
            Parameter("x", "matrix", "explicit single-channel input"),
            Parameter("kernel", "matrix", "explicit kernel", flag="--w"),
            Parameter("bias", "number", "bias added to the output values (with --x, --w)")],
           ["output_size", "output_shape", "parameters", "weights", "unread_rows", "unread_columns",
            "output"]),
    _topic("params", params, "parameters per layer and in total of a layer stack",
           [Parameter("spec", "spec", _LAYERS),
            Parameter("bias", "flag", "count conv and fc weights only", flag="--no-bias")],
           ["parameters", "layers", "per_layer"]),
    _topic("receptive-field", receptive_field, "receptive field of an output cell of a conv/pool stack",
           [Parameter("spec", "spec", _SPATIAL_LAYERS),
            Parameter("cell", "cell", "output cell"),
            Parameter("input_size", "size", "input size: marks padding, draws the map", flag="--input")],
           ["receptive_field", "jump", "window", "input_rows", "input_columns", "cells_covered",
            "output_size", "padding_cells"]),
    _topic("distance", distance, "Euclidean distance, cosine similarity and D_E = sqrt(2 - 2 D_C)",
           [Parameter("x", "vector", "first vector"),
            Parameter("y", "vector", "second vector, same length")],
           ["euclidean_distance", "cosine_similarity", "norm_x", "norm_y", "unit_vectors",
            "unit_euclidean_distance", "sqrt_2_minus_2_cosine", "identity_holds"]),
    _topic("batchnorm", batchnorm, "batch normalisation of a small batch, and what breaks with batch size 1",
           [Parameter("x", "array", "the batch: N samples of one feature, or N rows (samples) of C features"),
            Parameter("gamma", "vector", "scale: one number or one per feature"),
            Parameter("beta", "vector", "shift: one number or one per feature"),
            Parameter("eps", "number", "added to the variance")],
           ["mean", "variance", "x_hat", "y", "grad_x", "unbiased_variance", "running_mean", "running_var"]),
    _topic("gradient-signs", gradient_signs,
           "two-layer ReLU net: scores, prediction, sign(dL/dW1) under hinge and softmax",
           [Parameter("W1", "matrix", "first layer (hidden x inputs)"),
            Parameter("W2", "matrix", "second layer (classes x hidden)"),
            Parameter("x", "vector", "the input"),
            _LABEL, _HINGE_MARGIN, _CLASSES],
           ["pre_activations", "hidden", "scores", "predicted_classes",
            "hinge_loss", "hinge_grad_scores", "hinge_grad_w1", "hinge_signs_w1",
            "softmax_loss", "softmax_grad_scores", "softmax_grad_w1", "softmax_signs_w1"]),
    _topic("prox", prox, "soft-thresholding of a vector at t, case by case",
           [Parameter("x", "vector", "the vector to shrink"),
            Parameter("t", "number", "threshold t >= 0")],
           ["prox", "zeroed"]),
]

#: CLI name -> Topic, in the order of `gradcraft explain --help`
TOPICS: dict[str, Topic] = {topic.name: topic for topic in _DECLARATIONS}
