"""Normalisation over axes, one fused op (forward and backward side by side) behind batch_norm,
layer_norm and group_norm.

x is normalised over the `axes` (the statistics' axes; the others, `keep`, index the groups
being normalised: BatchNorm keeps the channel axis, LayerNorm the leading axes, GroupNorm
(N, G) after the caller reshapes x to (N, G, C/G, L)). For each group, over its m values:

    mean = sum(x) / m,  var = sum((x - mean)^2) / m  (biased: this is what normalises),
    xhat = (x - mean) * invstd,  invstd = 1 / sqrt(var + eps),  y = weight * xhat + bias,

with weight and bias broadcast through `param_shape` (per channel for BatchNorm and
GroupNorm, elementwise over the normalised shape for LayerNorm).

Statistics without cancellation (float32 is the training dtype): the corrected two-pass
algorithm. mean0 is a first estimate, c = x - mean0 is kept, and over each group

    d = sum(c) / m  (the tiny correction: mean = mean0 + d),   var = sum(c^2) / m - d^2,

so var is a sum of squares of centred values (no large terms cancel) and rounding in mean0
is repaid by d. Backward reads c and d instead of xhat = (c - d) * invstd, so no second
full-size array is kept.

Backward, with g = dL/dy and h = dL/dxhat = weight * g. dbias = sum(g), dweight = sum(g * xhat),
both over the axes weight is broadcast along. For x, mean and var depend on every value of the
group: d mean / dx_j = 1/m, d var / dx_j = 2 (x_j - mean) / m, so

    dx = invstd * (h - sum(h) / m - xhat * sum(h * xhat) / m)        (sums over the group)

and, writing xhat = (c - d) invstd and k = invstd^2 * (sum(h c) - d sum(h)) / m,

    dx = invstd * (h - c k + (d k - sum(h) / m)):

two per-group sums of the upstream gradient (sum(h), sum(h c)) and four passes over memory.
Where weight is constant over each group (BatchNorm: one weight per channel) h need not be
formed: the sums are taken of g and weight joins the outer factor, and dweight = invstd *
(sum(g c) - d sum(g)) and dbias = sum(g) are those same sums.

Given fixed statistics (BatchNorm in eval mode, `stats=(mean, var)`), y is the affine map
y = x * (weight invstd) + (bias - mean weight invstd): dx = g * weight * invstd, and weight and
bias get the same sums as above with d = 0.

All reductions are `einsum` over the arrays as they are laid out in memory, and the outputs
are made by ufuncs (order 'K'), so an NCHW view of channels-last memory is reduced in place
and its output and input gradient come back channels-last: no copy into NCHW.
"""

from __future__ import annotations

from math import prod

from ..autograd import Function
from ..backend import xp


def _sum(*operands, to):
    """The sum over every axis not in `to` of the product of `operands`, each an (array, the
    labels of its axes) pair; the result has the axes `to`, in that order (einsum: no
    temporaries, any memory layout)."""
    return xp.einsum(*[item for pair in operands for item in pair], list(to))


