"""einsum against torch.einsum (float64 values and every operand's gradient) and finite
differences: matmul, batches, outer and inner products, trace, diagonals, transposes, sums,
a three-operand bilinear form, ellipses, implicit output, broadcasting; in-place verdicts and
bad subscripts."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradcraft as gc


def _both(subscripts):
    return (lambda *xs: gc.einsum(subscripts, *xs), lambda *ts: torch.einsum(subscripts, *ts))


SUBSCRIPTS = [  # (subscripts, operand shapes[, layouts])
    ("ij,jk->ik", ((2, 3), (3, 4))),                    # matmul
    ("ij,jk->ik", ((2, 3), (3, 4)), "TT"),              # matmul of transposed views
    ("bij,bjk->bik", ((2, 2, 3), (2, 3, 4))),           # batch matmul
    ("i,j->ij", ((3,), (4,))),                          # outer
    ("i,i->", ((5,), (5,))),                            # inner
    ("ii->", ((3, 3),)),                                # trace
    ("ii->i", ((4, 4),), "S"),                          # diagonal
    ("iij->ji", ((3, 3, 2),)),                          # diagonal of a batch, transposed
    ("iji->j", ((2, 3, 2),)),                           # repeated letter on distant axes
    ("ij->ji", ((2, 3),)),                              # transpose
    ("ij->", ((2, 3),)),                                # sum of all
    ("ij->j", ((2, 3),), "T"),                          # column sums
    ("bn,anm,bm->ba", ((2, 3), (4, 3, 5), (2, 5))),     # bilinear, three operands
    ("ij,jk,kl->il", ((2, 3), (3, 4), (4, 2))),         # chain of three
    ("ik,jkl,il->ij", ((2, 3), (4, 3, 5), (2, 5))),
    ("...ij,...jk->...ik", ((2, 1, 2, 3), (3, 3, 4))),  # broadcast batch via ellipsis
    ("...i,...i->...", ((2, 3), (3,))),
    ("i...->...", ((3, 2, 2),)),                        # ellipsis after letters
    ("...ij->ij", ((2, 3, 4),)),                        # ellipsis summed out (torch's rule)
    ("ij,jk", ((2, 3), (3, 4))),                        # implicit output: 'ik'
    ("ba,bc", ((3, 2), (3, 4))),                        # implicit output sorted: 'ac'
    ("Ba,bA", ((2, 3), (4, 5))),                        # implicit: uppercase first, 'ABab'
    ("ii", ((3, 3),)),                                  # implicit trace
    ("...ij", ((2, 3, 4),)),                            # implicit with ellipsis: '...ij'
    ("ij,ij->ij", ((1, 3), (4, 3))),                    # a size-1 axis broadcasts
    ("ij,jk->ik", ((2, 1), (3, 4))),                    # ... also a summed one
    ("i,->i", ((3,), ())),                              # a 0-d operand
    ("ij,kj->ik", ((0, 3), (2, 3))),                    # size 0
    ("ij,jk->", ((2, 0), (0, 3))),                      # summed over an empty axis
    (" ij , jk -> ik ", ((2, 3), (3, 2))),              # spaces are ignored
]

CASES = [("einsum " + row[0].strip(), *_both(row[0]), *row[1:2], "any", *row[2:])
         for row in SUBSCRIPTS]


def test_parity_with_torch(case, parity):
    parity(case)


def test_gradcheck(case, gradcheck_case):
    gradcheck_case(case)


def test_operands_given_as_one_list():
    a, b = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)
    out = gc.einsum("ij,jk", [gc.tensor(a), gc.tensor(b)])
    np.testing.assert_allclose(out.data, torch.einsum("ij,jk", [torch.tensor(a), torch.tensor(b)]).numpy())


def test_only_wanted_gradients_are_computed():
    a = gc.tensor(np.ones((2, 3)), requires_grad=True)
    b = gc.tensor(np.full((3, 4), 2.0))
    gc.einsum("ij,jk->ik", a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, np.full((2, 3), 8.0))
    assert b.grad is None


# ----------------------------------------------------------------------------- in-place verdicts
RNG = np.random.default_rng(7)


def signed(*shape):
    return RNG.uniform(-1.0, 1.0, shape)


SAVED_CASES = {
    "einsum matmul": (*_both("ij,jk->ik"), [signed(2, 3), signed(3, 4)]),
    "einsum outer": (*_both("i,j->ij"), [signed(2), signed(3)]),
    "einsum trace": (*_both("ii->"), [signed(3, 3)]),
    "einsum diagonal": (*_both("ii->i"), [signed(3, 3)]),
    "einsum sum": (*_both("ij->i"), [signed(2, 3)]),
}


def test_in_place_change_verdict_is_pytorchs(saved_program, check_saved_program):
    check_saved_program(saved_program)


# ----------------------------------------------------------------------------- bad input
A, B = gc.tensor(np.ones((2, 3))), gc.tensor(np.ones((3, 4)))


@pytest.mark.parametrize("call,error,message", [
    (lambda: gc.einsum("ij,jk->ik", A), ValueError, r"'ij,jk->ik' name 2 operands, but 1 operand was given"),
    (lambda: gc.einsum("ij->ij", A, B), ValueError, r"name 1 operand, but 2 operands were given"),
    (lambda: gc.einsum("ijk,jk->ik", A, B), ValueError, r"give operand 0 3 letters \('ijk'\), but it has 2"),
    (lambda: gc.einsum("ij,jk->iz", A, B), ValueError, r"have 'z' in the output but in no operand"),
    (lambda: gc.einsum("ij,jk->ii", A, B), ValueError, r"repeat 'i' in the output"),
    (lambda: gc.einsum("ij,jk->i->k", A, B), ValueError, r"more than one '->'"),
    (lambda: gc.einsum("i1,jk->ik", A, B), ValueError, r"hold '1'"),
    (lambda: gc.einsum("ij,ik->jk", A, B), ValueError, r"the letter 'i' has size 2 in operand 0 .* but 3 in operand 1"),
    (lambda: gc.einsum("ii->i", A), ValueError, r"'i' is repeated in operand 0 \(shape \(2, 3\)\)"),
    (lambda: gc.einsum("...ij...,jk", A, B), ValueError, r"'...' more than once"),
    (lambda: gc.einsum("ijk...,jk", A, B), ValueError, r"3 letters and '...', more than its 2 dimensions"),
    (lambda: gc.einsum(["ij"], A), TypeError, r"subscripts must be a str"),
])
def test_bad_subscripts_name_the_subscripts(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_three_operands_refuse_where_torchs_pairwise_contraction_would_not():
    # A known difference, on the safe side: dL/dc of einsum('i,ij,j->', a, W, c) reads a and W
    # (saved); torch contracts pairwise and keeps only the product a W, so after an in-place
    # change of a it still computes (from the old product) where gradcraft refuses.
    values = [np.ones(2), np.ones((2, 3)), np.ones(3)]
    a, w, c = gc.tensor(values[0]), gc.tensor(values[1]), gc.tensor(values[2], requires_grad=True)
    out = gc.einsum("i,ij,j->", a, w, c)
    with gc.no_grad():
        a += 1.0
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        out.backward()
    ta, tw, tc = torch.ones(2), torch.ones(2, 3), torch.ones(3, requires_grad=True)
    ref = torch.einsum("i,ij,j->", ta, tw, tc)
    with torch.no_grad():
        ta += 1.0
    ref.backward()
    assert tc.grad.tolist() == [2.0, 2.0, 2.0]
