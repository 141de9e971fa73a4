"""The layer-stack mini-language of `params` and `receptive-field`.

A spec is a comma-separated list of layers (spaces and case ignored):

    conv:KHxKWxCIN->COUT   a convolution (the course writes kernels as KH x KW x C_in);
                           `conv:KHxKW` (no channels) is enough for receptive fields
    fc:IN->OUT             a fully connected layer (also `linear:`)
    pool:KxK               max/avg pooling (`pool:K` for square); stride defaults to K
    bn:C                   batch normalisation over C channels/features
    relu, sigmoid, tanh    activations (no parameters, no effect on receptive fields)

Convolutions and pools take options after `/`: stride `s2`, padding `p1`, dilation `d2`
(also `s=2`), one number or HxW: `conv:3x3x16->32/s2/p1`, `pool:2x2/s1`.

Example (the exam's model 1): `conv:2x2x3->2/s2,fc:8->10`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..validation import describe

ACTIVATIONS = ("relu", "sigmoid", "tanh")
_INT = r"(\d+)"
_PAIR = re.compile(rf"^{_INT}(?:x{_INT})?$")
_CONV = re.compile(rf"^{_INT}x{_INT}(?:x{_INT}->{_INT})?$")
_FC = re.compile(rf"^{_INT}->{_INT}$")
_OPTION = re.compile(r"^([spd])=?(\d+(?:x\d+)?)$")
_OPTION_NAMES = {"s": "stride", "p": "padding", "d": "dilation"}


@dataclass(frozen=True)
class Layer:
    kind: str                       # conv, fc, pool, bn, or an activation name
    text: str                       # the layer as the user wrote it
    kernel: tuple = (1, 1)          # (KH, KW) for conv and pool
    stride: tuple = (1, 1)
    padding: tuple = (0, 0)
    dilation: tuple = (1, 1)
    in_size: int | None = None      # conv: C_in, fc: IN, bn: C
    out_size: int | None = None     # conv: C_out, fc: OUT, bn: C

    @property
    def is_spatial(self) -> bool:
        return self.kind in ("conv", "pool")


def parse(spec: str) -> list[Layer]:
    """Parse a spec string into layers; ValueError naming the bad layer otherwise (TypeError
    for a spec that is not a string)."""
    if not isinstance(spec, str):
        raise TypeError(f"spec must be a string such as 'conv:2x2x3->2,fc:8->10', got {describe(spec)}")
    if not spec.strip():
        raise ValueError("spec must be a non-empty layer list such as 'conv:2x2x3->2,fc:8->10'")
    layers = []
    for position, raw in enumerate(spec.split(","), start=1):
        text = re.sub(r"\s+", "", raw).lower()
        if not text:
            raise ValueError(f"spec: layer {position} is empty (two commas in a row?) in {spec!r}")
        if text.count(":") > 1:  # "conv:2x2x3->2 fc:8->10": the spaces would glue the two together
            raise ValueError(f"spec: layer {position} {raw.strip()!r} holds more than one layer; "
                             "separate layers with commas")
        layers.append(_parse_layer(text, position))
    return layers


def _bad(position, text, expected):
    return ValueError(f"spec: layer {position} {text!r} is malformed; expected {expected}")


def _parse_layer(text: str, position: int) -> Layer:
    if text in ACTIVATIONS:
        return Layer(kind=text, text=text)
    kind, sep, body = text.partition(":")
    if not sep:
        raise _bad(position, text, "KIND:SIZES with KIND one of conv, fc, pool, bn (or relu, sigmoid, tanh)")
    if kind == "linear":
        kind = "fc"
    if kind == "fc":
        match = _FC.match(body)
        if not match:
            raise _bad(position, text, "fc:IN->OUT, e.g. fc:8->10")
        n_in, n_out = (_positive(v, position, text) for v in match.groups())
        return Layer(kind="fc", text=text, in_size=n_in, out_size=n_out)
    if kind == "bn":
        if not body.isdigit():
            raise _bad(position, text, "bn:C, e.g. bn:16")
        channels = _positive(body, position, text)
        return Layer(kind="bn", text=text, in_size=channels, out_size=channels)
    if kind not in ("conv", "pool"):
        raise _bad(position, text, "KIND one of conv, fc, pool, bn (or relu, sigmoid, tanh)")
    sizes, *options = body.split("/")
    pattern, example = (_CONV, "conv:KHxKWxCIN->COUT or conv:KHxKW, e.g. conv:3x3x3->16") \
        if kind == "conv" else (_PAIR, "pool:KxK or pool:K, e.g. pool:2x2")
    match = pattern.match(sizes)
    if not match:
        raise _bad(position, text, example)
    groups = match.groups()
    kernel = (_positive(groups[0], position, text),
              _positive(groups[1] or groups[0], position, text))
    settings = {"stride": kernel if kind == "pool" else (1, 1), "padding": (0, 0), "dilation": (1, 1)}
    given = set()
    for option in options:
        found = _OPTION.match(option)
        if not found:
            raise _bad(position, text, "options /sN (stride), /pN (padding), /dN (dilation), e.g. /s2")
        name = _OPTION_NAMES[found.group(1)]
        if name in given:
            raise _bad(position, text, f"each option once; the {name} is given twice")
        given.add(name)
        if kind == "pool" and name == "dilation":
            raise _bad(position, text, "pool options /sN or /pN (pooling has no dilation here)")
        h, _, w = found.group(2).partition("x")
        settings[name] = (int(h), int(w or h))
    if min(settings["stride"]) < 1 or min(settings["dilation"]) < 1:
        raise _bad(position, text, "stride and dilation of at least 1")
    channels = {}
    if kind == "conv" and groups[2] is not None:
        channels = dict(in_size=_positive(groups[2], position, text),
                        out_size=_positive(groups[3], position, text))
    return Layer(kind=kind, text=text, kernel=kernel, **settings, **channels)


def _positive(value: str, position: int, text: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(f"spec: layer {position} {text!r} has a size of 0; sizes must be >= 1")
    return number
