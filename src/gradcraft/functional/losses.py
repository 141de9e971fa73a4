"""The losses in PyTorch's functional form (`F.cross_entropy`, `F.nll_loss`, `F.mse_loss`, ...):
PyTorch's signatures, defaults and results, on the fused ops of `gradcraft.losses`.

Shapes as PyTorch: class losses take input (N, C), (N, C, d1, d2, ...) or (C,) unbatched with
integer class targets (N,), (N, d1, ...) or () -- or, for cross_entropy, probability targets of
the input's shape. Elementwise losses take input and target of one shape (mse/l1/smooth_l1/huber
broadcast a different target with PyTorch's UserWarning). reduction 'mean' | 'sum' | 'none'; the
legacy `size_average` / `reduce` are read as PyTorch reads them (with its deprecation warning).

What differs: `weight` / `pos_weight` are constants (PyTorch refuses them requiring grad, so does
this); a class index out of range is `losses.TargetOutOfRange`, both an IndexError (PyTorch's)
and a ValueError (gradcraft's policy); the `weight` of mse/l1/huber is not implemented.
(`gradcraft.losses.cross_entropy` is another function: between distributions p and q.)
"""

from __future__ import annotations

import warnings

import numpy as np

from ..backend import is_float_dtype, xp
from ..losses.class_targets import IndexCrossEntropy, NegativeLogLikelihood, TargetOutOfRange
from ..losses.elementwise import BinaryCrossEntropy, BinaryCrossEntropyWithLogits, SquaredError
from ..losses.inputs import float_tensor, like
from ..losses.reduction import check_reduction
from ..losses.regression import AbsoluteError, HuberError, SmoothL1Error
from ..losses.softmax_cross_entropy import SoftmaxCrossEntropy, SoftTargetCrossEntropy
from ..ops.functions import reshape, transpose
from ..tensor import Tensor, as_tensor
from ..validation import check_int, check_real

__all__ = ["cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits"]


# ----------------------------------------------------------------------------- arguments
def legacy_reduction(size_average, reduce, reduction: str) -> str:
    """PyTorch's reading of the deprecated `size_average` / `reduce` (both None: `reduction`)."""
    if size_average is None and reduce is None:
        return check_reduction(reduction)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    chosen = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{chosen}' instead.", UserWarning, stacklevel=3)
    return chosen


def _constant(weight, name: str, dtype) -> np.ndarray | None:
    """`weight` / `pos_weight` as a float array of the input's dtype (None stays None)."""
    if weight is None:
        return None
    if isinstance(weight, Tensor) and weight.requires_grad:
        raise ValueError(f"{name} must not require grad: the loss is not differentiable with "
                         f"respect to {name} (as in PyTorch); pass {name}.detach()")
    array = weight.data if isinstance(weight, Tensor) else np.asarray(weight)
    if not (is_float_dtype(array.dtype) or np.issubdtype(array.dtype, np.integer)) or array.dtype == bool:
        raise TypeError(f"{name} must be a float array or Tensor, got dtype {array.dtype}")
    return xp.asarray(array, dtype=dtype)


def _broadcasts_to(array, shape, name: str, input_shape) -> np.ndarray:
    if array is None:
        return None
    try:
        fits = np.broadcast_shapes(array.shape, shape) == tuple(shape)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{name} of shape {array.shape} must broadcast to the input's shape "
                         f"{tuple(input_shape)}")
    return array


# ----------------------------------------------------------------------------- class losses
def _class_inputs(input, function: str):
    """The input as (M, C) scores, the class axis last; also its number of classes, the shape
    of its per-sample losses (the input's without the class axis) and the input itself."""
    input = original = float_tensor(input, "input")
    if input.ndim == 0:
        raise ValueError(f"{function}: input must have shape (N, C), (N, C, d1, ...) or (C,), got a 0-d tensor")
    class_axis = 0 if input.ndim == 1 else 1
    classes = input.shape[class_axis]
    if classes == 0:
        raise ValueError(f"{function}: input must have at least one class, got shape {input.shape}")
    batch_shape = input.shape[:class_axis] + input.shape[class_axis + 1:]
    if input.ndim > 2:  # (N, C, d1, ...) -> (N, d1, ..., C) -> (M, C)
        order = (0, *range(2, input.ndim), 1)
        input = transpose(input, order)
    scores = input if input.ndim == 2 else reshape(input, (-1, classes))
    return scores, classes, batch_shape, original


