"""Receptive field of an output cell of a conv/pool stack, and the input cells it covers.

Per axis, with effective kernel k' = d (k - 1) + 1, layer l maps its output index o to the input
indices o*s - p + t*d (t = 0..k-1). Going back through the stack, the jump (distance in input
pixels between neighbouring cells of layer l) and the receptive-field size grow as

    jump_l = jump_{l-1} * s_l,        rf_l = rf_{l-1} + (k'_l - 1) * jump_{l-1},   rf_0 = jump_0 = 1.

The covered cells are computed exactly by mapping the output cell's index set back layer by
layer (with dilation the field has holes; with padding it may reach outside the input). An index
that falls outside an intermediate map is that layer's zero padding: it is read, but it has no
inputs of its own, so it is dropped before mapping further back. Only the first layer's padding
reaches the network input (and is counted as padding cells there). So padding in a later layer
can make the actual window smaller than rf_L above (rf_L is the field of an interior cell).
"""

from __future__ import annotations

import numpy as np

from ..validation import check_pair
from . import layer_spec
from .result import Explanation

MAP_LIMIT = 40  # draw the coverage map for inputs up to this many rows and columns


def _back(indices: set[int], kernel: int, stride: int, padding: int, dilation: int) -> set[int]:
    """Input indices read by the output indices `indices` of one layer, along one axis."""
    return {o * stride - padding + t * dilation for o in indices for t in range(kernel)}


def _span(indices) -> str:
    ordered = sorted(indices)
    if ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]}..{ordered[-1]}"
    return ", ".join(str(i) for i in ordered)


def receptive_field(spec: str, cell=(0, 0), input_size=None) -> Explanation:
    """Explain the receptive field of output cell `cell` = (row, col) of the stack `spec`
    (conv and pool layers, see `layer_spec`; activations and bn are ignored, fc is refused).

    `input_size` (H, W), optional: checks the cell exists, lists output sizes, and marks which
    covered cells are padding (outside the input).

    Result keys: receptive_field (rows, columns) of an interior cell, by the formula above;
    jump (rows, columns): input pixels between neighbouring output cells; window (rows,
    columns): this cell's actual window (smaller than receptive_field where a later layer's
    padding cuts it); input_rows, input_columns: the input indices covered (negative or past
    the input: the first layer's padding); cells_covered; with input_size, else None:
    output_size (H, W) of the last layer and padding_cells (covered cells outside the input).
    """
    layers = layer_spec.parse(spec)
    for position, layer in enumerate(layers, start=1):
        if layer.kind == "fc":
            raise ValueError(
                f"spec: layer {position} {layer.text!r}: a fully connected layer sees the whole "
                "input; receptive fields are defined for conv and pool layers"
            )
    spatial = [layer for layer in layers if layer.is_spatial]
    if not spatial:
        raise ValueError(f"spec {spec!r} has no conv or pool layer")
    cell = check_pair(cell, "cell", low=0)
    result = Explanation("receptive-field", f"Receptive field of output cell {cell} of {spec.strip()}")

    sizes = None
    if input_size is not None:
        sizes = [check_pair(input_size, "input_size", low=1)]
        for layer in spatial:
            out = tuple((sizes[-1][a] + 2 * layer.padding[a] - layer.dilation[a] * (layer.kernel[a] - 1) - 1)
                        // layer.stride[a] + 1 for a in range(2))
            if min(out) < 1:
                raise ValueError(f"layer {layer.text!r} gets a {sizes[-1][0]}x{sizes[-1][1]} input, "
                                 "smaller than its kernel: no output")
            sizes.append(out)
        if cell[0] >= sizes[-1][0] or cell[1] >= sizes[-1][1]:
            raise ValueError(f"cell {cell} is outside the {sizes[-1][0]}x{sizes[-1][1]} output")

    rf, jump = [1, 1], [1, 1]
    for position, layer in enumerate(spatial):
        for a in range(2):
            effective = layer.dilation[a] * (layer.kernel[a] - 1) + 1
            rf[a] += (effective - 1) * jump[a]
            jump[a] *= layer.stride[a]
        note = f"k={layer.kernel[0]}x{layer.kernel[1]} s={layer.stride[0]}x{layer.stride[1]}"
        if max(layer.padding):
            note += f" p={layer.padding[0]}x{layer.padding[1]}"
        if max(layer.dilation) > 1:
            note += f" d={layer.dilation[0]}x{layer.dilation[1]}"
        note += f"; jump {jump[0]}x{jump[1]}"
        if sizes is not None:
            note += f"; output {sizes[position + 1][0]}x{sizes[position + 1][1]}"
        result.add(f"after {layer.text}", f"{rf[0]}x{rf[1]}", note)

    covered = []
    for a in range(2):
        indices = {cell[a]}
        for position in reversed(range(len(spatial))):
            layer = spatial[position]
            indices = _back(indices, layer.kernel[a], layer.stride[a], layer.padding[a], layer.dilation[a])
            if position > 0:  # keep only real cells of the intermediate map (see the module docstring)
                limit = sizes[position][a] if sizes is not None else None
                indices = {i for i in indices if i >= 0 and (limit is None or i < limit)}
        covered.append(indices)
    if not (covered[0] and covered[1]):
        raise ValueError(f"output cell {cell} reads only the zero padding of a later layer: no input "
                         "pixel reaches it (is the padding larger than the kernel reach?)")
    window = [max(covered[a]) - min(covered[a]) + 1 for a in range(2)]
    clipped = window != rf
    result.add("receptive field", np.array(rf), "rows x columns of input pixels" + (
        f" for a cell away from the borders; this cell's window is {window[0]}x{window[1]}, cut by "
        "the padding of a later layer" if clipped else ""))
    result.add("input rows", sorted(covered[0]), _span(covered[0]))
    result.add("input columns", sorted(covered[1]), _span(covered[1]))
    count = len(covered[0]) * len(covered[1])
    result.add("cells covered", count)
    result.record(receptive_field=tuple(rf), jump=tuple(jump), window=tuple(window),
                  input_rows=tuple(sorted(covered[0])), input_columns=tuple(sorted(covered[1])),
                  cells_covered=count, output_size=None if sizes is None else sizes[-1], padding_cells=None)

    if sizes is not None:
        h, w = sizes[0]
        inside = [[i for i in sorted(covered[a]) if 0 <= i < sizes[0][a]] for a in range(2)]
        outside = count - len(inside[0]) * len(inside[1])
        result.add("padding cells", outside, "covered cells outside the input (padding)" if outside else "")
        result.record(padding_cells=outside)
        if h <= MAP_LIMIT and w <= MAP_LIMIT:
            grid = np.full((h, w), ".")
            grid[np.ix_(inside[0], inside[1])] = "#"
            result.add("coverage map", "\n".join("".join(row) for row in grid),
                       "# = in the receptive field")
    result.summary = (f"Output cell {cell} sees a {window[0]}x{window[1]} window of the input: rows "
                      f"{_span(covered[0])}, columns {_span(covered[1])}.")
    if clipped:
        result.summary += (f" (The formula's {rf[0]}x{rf[1]} holds away from the borders: part of this "
                           "cell's field falls on the zero padding of a later layer, which has no "
                           "inputs behind it.)")
    return result
