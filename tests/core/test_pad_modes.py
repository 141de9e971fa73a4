"""Pad modes: NumPy's `gradcraft.pad` ('constant' with cropping, 'reflect', 'edge'/'replicate',
'wrap'/'circular') and PyTorch's `gradcraft.functional.pad`, against PyTorch's F.pad (float64
values and gradients), finite differences, NumPy's values, in-place verdicts and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import gradcraft as gc
from gradcraft import functional as F

TORCH_MODE = {"constant": "constant", "reflect": "reflect", "edge": "replicate",
              "replicate": "replicate", "wrap": "circular", "circular": "circular"}


def _flat(widths, ndim):
    """NumPy's ((before, after) per axis) as F.pad's flat list, last axis first."""
    widths = np.broadcast_to(np.asarray(widths), (ndim, 2))
    return [int(w) for pair in widths[::-1] for w in pair]


def _torch_pad(widths, mode):
    """F.pad of every axis (a batch axis added, as torch's non-constant modes need one)."""
    def fn(t):
        out = TF.pad(t[None], _flat(widths, t.ndim), mode=TORCH_MODE[mode])
        return out[0]
    return fn


def _torch_wide(widths, mode):
    """Pads wider than the axis, as NumPy repeats them: torch pads in steps, each at most the
    current size - 1 (reflect) or the current size (circular); a reflected (wrapped) array
    reflected (wrapped) again continues the same pattern."""
    def fn(t):
        out = t[None]
        remaining = [list(p) for p in np.broadcast_to(np.asarray(widths), (t.ndim, 2))]
        while any(w for pair in remaining for w in pair):
            step = []
            for axis, pair in enumerate(remaining):
                n = out.shape[1 + axis]
                limit = n - 1 if mode == "reflect" else n
                taken = [min(w, limit) for w in pair]
                pair[0] -= taken[0]
                pair[1] -= taken[1]
                step.append(taken)
            out = TF.pad(out, [w for pair in step[::-1] for w in pair], mode=TORCH_MODE[mode])
        return out[0]
    return fn


def _gc_pad(widths, mode, **kw):
    return lambda x: gc.pad(x, widths, mode=mode, **kw)


NUMPY_FORMAT = [
    (f"pad_{mode}", _gc_pad(widths, mode), _torch_pad(widths, mode), (shape,), "any", layout)
    for mode in ("reflect", "edge", "replicate", "wrap", "circular")
    for widths, shape, layout in [
        ((2, 1), (4,), "C"),
        (((1, 2), (0, 3)), (3, 4), "C"),
        (((1, 1), (2, 0)), (4, 3), "T"),
        ((1, 2), (3, 4), "S"),
        (((0, 0), (1, 1), (2, 1)), (2, 3, 4), "C"),
    ]
] + [
    ("pad_method_reflect", lambda x: x.pad(1, "reflect"), _torch_pad(1, "reflect"), ((3, 3),)),
    ("pad_wide_reflect", _gc_pad((5, 7), "reflect"), _torch_wide((5, 7), "reflect"), ((3,),)),
    ("pad_wide_reflect_2d", _gc_pad(((4, 0), (3, 6)), "reflect"), _torch_wide(((4, 0), (3, 6)), "reflect"),
     ((2, 3),)),
    ("pad_wide_wrap", _gc_pad((7, 4), "wrap"), _torch_wide((7, 4), "wrap"), ((3,),)),
    ("pad_wide_edge", _gc_pad(((5, 1), (0, 6)), "edge"), _torch_pad(((5, 1), (0, 6)), "edge"), ((2, 2),)),
    ("pad_edge_of_one", _gc_pad(((0, 0), (2, 1)), "edge"), _torch_pad(((0, 0), (2, 1)), "edge"), ((3, 1),)),
    ("pad_empty_batch", _gc_pad(((0, 0), (0, 0), (1, 2)), "reflect"),
     lambda t: TF.pad(t, (1, 2), mode="reflect"), ((0, 1, 3),)),
    ("pad_no_width", _gc_pad(0, "wrap"), lambda t: t * 1, ((2, 3),)),
    # negative widths crop ('constant' only), as torch's F.pad
    ("pad_crop", _gc_pad(((-1, 2), (1, -2)), "constant"), _torch_pad(((-1, 2), (1, -2)), "constant"), ((3, 4),)),
    ("pad_crop_all", _gc_pad(-1, "constant"), _torch_pad(-1, "constant"), ((3, 4),), "any", "T"),
    ("pad_crop_to_empty", _gc_pad(((-2, -1), (0, 0)), "constant"),
     _torch_pad(((-2, -1), (0, 0)), "constant"), ((3, 2),)),
    ("pad_crop_value", _gc_pad(((0, -1), (2, 0)), "constant", constant_values=1.5),
     lambda t: TF.pad(t, [2, 0, 0, -1], value=1.5), ((3, 4),)),
]

TORCH_FORMAT = [
    ("F.pad", lambda x: F.pad(x, (1, 2)), lambda t: TF.pad(t, (1, 2)), ((2, 3),)),
    ("F.pad_value", lambda x: F.pad(x, (1, 0, 0, 2), value=-1.0), lambda t: TF.pad(t, (1, 0, 0, 2), value=-1.0),
     ((2, 3, 2),)),
    ("F.pad_3_axes", lambda x: F.pad(x, (1, 0, 0, 2, 3, 1)), lambda t: TF.pad(t, (1, 0, 0, 2, 3, 1)), ((2, 3, 2),)),
    ("F.pad_crop", lambda x: F.pad(x, (-1, 1, 1, -2)), lambda t: TF.pad(t, (-1, 1, 1, -2)), ((3, 4),), "any", "T"),
    ("F.pad_reflect", lambda x: F.pad(x, (2, 1), mode="reflect"), lambda t: TF.pad(t, (2, 1), mode="reflect"),
     ((2, 2, 3),)),
    ("F.pad_reflect_2d", lambda x: F.pad(x, (2, 1, 1, 1), mode="reflect"),
     lambda t: TF.pad(t, (2, 1, 1, 1), mode="reflect"), ((1, 2, 3, 4),), "any", "S"),
    ("F.pad_replicate", lambda x: F.pad(x, (3, 1, 0, 2), mode="replicate"),
     lambda t: TF.pad(t, (3, 1, 0, 2), mode="replicate"), ((1, 2, 2, 3),)),
    ("F.pad_circular", lambda x: F.pad(x, (3, 1), mode="circular"), lambda t: TF.pad(t, (3, 1), mode="circular"),
     ((2, 3),)),
    ("F.pad_circular_3d", lambda x: F.pad(x, (1, 1, 2, 0, 0, 1), mode="circular"),
     lambda t: TF.pad(t, (1, 1, 2, 0, 0, 1), mode="circular"), ((1, 2, 2, 3, 2),)),
]

CASES = NUMPY_FORMAT + TORCH_FORMAT


def test_parity_with_torch(case, parity):
    parity(case)


def test_gradcheck(case, gradcheck_case):
    gradcheck_case(case)


@pytest.mark.parametrize("mode", ["reflect", "edge", "wrap"])
@pytest.mark.parametrize("widths", [(2, 3), ((1, 4), (6, 0)), 5])
def test_values_are_numpys(mode, widths):
    values = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(gc.pad(gc.tensor(values), widths, mode=mode).data,
                                  np.pad(values, widths, mode=mode))


def test_torch_and_numpy_formats_name_the_axes_in_opposite_orders():
    x = gc.tensor(np.ones((2, 3)))
    assert F.pad(x, (1, 2)).shape == (2, 6)           # last axis first
    assert gc.pad(x, ((1, 2), (0, 0))).shape == (5, 3)  # first axis first


# ----------------------------------------------------------------------------- in-place verdicts
RNG = np.random.default_rng(11)


def signed(*shape):
    return RNG.uniform(-1.0, 1.0, shape)


SAVED_CASES = {
    "pad reflect": (_gc_pad((2, 1), "reflect"), lambda a: TF.pad(a[None], (2, 1), mode="reflect")[0],
                    [signed(4)]),
    "pad edge": (_gc_pad((1, 2), "edge"), lambda a: TF.pad(a[None], (1, 2), mode="replicate")[0], [signed(3)]),
    "pad wrap": (_gc_pad((2, 2), "wrap"), lambda a: TF.pad(a[None], (2, 2), mode="circular")[0], [signed(3)]),
    "pad crop": (_gc_pad((-1, 2), "constant"), lambda a: TF.pad(a, (-1, 2)), [signed(3)]),
    "F.pad reflect": (lambda a: F.pad(a, (1, 1), mode="reflect"), lambda a: TF.pad(a, (1, 1), mode="reflect"),
                      [signed(2, 3)]),
}

_SHAPE_ONLY = ("the backward of reflect/replicate padding adds gradients by an index map of the "
               "shape alone; torch's reflection_pad/replication_pad kernels keep the input")
SAVED_DEVIATIONS = {
    ("pad reflect", "g", "input 0"): _SHAPE_ONLY,
    ("pad edge", "g", "input 0"): _SHAPE_ONLY,
    ("F.pad reflect", "g", "input 0"): _SHAPE_ONLY,
}


def test_in_place_change_verdict_is_pytorchs(saved_program, check_saved_program):
    check_saved_program(saved_program)


# ----------------------------------------------------------------------------- bad input
X = gc.tensor(np.ones((2, 3)))


@pytest.mark.parametrize("call,error,message", [
    (lambda: gc.pad(X, 1, mode="foo"), ValueError, r"mode must be one of 'constant', .*got 'foo'"),
    (lambda: gc.pad(X, 1, mode=3), TypeError, r"mode must be one of"),
    (lambda: gc.pad(X, -1, mode="reflect"), ValueError, r"negative pad_width .*mode='constant' only"),
    (lambda: gc.pad(X, ((-2, -1), (0, 0))), ValueError, r"pad_width=.* crops more than the shape \(2, 3\)"),
    (lambda: gc.pad(gc.tensor(np.ones((0, 2))), 1, mode="edge"), ValueError, r"empty axis 0"),
    (lambda: gc.pad(X, ((1, 1), (1, 1), (1, 1))), ValueError, r"pad_width.*\(2, 3\)"),
    (lambda: F.pad(X, (1, 1), mode="edge"), ValueError, r"mode must be one of 'constant', 'reflect', "
                                                        r"'replicate', 'circular', got 'edge'"),
    (lambda: F.pad(X, (3, 0), mode="reflect"), ValueError, r"each width must be less than the size.*\(3, 0\)"),
    (lambda: F.pad(X, (4, 0), mode="circular"), ValueError, r"each width must be at most the size"),
    (lambda: F.pad(X, (1, 1, 1)), ValueError, r"pad must hold an even number of ints"),
    (lambda: F.pad(X, (1, 1) * 3), ValueError, r"at most 2 per axis"),
    (lambda: F.pad(X, (1.5, 1)), TypeError, r"pad must be an int"),
    (lambda: F.pad(X, 2), TypeError, r"pad must be a sequence of ints"),
    (lambda: F.pad(X, (-1, 1), mode="replicate"), ValueError, r"pad: negative widths .*pad=\(-1, 1\)"),
    (lambda: F.pad(X, (0, 0, -2, -1)), ValueError, r"pad=\(0, 0, -2, -1\) crops axis 0"),
    (lambda: F.pad(X, (1, 1), mode="reflect", value=1.0), ValueError, r"value= is used with mode='constant'"),
])
def test_bad_arguments_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_torch_refuses_reflect_wider_than_the_axis_and_numpy_repeats_it():
    # the choice documented in gradcraft.pad: NumPy's format follows NumPy, F.pad follows torch
    with pytest.raises(RuntimeError):
        TF.pad(torch.ones(1, 3), (3, 0), mode="reflect")
    assert gc.pad(gc.tensor(np.arange(3.0)), (3, 0), mode="reflect").tolist() == [1.0, 2.0, 1.0, 0.0, 1.0, 2.0]