def _class_indices(target, batch_shape, classes: int, ignore_index: int, function: str):
    array = target.data if isinstance(target, Tensor) else np.asarray(target)
    if not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{function}: target must be integer class indices (int64), got dtype "
                        f"{array.dtype}" + ("; probability targets are for cross_entropy"
                                            if function == "nll_loss" else ""))
    if array.shape != tuple(batch_shape):
        raise ValueError(f"{function}: target must have shape {tuple(batch_shape)} (the input's "
                         f"without its class axis), got {array.shape}")
    labels = array.reshape(-1).astype(np.intp)  # a copy: the op keeps it
    if not labels.size:
        return labels, False
    if labels.min() >= 0 and labels.max() < classes:  # the usual case: two passes, no masks
        return labels, 0 <= ignore_index < classes and bool((labels == ignore_index).any())
    ignored = labels == ignore_index
    wrong = ((labels < 0) | (labels >= classes)) & ~ignored
    if wrong.any():
        raise TargetOutOfRange(f"{function}: target {labels[wrong][0]} is out of bounds: class "
                               f"indices must lie in [0, {classes}) (or be ignore_index={ignore_index})")
    return labels, bool(ignored.any())


def _class_weight(weight, classes: int, dtype, function: str):
    weight = _constant(weight, "weight", dtype)
    if weight is not None and weight.shape != (classes,):
        raise ValueError(f"{function}: weight must have one entry a class, shape ({classes},), got {weight.shape}")
    return weight


def _restore(out: Tensor, reduction: str, batch_shape) -> Tensor:
    return reshape(out, batch_shape) if reduction == "none" and out.shape != batch_shape else out


def cross_entropy(input, target, weight=None, size_average=None, ignore_index: int = -100,
                  reduce=None, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """PyTorch's `F.cross_entropy`: log_softmax over the class axis (1, or 0 unbatched), then the
    negative log-likelihood of the target.

    target: class indices (input's shape without the class axis; `ignore_index` entries count
    for nothing, not even in the mean) or class probabilities (float, the input's shape).
    weight (C,): a rescaling of each class; the weighted 'mean' divides by the sum of the
    targets' weights (probability targets: by the number of samples). label_smoothing eps mixes
    the target with the uniform distribution (PyTorch's formula, also with a weight).
    The plain case -- (N, C), indices, no weight, nothing ignored -- is the fast fused
    `SoftmaxCrossEntropy` that `gradcraft.losses.softmax_cross_entropy` uses.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    ignore_index = check_int(ignore_index, "ignore_index")
    eps = check_real(label_smoothing, "label_smoothing", low=0.0, high=1.0)
    scores, classes, batch_shape, input = _class_inputs(input, "cross_entropy")
    weight = _class_weight(weight, classes, scores.dtype, "cross_entropy")
    raw = target.data if isinstance(target, Tensor) else np.asarray(target)
    if is_float_dtype(raw.dtype):  # probabilities over the class axis
        input_shape = tuple(input.shape)
        if raw.shape != input_shape:
            raise ValueError(f"cross_entropy: probability targets (float) must have the input's "
                             f"shape {input_shape}, got {raw.shape}; class indices must be integers")
        probs = like(target, input, "target")
        if probs.ndim > 2:
            probs = transpose(probs, (0, *range(2, probs.ndim), 1))
        probs = reshape(probs, (-1, classes))
        out = SoftTargetCrossEntropy.apply(scores, probs, reduction=reduction, label_smoothing=eps,
                                           class_weight=weight)
        return _restore(out, reduction, batch_shape)
    labels, any_ignored = _class_indices(target, batch_shape, classes, ignore_index, "cross_entropy")
    if weight is None and labels.size and not any_ignored:
        out = SoftmaxCrossEntropy.apply(scores, labels=labels, reduction=reduction, label_smoothing=eps)
    else:
        out = IndexCrossEntropy.apply(scores, labels=labels, reduction=reduction, weight=weight,
                                      ignore_index=ignore_index, label_smoothing=eps)
    return _restore(out, reduction, batch_shape)


def nll_loss(input, target, weight=None, size_average=None, ignore_index: int = -100,
             reduce=None, reduction: str = "mean") -> Tensor:
    """PyTorch's `F.nll_loss`: -weight[y] input[y] for log-probabilities `input` (N, C),
    (N, C, d1, ...) or (C,) and integer class indices `target`; the 'mean' divides by the sum of
    the non-ignored targets' weights. Pair with `log_softmax(x, axis=1)`."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    ignore_index = check_int(ignore_index, "ignore_index")
    log_probs, classes, batch_shape, _ = _class_inputs(input, "nll_loss")
    weight = _class_weight(weight, classes, log_probs.dtype, "nll_loss")
    labels, _ = _class_indices(target, batch_shape, classes, ignore_index, "nll_loss")
    out = NegativeLogLikelihood.apply(log_probs, labels=labels, reduction=reduction, weight=weight,
                                      ignore_index=ignore_index)
    return _restore(out, reduction, batch_shape)


# ----------------------------------------------------------------------------- elementwise
def _regression_pair(input, target, function: str):
    """input and target Tensors; a target of another (broadcastable) shape is broadcast with
    PyTorch's warning, one that does not broadcast is refused."""
    input = float_tensor(input, "input")
    target = float_tensor(target, "target")
    if target.shape != input.shape:
        try:
            np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise ValueError(f"{function}: target of shape {target.shape} does not broadcast with "
                             f"the input's shape {input.shape}") from None
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", UserWarning, stacklevel=4)
    if target.dtype != input.dtype and not target.requires_grad:
        target = as_tensor(target.data.astype(input.dtype))
    return input, target


def _regression(op, function: str, input, target, reduction: str, weight=None, **options) -> Tensor:
    """Apply the elementwise loss `op` to a checked (input, target) pair."""
    if weight is not None:
        raise NotImplementedError(f"{function}: weight= is not supported; only weight=None")
    input, target = _regression_pair(input, target, function)
    return op.apply(input, target, reduction=reduction, **options)


def mse_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
             weight=None) -> Tensor:
    """PyTorch's `F.mse_loss`: (x - t)^2 averaged over every element by default."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    return _regression(SquaredError, "mse_loss", input, target, reduction, weight)


def l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
            weight=None) -> Tensor:
    """PyTorch's `F.l1_loss`: |x - t|; the gradient at x = t is 0 (as torch's sign)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    return _regression(AbsoluteError, "l1_loss", input, target, reduction, weight)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """PyTorch's `F.smooth_l1_loss`: 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta
    (d = x - t); beta = 0 is the l1 loss."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    beta = check_real(beta, "beta", low=0.0)
    if beta == 0:
        return _regression(AbsoluteError, "smooth_l1_loss", input, target, reduction)
    return _regression(SmoothL1Error, "smooth_l1_loss", input, target, reduction, beta=beta)


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0, weight=None) -> Tensor:
    """PyTorch's `F.huber_loss`: 0.5 d^2 where |d| <= delta, else delta (|d| - 0.5 delta)."""
    reduction = check_reduction(reduction)
    delta = check_real(delta, "delta", low=0.0, low_open=True)
    return _regression(HuberError, "huber_loss", input, target, reduction, weight, delta=delta)


