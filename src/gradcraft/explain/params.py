"""Parameter counts of a layer stack, layer by layer.

    conv KH x KW x C_in -> C_out : KH*KW*C_in*C_out weights (+ C_out biases)
    fc   IN -> OUT               : IN*OUT weights (+ OUT biases)
    bn   C                       : C scales (gamma) + C shifts (beta); the running mean and
                                   variance are buffers, not parameters (not learned)
    pool, activations            : 0

The exam's comparison: conv:2x2x3->2 then fc:8->10 without biases has
2*2*3*2 + 8*10 = 24 + 80 = 104 parameters, the single fc:48->10 has 480.
"""

from __future__ import annotations

from ..validation import check_bool
from . import layer_spec
from .result import Explanation


def count(layer: layer_spec.Layer, bias: bool = True) -> tuple[int, str]:
    """(number of parameters, the arithmetic as text) of one layer."""
    if layer.kind == "conv":
        kh, kw = layer.kernel
        weights = kh * kw * layer.in_size * layer.out_size
        formula = f"{kh}*{kw}*{layer.in_size}*{layer.out_size}"
        if bias:
            return weights + layer.out_size, f"{formula} + {layer.out_size} = {weights + layer.out_size}"
        return weights, f"{formula} = {weights}"
    if layer.kind == "fc":
        weights = layer.in_size * layer.out_size
        formula = f"{layer.in_size}*{layer.out_size}"
        if bias:
            return weights + layer.out_size, f"{formula} + {layer.out_size} = {weights + layer.out_size}"
        return weights, f"{formula} = {weights}"
    if layer.kind == "bn":
        return 2 * layer.in_size, f"2*{layer.in_size} = {2 * layer.in_size} (gamma and beta)"
    return 0, "no parameters"


def _check_chain(layers) -> None:
    """Adjacent layers must agree where the spec says both sides: channels between conv and bn
    layers, features between fc and bn layers; an fc after convolutions sees the flattened
    C*H*W map, so its input size must be a multiple of C."""
    domain, width, source = None, None, None  # "channels" or "features", how many, which layer
    for position, layer in enumerate(layers, start=1):
        if layer.kind not in ("conv", "fc", "bn"):
            continue
        if domain is not None:
            flattened = layer.kind == "fc" and domain == "channels"
            if flattened and layer.in_size % width:
                raise ValueError(
                    f"spec: layer {position} {layer.text!r} flattens the {width}-channel output of "
                    f"layer {source}, so its input size must be a multiple of {width} (C*H*W), "
                    f"got {layer.in_size}"
                )
            compatible = layer.kind == "bn" or (layer.kind == "conv") == (domain == "channels")
            if compatible and not flattened and layer.in_size != width:
                raise ValueError(
                    f"spec: layer {position} {layer.text!r} expects {layer.in_size} input "
                    f"{domain} but layer {source} gives {width}"
                )
        if layer.kind != "bn":
            domain = "channels" if layer.kind == "conv" else "features"
        width, source = layer.out_size, position


def params(spec: str, bias: bool = True) -> Explanation:
    """Count the parameters of `spec` (see `layer_spec`), with or without bias terms.

    `bias=False` drops the conv and fc biases (the exam counts weights only); batch-norm
    layers keep their gamma and beta.

    Result keys: parameters (the total); layers (the layers as written, normalised: no spaces,
    lower case); per_layer (the parameters of each layer, in order).
    """
    bias = check_bool(bias, "bias")
    layers = layer_spec.parse(spec)
    for position, layer in enumerate(layers, start=1):
        if layer.kind == "conv" and layer.in_size is None:
            raise ValueError(
                f"spec: layer {position} {layer.text!r} needs its channels to count parameters: "
                f"conv:KHxKWxCIN->COUT, e.g. conv:{layer.kernel[0]}x{layer.kernel[1]}x3->16"
            )
    _check_chain(layers)
    result = Explanation("params", f"Parameters of {spec.strip()}" + ("" if bias else " (no biases)"))
    total = 0
    for position, layer in enumerate(layers, start=1):
        number, arithmetic = count(layer, bias)
        total += number
        result.add(f"layer {position} {layer.text}", number, arithmetic)
    per_layer = [str(count(layer, bias)[0]) for layer in layers]
    result.add("total", total, " + ".join(per_layer) if len(layers) > 1 else "")
    result.record(parameters=total, layers=tuple(layer.text for layer in layers),
                  per_layer=tuple(count(layer, bias)[0] for layer in layers))
    result.summary = f"{total} parameters in {len(layers)} layer{'s' if len(layers) > 1 else ''}."
    return result
