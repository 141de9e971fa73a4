"""einsum: Einstein summation with a hand-written backward (`gradcraft.ops.einsum`)."""

from __future__ import annotations

import string

from ...validation import describe
from .. import einsum as einsum_ops
from .arguments import tensor_of

__all__ = ["einsum"]

_LETTERS = string.ascii_letters


def einsum(subscripts, *operands):
    """NumPy's / PyTorch's `einsum(subscripts, *operands)`, differentiable in every operand.

    Subscripts are letters (a-z, A-Z), one group per operand separated by commas, `...` for
    broadcast leading axes, and an optional `->output`. Without `->` (implicit mode) the output
    is the ellipsis axes then the letters that appear once, in alphabetical order (uppercase
    first). A letter repeated in one operand takes its diagonal ('ii->i'); a letter missing
    from the output is summed over. Size-1 axes broadcast. The operands may also be given as
    one list (PyTorch's `einsum('ij,jk', [a, b])`).
    Where they differ: ellipsis axes left out of an explicit output are summed over, as in
    PyTorch (NumPy refuses).
    """
    if not isinstance(subscripts, str):
        raise TypeError(f"einsum: subscripts must be a str such as 'ij,jk->ik', got {describe(subscripts)}")
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    tensors = [tensor_of(x) for x in operands]
    inputs, output = parse_subscripts(subscripts, [t.shape for t in tensors])
    return einsum_ops.Einsum.apply(*tensors, inputs=inputs, output=output)


def parse_subscripts(subscripts: str, shapes: list) -> tuple[list[str], str]:
    """`subscripts` for operands of `shapes` as explicit letters: (one string per operand,
    the output), with each ellipsis replaced by letters unused elsewhere. Every mistake is a
    ValueError naming the subscripts."""
    text = subscripts.replace(" ", "")

    def fail(why):
        raise ValueError(f"einsum: subscripts {subscripts!r} {why}")

    if text.count("->") > 1:
        fail("have more than one '->'")
    lhs, arrow, out = text.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        fail(f"name {len(terms)} operand{'s' * (len(terms) != 1)}, but {len(shapes)} operand"
             f"{'s were' if len(shapes) != 1 else ' was'} given")
    for term in terms + ([out] if arrow else []):
        if term.count("...") > 1:
            fail(f"use '...' more than once in {term!r}")
        bad = [c for c in term.replace("...", "") if c not in _LETTERS]
        if bad:
            fail(f"hold {bad[0]!r}: only the letters a-z, A-Z, ',', '->' and '...' are allowed")
    used = set(lhs.replace("...", "").replace(",", ""))
    free = [c for c in _LETTERS if c not in used]
    ellipsis_dims = []
    for i, (term, shape) in enumerate(zip(terms, shapes)):
        letters = len(term.replace("...", ""))
        if "..." in term:
            if letters > len(shape):
                fail(f"give operand {i} (shape {shape}) {letters} letters and '...', more than "
                     f"its {len(shape)} dimensions")
            ellipsis_dims.append(len(shape) - letters)
        elif letters != len(shape):
            fail(f"give operand {i} {letters} letter{'s' * (letters != 1)} ({term!r}), but it "
                 f"has {len(shape)} dimension{'s' * (len(shape) != 1)} (shape {shape})")
    broadcast = max(ellipsis_dims, default=0)
    if broadcast > len(free):
        fail("need more letters than a-z and A-Z hold")
    ellipsis = "".join(free[:broadcast])
    inputs = []
    for term, shape in zip(terms, shapes):
        own = len(shape) - len(term.replace("...", ""))
        inputs.append(term.replace("...", ellipsis[broadcast - own:] if own else ""))
    if arrow:
        output = out.replace("...", ellipsis)
        for c in output:
            if output.count(c) > 1:
                fail(f"repeat {c!r} in the output")
            if c not in used and c not in ellipsis:
                fail(f"have {c!r} in the output but in no operand")
    else:
        counts = {c: lhs.count(c) for c in used}
        output = ellipsis + "".join(sorted(c for c, n in counts.items() if n == 1))
    _check_sizes(subscripts, inputs, shapes)
    return inputs, output


def _check_sizes(subscripts, inputs, shapes):
    """A letter has one size, except that size 1 broadcasts (not within one operand)."""
    sizes = {}
    for i, (term, shape) in enumerate(zip(inputs, shapes)):
        own = {}
        for c, n in zip(term, shape):
            if own.setdefault(c, n) != n:
                raise ValueError(f"einsum: subscripts {subscripts!r}: the letter {c!r} is repeated "
                                 f"in operand {i} (shape {shape}) on axes of different sizes")
            if n != 1:
                seen = sizes.setdefault(c, (n, i))
                if seen[0] != n:
                    raise ValueError(
                        f"einsum: subscripts {subscripts!r}: the letter {c!r} has size {seen[0]} "
                        f"in operand {seen[1]} (shape {shapes[seen[1]]}) but {n} in operand {i} "
                        f"(shape {shape})")
