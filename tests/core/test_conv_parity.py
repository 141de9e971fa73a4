"""conv1d, conv2d (groups, 'same'/'valid'), conv_transpose1d and conv_transpose2d against
PyTorch 2.13 in float64: values and the gradients of input, weight and bias (conftest's
`parity`), float64 gradient checks on small sizes, the in-place verdicts, and bad input.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import gradcraft as gc
from gradcraft import functional as F

pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")  # torch's note


def _fns(name, **options):
    """(gradcraft fn, torch fn) of x, weight[, bias] with the same keyword options."""
    mine, theirs = getattr(F, name), getattr(TF, name)
    return (lambda *a: mine(*a, **options)), (lambda *a: theirs(*a, **options))


def _row(label, name, shapes, layouts="", **options):
    return (f"{label}", *_fns(name, **options), shapes, "any", layouts)


CONV2D = [  # (x, weight[, bias]) shapes; weight (O, C/groups, KH, KW)
    _row("conv2d odd sizes", "conv2d", [(2, 3, 7, 5), (4, 3, 3, 3), (4,)]),
    _row("conv2d stride > kernel", "conv2d", [(2, 2, 9, 8), (3, 2, 2, 2), (3,)], stride=3),
    _row("conv2d padding", "conv2d", [(1, 2, 5, 6), (3, 2, 3, 3), (3,)], padding=2),
    _row("conv2d dilation pair", "conv2d", [(2, 2, 9, 9), (2, 2, 3, 2), (2,)], dilation=(2, 3)),
    _row("conv2d pairs", "conv2d", [(2, 3, 8, 7), (4, 3, 2, 3), (4,)], stride=(2, 1), padding=(1, 0)),
    _row("conv2d groups=2, 4->6", "conv2d", [(2, 4, 6, 5), (6, 2, 3, 3), (6,)], groups=2, padding=1),
    _row("conv2d depthwise", "conv2d", [(2, 3, 6, 6), (3, 1, 3, 3), (3,)], groups=3),
    _row("conv2d depthwise x2 multiplier", "conv2d", [(2, 3, 7, 6), (6, 1, 3, 3), (6,)], groups=3, stride=2),
    _row("conv2d groups, stride, dilation", "conv2d", [(1, 6, 9, 8), (4, 3, 2, 2), (4,)],
         groups=2, stride=2, dilation=2, padding=1),
    _row("conv2d depthwise 1x1 no bias", "conv2d", [(2, 4, 3, 5), (4, 1, 1, 1)], groups=4),
    _row("conv2d same, even kernel", "conv2d", [(2, 2, 6, 7), (3, 2, 4, 2), (3,)], padding="same"),
    _row("conv2d same, dilated", "conv2d", [(2, 2, 6, 7), (3, 2, 3, 2), (3,)], padding="same", dilation=(1, 3)),
    _row("conv2d same, groups", "conv2d", [(2, 4, 5, 5), (2, 2, 3, 3), (2,)], padding="same", groups=2),
    _row("conv2d same, kernel > input", "conv2d", [(1, 1, 3, 2), (2, 1, 5, 4), (2,)], padding="same"),
    _row("conv2d valid", "conv2d", [(2, 2, 6, 7), (3, 2, 3, 3), (3,)], padding="valid"),
    _row("conv2d unbatched", "conv2d", [(3, 6, 5), (4, 3, 3, 3), (4,)], padding=1),
    _row("conv2d unbatched groups same", "conv2d", [(4, 5, 6), (6, 2, 2, 3), (6,)], padding="same", groups=2),
    _row("conv2d strided view", "conv2d", [(2, 4, 6, 5), (6, 2, 3, 3), (6,)], "SCC", groups=2),
    _row("conv2d transposed view", "conv2d", [(3, 3, 4, 5), (4, 3, 2, 2), (4,)], "TCC"),
]

CONV1D = [  # weight (O, C/groups, K)
    _row("conv1d", "conv1d", [(2, 3, 10), (4, 3, 3), (4,)]),
    _row("conv1d stride padding dilation", "conv1d", [(2, 2, 11), (3, 2, 3), (3,)], stride=2, padding=1, dilation=2),
    _row("conv1d stride > kernel", "conv1d", [(1, 2, 13), (3, 2, 2), (3,)], stride=4),
    _row("conv1d groups=2 4->6 same even", "conv1d", [(2, 4, 9), (6, 2, 4), (6,)], padding="same", groups=2),
    _row("conv1d depthwise x2", "conv1d", [(2, 4, 9), (8, 1, 3), (8,)], groups=4, padding=(2,)),
    _row("conv1d same dilated", "conv1d", [(2, 2, 7), (2, 2, 3)], padding="same", dilation=2),
    _row("conv1d unbatched", "conv1d", [(3, 7), (2, 3, 2), (2,)]),
]

CONV_TRANSPOSE2D = [  # weight (C_in, C_out/groups, KH, KW)
    _row("conv_transpose2d", "conv_transpose2d", [(2, 3, 4, 5), (3, 2, 3, 3), (2,)]),
    _row("conv_transpose2d stride padding output_padding", "conv_transpose2d",
         [(2, 3, 4, 3), (3, 2, 3, 3), (2,)], stride=2, padding=1, output_padding=1),
    _row("conv_transpose2d pairs", "conv_transpose2d", [(2, 2, 3, 4), (2, 3, 3, 2), (3,)],
         stride=(2, 3), padding=(1, 0), output_padding=(1, 2)),
    _row("conv_transpose2d groups=2 4->6", "conv_transpose2d", [(2, 4, 3, 4), (4, 3, 3, 3), (6,)],
         groups=2, stride=2),
    _row("conv_transpose2d depthwise", "conv_transpose2d", [(2, 3, 4, 4), (3, 1, 3, 3), (3,)],
         groups=3, stride=2, padding=1),
    _row("conv_transpose2d dilation, output_padding < dilation", "conv_transpose2d",
         [(1, 2, 4, 3), (2, 2, 2, 3), (2,)], dilation=2, output_padding=1),
    _row("conv_transpose2d output_padding >= stride", "conv_transpose2d",
         [(2, 2, 3, 4), (2, 2, 3, 2), (4,)], groups=2, stride=2, dilation=3, output_padding=(2, 1)),
    _row("conv_transpose2d stride > kernel", "conv_transpose2d", [(1, 2, 3, 3), (2, 2, 2, 2), (2,)], stride=3),
    _row("conv_transpose2d wide padding", "conv_transpose2d", [(2, 2, 5, 4), (2, 3, 3, 3), (3,)],
         stride=2, padding=2),
    _row("conv_transpose2d no bias", "conv_transpose2d", [(2, 2, 3, 3), (2, 3, 2, 2)], padding=(0, 1)),
    _row("conv_transpose2d unbatched", "conv_transpose2d", [(3, 4, 3), (3, 2, 3, 2), (2,)], stride=2),
    _row("conv_transpose2d strided view", "conv_transpose2d", [(2, 4, 3, 4), (4, 3, 3, 3), (6,)], "SCC",
         groups=2, stride=2),
]

CONV_TRANSPOSE1D = [
    _row("conv_transpose1d", "conv_transpose1d", [(2, 3, 5), (3, 2, 3), (2,)]),
    _row("conv_transpose1d all options", "conv_transpose1d", [(2, 4, 5), (4, 3, 4), (6,)],
         stride=3, padding=1, output_padding=2, groups=2, dilation=1),
    _row("conv_transpose1d dilation", "conv_transpose1d", [(1, 2, 4), (2, 1, 3), (1,)], dilation=3, output_padding=2),
    _row("conv_transpose1d unbatched", "conv_transpose1d", [(3, 6), (3, 2, 2), (2,)], stride=2),
]

CASES = CONV2D + CONV1D + CONV_TRANSPOSE2D + CONV_TRANSPOSE1D


def test_parity_with_torch(case, parity):
    parity(case, rtol=1e-10, atol=1e-11)


GRADCHECKED = ["conv2d groups, stride, dilation", "conv2d depthwise x2 multiplier", "conv2d same, even kernel",
               "conv1d groups=2 4->6 same even", "conv_transpose2d pairs", "conv_transpose2d groups=2 4->6",
               "conv_transpose2d output_padding >= stride", "conv_transpose1d all options"]


@pytest.mark.parametrize("name", GRADCHECKED)
def test_gradcheck_float64(name):
    _, gc_fn, _, shapes, *_ = next(row for row in CASES if row[0] == name)
    rng = np.random.default_rng(1)
    leaves = [gc.tensor(rng.standard_normal(shape), requires_grad=True) for shape in shapes]
    report = gc.gradcheck(gc_fn, *leaves)
    assert report, str(report)


@pytest.mark.parametrize("name, ours, theirs, x_shape, w_shape", [
    ("conv2d groups", lambda x, w, b: F.conv2d(x, w, b, 1, 1, 1, 2),
     lambda x, w, b: TF.conv2d(x, w, b, 1, 1, 1, 2), (0, 4, 5, 5), (6, 2, 3, 3)),
    ("conv_transpose2d", lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1, 1, 2),
     lambda x, w, b: TF.conv_transpose2d(x, w, b, 2, 1, 1, 2), (0, 4, 3, 3), (4, 3, 3, 3)),
])
def test_an_empty_batch_matches_torch(name, ours, theirs, x_shape, w_shape):
    rng = np.random.default_rng(0)
    arrays = [np.zeros(x_shape), rng.standard_normal(w_shape)]
    arrays.append(rng.standard_normal(ours(gc.tensor(np.zeros((1, *x_shape[1:]))), *arrays[1:2], None).shape[1]))
    mine = [gc.tensor(a, requires_grad=True) for a in arrays]
    refs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = ours(*mine), theirs(*refs)
    assert out.shape == tuple(ref.shape)
    out.sum().backward()
    ref.sum().backward()
    for m, r in zip(mine, refs):
        np.testing.assert_array_equal(m.grad, r.grad.numpy())  # all zeros


def test_depthwise_conv_by_hand():
    # channel c of the output is channel c of the input times the weight's single tap for c
    x = np.arange(8.0).reshape(1, 2, 2, 2)
    w = np.array([2.0, -1.0]).reshape(2, 1, 1, 1)
    out = F.conv2d(gc.tensor(x), gc.tensor(w), None, groups=2).data
    np.testing.assert_array_equal(out[0, 0], [[0.0, 2.0], [4.0, 6.0]])
    np.testing.assert_array_equal(out[0, 1], [[-4.0, -5.0], [-6.0, -7.0]])


def test_conv_transpose_by_hand_is_the_scattered_kernel():
    # one input pixel of value 3 at (0, 1), stride 2: the 2x2 kernel lands at rows 0..1, cols 2..3
    x = np.zeros((1, 1, 2, 2))
    x[0, 0, 0, 1] = 3.0
    w = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2)
    out = F.conv_transpose2d(gc.tensor(x), gc.tensor(w), None, stride=2).data[0, 0]
    expected = np.zeros((4, 4))
    expected[0:2, 2:4] = [[3.0, 6.0], [9.0, 12.0]]
    np.testing.assert_array_equal(out, expected)


def test_float32_stays_float32():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 5, 5)).astype(np.float32)
    w = rng.standard_normal((6, 2, 3, 3)).astype(np.float32)
    assert F.conv2d(x, w, None, 1, 1, 1, 2).dtype == np.float32
    assert F.conv_transpose2d(x, rng.standard_normal((4, 3, 3, 3)).astype(np.float32), groups=2).dtype == np.float32


# ----------------------------------------------------------------------------- in-place verdicts
RNG = np.random.default_rng(0)
SAVED_CASES = {
    "grouped conv2d": (lambda x, w, b: F.conv2d(x, w, b, groups=2), lambda x, w, b: TF.conv2d(x, w, b, groups=2),
                       [RNG.uniform(-1, 1, (1, 4, 4, 4)), RNG.uniform(-1, 1, (2, 2, 3, 3)), RNG.uniform(-1, 1, 2)]),
    "conv_transpose2d": (lambda x, w, b: F.conv_transpose2d(x, w, b, 2, groups=2),
                         lambda x, w, b: TF.conv_transpose2d(x, w, b, 2, groups=2),
                         [RNG.uniform(-1, 1, (1, 4, 3, 3)), RNG.uniform(-1, 1, (4, 1, 2, 2)), RNG.uniform(-1, 1, 2)]),
}
_OWN_COPY = "the weight gradient reads the op's own copy of the input (its im2col or channel-major matrix)"
_WEIGHT = "dx reads the weight; without dx nothing reads it"
SAVED_DEVIATIONS = {
    **{(name, needs, "input 0"): _OWN_COPY
       for name in SAVED_CASES for needs in ("ggg", "gg-", "g-g", "g--", "-gg", "-g-", "--g")},
    **{(name, needs, "input 1"): _WEIGHT for name in SAVED_CASES for needs in ("-gg", "-g-", "--g")},
}


def test_in_place_change_verdict_is_pytorchs(saved_program, check_saved_program):
    check_saved_program(saved_program)


# ----------------------------------------------------------------------------- bad input
def _zeros(*shape):
    return gc.tensor(np.zeros(shape))


@pytest.mark.parametrize("call, message", [
    (lambda: F.conv2d(_zeros(2, 4, 8, 8), _zeros(6, 3, 3, 3)),
     r"conv2d: input has 4 channels \(input shape \(2, 4, 8, 8\)\) but weight of shape \(6, 3, 3, 3\) expects 3"),
    (lambda: F.conv2d(_zeros(2, 4, 8, 8), _zeros(6, 1, 3, 3), groups=2),
     r"conv2d: input has 4 channels .* expects groups \* weight.shape\[1\] = 2 \* 1 = 2"),
    (lambda: F.conv2d(_zeros(1, 4, 5, 5), _zeros(6, 2, 3, 3), groups=3),
     r"conv2d: groups=3 must divide the input channels \(4; weight shape \(6, 2, 3, 3\)\)"),
    (lambda: F.conv2d(_zeros(1, 4, 5, 5), _zeros(3, 2, 3, 3), groups=2),
     r"conv2d: groups=2 must divide the out_channels \(weight.shape\[0\]\) \(3"),
    (lambda: F.conv2d(_zeros(1, 1, 3, 3), _zeros(1, 1, 5, 5)),
     r"conv2d: input of spatial size \(3, 3\) \(input shape \(1, 1, 3, 3\)\) with padding \(0, 0\) is smaller "
     r"than the dilated kernel \(5, 5\)"),
    (lambda: F.conv2d(_zeros(1, 1, 6, 6), _zeros(1, 1, 3, 3), dilation=3), r"dilated kernel \(7, 7\)"),
    (lambda: F.conv2d(_zeros(8, 8), _zeros(1, 1, 3, 3)),
     r"conv2d: input must have shape \(N, C, H, W\) or \(C, H, W\), got \(8, 8\); for one single-channel"),
    (lambda: F.conv2d(_zeros(1, 1, 1, 8, 8), _zeros(1, 1, 3, 3)), r"input must have shape .* got \(1, 1, 1, 8, 8\)"),
    (lambda: F.conv2d(_zeros(1, 3, 8, 8), _zeros(3, 3, 3)),
     r"conv2d: weight must have shape \(out_channels, in_channels/groups, kH, kW\), got \(3, 3, 3\)"),
    (lambda: F.conv2d(_zeros(1, 3, 8, 8), _zeros(4, 3, 3, 3), _zeros(3)),
     r"conv2d: bias must have shape \(4,\), got \(3,\) \(one value per output channel\)"),
    (lambda: F.conv2d(_zeros(1, 3, 8, 8), _zeros(4, 3, 3, 3), stride=2, padding="same"),
     r"conv2d: padding='same' needs stride 1 \(as PyTorch\), got stride=\(2, 2\)"),
    (lambda: F.conv2d(_zeros(1, 3, 8, 8), _zeros(4, 3, 3, 3), padding="full"), r"conv2d: padding must be one of"),
    (lambda: F.conv2d(_zeros(1, 3, 8, 8), _zeros(4, 3, 3, 3), padding=-1), r"conv2d: need .* padding >= 0"),
    (lambda: F.conv2d(_zeros(1, 3, 8, 8), _zeros(4, 3, 3, 3), groups=0), r"conv2d: groups must be a positive int"),
    (lambda: F.conv1d(_zeros(2, 4, 9), _zeros(6, 3, 3)),
     r"conv1d: input has 4 channels \(input shape \(2, 4, 9\)\) but weight of shape \(6, 3, 3\) expects 3"),
    (lambda: F.conv1d(_zeros(1, 2, 4, 9), _zeros(6, 2, 3)),
     r"conv1d: input must have shape \(N, C, L\) or \(C, L\), got \(1, 2, 4, 9\)"),
    (lambda: F.conv1d(_zeros(1, 2, 9), _zeros(6, 2, 3, 3)),
     r"conv1d: weight must have shape \(out_channels, in_channels/groups, kW\), got \(6, 2, 3, 3\)"),
    (lambda: F.conv1d(_zeros(1, 2, 4), _zeros(6, 2, 3), dilation=2),
     r"conv1d: input of spatial size \(4,\) .* smaller than the dilated kernel \(5,\)"),
    (lambda: F.conv1d(_zeros(1, 2, 9), _zeros(6, 2, 3), stride=(1, 1)), r"conv1d: stride must be an int or a 1-tuple"),
    (lambda: F.conv_transpose2d(_zeros(1, 3, 4, 4), _zeros(4, 2, 3, 3)),
     r"conv_transpose2d: input has 3 channels \(input shape \(1, 3, 4, 4\)\) but weight of shape "
     r"\(4, 2, 3, 3\) expects 4 \(weight.shape\[0\]\)"),
    (lambda: F.conv_transpose2d(_zeros(1, 3, 4, 4), _zeros(3, 2, 3, 3), groups=2),
     r"conv_transpose2d: groups=2 must divide the in_channels \(weight.shape\[0\]\) \(3"),
    (lambda: F.conv_transpose2d(_zeros(1, 2, 4, 4), _zeros(2, 2, 3, 3), stride=2, output_padding=2),
     r"conv_transpose2d: output_padding must be >= 0 and smaller than either stride or dilation, got "
     r"output_padding=\(2, 2\), stride=\(2, 2\), dilation=\(1, 1\)"),
    (lambda: F.conv_transpose2d(_zeros(1, 1, 1, 1), _zeros(1, 1, 1, 1), padding=1),
     r"conv_transpose2d: the output size \(-1, -1\) is not positive"),
    (lambda: F.conv_transpose2d(_zeros(1, 2, 4, 4), _zeros(2, 2, 3, 3), _zeros(3)),
     r"conv_transpose2d: bias must have shape \(2,\)"),
    (lambda: F.conv_transpose2d(_zeros(4, 4), _zeros(2, 2, 3, 3)), r"conv_transpose2d: input must have shape"),
    (lambda: F.conv_transpose1d(_zeros(1, 2, 4), _zeros(2, 2, 3), output_padding=1),
     r"conv_transpose1d: output_padding must be .* got output_padding=\(1,\), stride=\(1,\)"),
    (lambda: F.conv_transpose1d(_zeros(1, 3, 4), _zeros(2, 2, 3)), r"conv_transpose1d: input has 3 channels"),
])
def test_bad_input_names_the_function_argument_and_shapes(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("call, message", [
    (lambda: F.conv2d(_zeros(1, 3, 8, 8), _zeros(4, 3, 3, 3), stride=1.5), "conv2d: stride must be"),
    (lambda: F.conv2d(_zeros(1, 3, 8, 8), _zeros(4, 3, 3, 3), groups=2.0), "conv2d: groups must be an int"),
    (lambda: F.conv_transpose2d(_zeros(1, 2, 4, 4), _zeros(2, 2, 3, 3), padding="same"),
     "conv_transpose2d: padding must be an int or a pair"),
])
def test_wrong_types_are_type_errors(call, message):
    with pytest.raises(TypeError, match=message):
        call()