def _binary_pair(input, target, function: str):
    """input and target of one shape exactly: PyTorch refuses to broadcast a binary target."""
    input = float_tensor(input, "input")
    shape = target.shape if isinstance(target, Tensor) else np.shape(target)
    if shape != input.shape:
        raise ValueError(f"{function}: target must have the input's shape {input.shape} (as in "
                         f"PyTorch), got {shape}")
    return input, like(target, input, "target")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """PyTorch's `F.binary_cross_entropy` on probabilities `input` in [0, 1]: logs clamped at
    -100; `weight` (broadcast to the input's shape) scales each element's loss."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    input, target = _binary_pair(input, target, "binary_cross_entropy")
    if input.size:
        low, high = input.data.min(), input.data.max()
        if not (low >= 0 and high <= 1):
            raise ValueError(f"binary_cross_entropy: input must be probabilities in [0, 1], got "
                             f"values from {low:g} to {high:g}; for logits use binary_cross_entropy_with_logits")
    weight = _broadcasts_to(_constant(weight, "weight", input.dtype), input.shape, "weight", input.shape)
    return BinaryCrossEntropy.apply(input, target, reduction=reduction, weight=weight)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction: str = "mean", pos_weight=None) -> Tensor:
    """PyTorch's `F.binary_cross_entropy_with_logits`: exact for any logit. `weight` scales each
    element's loss; `pos_weight` (broadcast over the last, class axis: shape (C,)) the positive
    term, -(pos_weight t log s(x) + (1 - t) log(1 - s(x)))."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    input, target = _binary_pair(input, target, "binary_cross_entropy_with_logits")
    weight = _broadcasts_to(_constant(weight, "weight", input.dtype), input.shape, "weight", input.shape)
    pos_weight = _broadcasts_to(_constant(pos_weight, "pos_weight", input.dtype), input.shape,
                                "pos_weight", input.shape)
    return BinaryCrossEntropyWithLogits.apply(input, target, reduction=reduction, weight=weight,
                                              pos_weight=pos_weight)