class Normalize(Function):
    """y = weight * (x - mean) / sqrt(var + eps) + bias, the statistics over `axes` of x.

    Inputs: x, then weight if `has_weight`, then bias if `has_bias`; `param_shape` (a tuple of
    x.ndim sizes) broadcasts them against x. `stats`: (mean, var), shaped as the kept axes, to
    normalise with fixed statistics (constants: not differentiated); None: the batch's own,
    written into `statistics` (a dict: "mean", biased "var", shaped as the kept axes) if given.
    """

    def forward(self, x, *params, axes, param_shape=None, has_weight=False, has_bias=False,
                eps=1e-5, stats=None, statistics=None):
        weight = params[0] if has_weight else None
        bias = params[-1] if has_bias else None
        needs = self.needs_input_grad
        labels = list(range(x.ndim))
        keep = [a for a in labels if a not in axes]
        kept_shape = tuple(n if a in keep else 1 for a, n in enumerate(x.shape))
        m = prod(x.shape[a] for a in axes)
        dtype = x.dtype
        wants_weight = has_weight and needs[1]
        if stats is None:
            mean0 = (_sum((x, labels), to=keep) / m).astype(dtype, copy=False)
            c = x - mean0.reshape(kept_shape)
            d = _sum((c, labels), to=keep) / m
            var = xp.maximum(_sum((c, labels), (c, labels), to=keep) / m - d * d, 0)
            if statistics is not None:
                statistics["mean"], statistics["var"] = mean0 + d, var
            base, offset = c, -d
        else:
            mean, var = (xp.asarray(s).astype(dtype, copy=False) for s in stats)
            d = xp.zeros(var.shape, dtype)
            c = x - mean.reshape(kept_shape) if wants_weight else None   # xhat without cancellation
            base, offset = (x, -mean) if c is None else (c, None)
        invstd = (1 / xp.sqrt(var + eps)).astype(dtype, copy=False)
        axes_of_w = [a for a, n in enumerate(param_shape) if n != 1] if param_shape else []
        per_group = all(a in keep for a in axes_of_w)
        self.labels, self.keep, self.kept_shape, self.m = labels, keep, kept_shape, m
        self.axes_of_w, self.per_group, self.fixed = axes_of_w, per_group, stats is not None
        self.param_shape, self.bias_shape = param_shape, None if bias is None else bias.shape
        self.has_weight, self.has_bias, self.c, self.d, self.invstd = has_weight, has_bias, c, d, invstd
        if has_weight and True in needs:
            self.save_for_backward(weight)   # dx and dweight read it; the rest is the op's own
        w = None if weight is None else weight.reshape(param_shape)
        b = None if bias is None else bias.reshape(param_shape)
        invstd_k = invstd.reshape(kept_shape)
        if per_group:   # y = base * scale + shift with per-group scale and shift: two passes
            scale = invstd_k if w is None else invstd_k * w
            shift = None if offset is None else offset.reshape(kept_shape) * scale
            shift = b if shift is None else shift if b is None else shift + b
            out = base * scale
            if shift is not None:
                out += shift
            return out
        out = base * invstd_k
        if offset is not None:
            out += offset.reshape(kept_shape) * invstd_k
        if w is not None:
            out *= w
        if b is not None:
            out += b
        return out

    def backward(self, grad):
        labels, keep, kept_shape, m = self.labels, self.keep, self.kept_shape, self.m
        c, d, invstd, axes_of_w = self.c, self.d, self.invstd, self.axes_of_w
        needs = self.needs_input_grad
        wants_x = needs[0]
        wants_w, wants_b = self.has_weight and needs[1], self.has_bias and needs[-1]
        w = self.saved[0].reshape(self.param_shape) if self.has_weight else None
        invstd_k = invstd.reshape(kept_shape)
        gx = gw = gb = None
        if self.per_group:   # the sums of g serve dx, dweight and dbias alike
            sum_g = _sum((grad, labels), to=keep) if wants_b or wants_w or wants_x and not self.fixed \
                else None
            sum_gc = _sum((grad, labels), (c, labels), to=keep) \
                if wants_w or wants_x and not self.fixed else None
            if wants_w:
                gw = _sum(((sum_gc - d * sum_g) * invstd, keep), to=axes_of_w)
            if wants_b:
                gb = _sum((sum_g, keep), to=axes_of_w)
            if wants_x:
                outer = invstd_k if w is None else invstd_k * w
                if self.fixed:
                    gx = grad * outer
                else:
                    gx = _centred_gradient(grad, c, d, invstd, sum_g, sum_gc, m, kept_shape)
                    gx *= outer
        else:   # weight varies within a group (LayerNorm, GroupNorm): h = weight * g is formed
            if wants_w:
                gw = _sum((grad, labels), (c, labels), (invstd, keep), to=axes_of_w)
                if not self.fixed:
                    gw -= _sum((grad, labels), (d * invstd, keep), to=axes_of_w)
            if wants_b:
                gb = _sum((grad, labels), to=axes_of_w)
            if wants_x:
                h = grad if w is None else grad * w
                if self.fixed:
                    gx = h * invstd_k
                else:
                    sum_h = _sum((h, labels), to=keep)
                    sum_hc = _sum((h, labels), (c, labels), to=keep)
                    gx = _centred_gradient(h, c, d, invstd, sum_h, sum_hc, m, kept_shape)
                    gx *= invstd_k
        grads = [gx]
        if self.has_weight:
            grads.append(None if gw is None else gw.reshape(self.saved[0].shape))
        if self.has_bias:
            grads.append(None if gb is None else gb.reshape(self.bias_shape))
        return tuple(grads)


def _centred_gradient(h, c, d, invstd, sum_h, sum_hc, m, kept_shape):
    """h - sum(h)/m - xhat sum(h xhat)/m = h - c k + (d k - sum(h)/m), k = invstd^2 (sum(h c) -
    d sum(h)) / m (the module docstring): three passes, a new array (the caller scales it)."""
    k = invstd * invstd * (sum_hc - d * sum_h) / m
    out = c * (-k).reshape(kept_shape)
    out += h
    out += (d * k - sum_h / m).reshape(kept_shape)
    return out
